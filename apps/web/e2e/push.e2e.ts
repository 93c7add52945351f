/**
 * Web Push, as far as a machine with no push service can take it: Chromium here reaches no
 * push service (no internet), so no subscription can be made and nothing is sent by the
 * platform's Web Push sender. What is tested for real is the browser's side of a delivered
 * push: the app's service worker (/sw.js) registered under the page's CSP, a push delivered to
 * it through the DevTools protocol (ServiceWorker.deliverPushMessage, the same path a push
 * service's message takes inside Chromium), and the notification it shows, read back with
 * registration.getNotifications(). A click on a notification cannot be driven (no protocol
 * command clicks a notification); the click handler's logic is tested in test/sw.test.ts.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createGroup, registerUser, type ApiUser } from './support/api.ts';
import { ParleyUi } from './support/app.ts';
import { guardProblems, launchBrowser, newUserContext, screenshotOnFailure, type UserContext } from './support/browser.ts';

const baseUrl = inject('baseUrl');

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  data: { url?: string };
}

describe('Web Push: a push delivered to the service worker shows a notification', () => {
  let browser: Browser;
  let user: UserContext;
  let viewer: ApiUser;
  let groupId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    viewer = await registerUser(baseUrl, 'pusha', 'Push Reader');
    const other = await registerUser(baseUrl, 'pushb', 'Push Writer');
    groupId = (await createGroup(baseUrl, other, 'Push group', [viewer])).id;
    user = await newUserContext(browser, baseUrl, 'ru');
    await user.context.grantPermissions(['notifications'], { origin: baseUrl });
  });
  afterEach(async (context) => {
    await screenshotOnFailure(context, { viewer: user.page });
  });
  afterAll(async () => {
    const problems = guardProblems(user.guard);
    await browser?.close();
    expect(problems).toEqual([]);
  });

  it('shows the push with a translated title, the preview as plain text, and the conversation to open', async () => {
    const ui = new ParleyUi(user.page, 'ru');
    await ui.signIn(viewer);
    const page = user.page;

    const cdp = await user.context.newCDPSession(page);
    const registered = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((registration) => registration.scopeURL === `${baseUrl}/` && !registration.isDeleted);
        if (ours) resolve(ours.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    // What the app's "enable push" does before it asks the push service for a subscription.
    await page.evaluate(async () => {
      await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
    });
    const registrationId = await registered;

    const payload = {
      type: 'notification',
      data: {
        id: '0190a000-0000-7000-8000-00000000f001',
        kind: 'mention',
        createdAt: new Date().toISOString(),
        readAt: null,
        conversationId: groupId,
        preview: '**Срочно**: посмотри `roadmap` и [план](https://example.com)',
      },
    };
    const deliver = () => cdp.send('ServiceWorker.deliverPushMessage', { origin: baseUrl, registrationId, data: JSON.stringify(payload) });
    await deliver();

    const shown = async () =>
      page.evaluate(async () => {
        const registration = await navigator.serviceWorker.ready;
        return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as { url?: string } }));
      });
    // CDP once dropped the injected push in CI (nothing shown in 30 s; the rerun passed): a poll
    // that finds nothing delivers it again. A second copy replaces the first (same tag), so the
    // count below still means one notification per conversation.
    await expect
      .poll(
        async () => {
          const count = (await shown()).length;
          if (count === 0) await deliver();
          return count;
        },
        { interval: 1000 },
      )
      .toBe(1);
    const [notification] = (await shown()) as ShownNotification[];
    expect(notification).toEqual({ title: 'Вас упомянули', body: 'Срочно: посмотри roadmap и план', tag: groupId, data: { url: `/c/${groupId}` } });

    // The same conversation again replaces its notification (one per conversation, by tag).
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: baseUrl,
      registrationId,
      data: JSON.stringify({ ...payload, data: { ...payload.data, kind: 'direct_message', preview: 'второе' } }),
    });
    await expect.poll(async () => (await shown()).map((n) => n.body)).toEqual(['второе']);

    // Where a click goes: the notification's url is a route of the app that opens the conversation.
    await page.goto(notification!.data.url!);
    await page.getByRole('heading', { name: 'Push group', level: 1 }).waitFor();
  });
});
