/**
 * No text a user supplies ever runs as script or becomes a dangerous link. A corpus of hostile
 * message bodies, display names, group names, status texts and file names (support/
 * hostile-corpus.ts) is sent through the API by attackers, then a victim looks at everything
 * in the app: the chat list, the whole group conversation, a direct chat, group settings,
 * search results (server-made snippets) and notifications. Counted all along: CSP violations
 * (a `securitypolicyviolation` listener installed before the app's script) and Chromium's own
 * CSP console lines, dialogs, page errors. All must stay 0; and on every screen no link has a
 * `javascript:`, `data:` or `vbscript:` href, no element carries an event-handler attribute,
 * and no script, frame, object or embed is in the page besides the app's own bundle.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, createGroup, registerUser, sendMessage, uploadFile, type ApiUser } from './support/api.ts';
import { ParleyUi } from './support/app.ts';
import { guardProblems, launchBrowser, newUserContext, type UserContext } from './support/browser.ts';
import { HOSTILE_BODIES, HOSTILE_DISPLAY_NAMES, HOSTILE_FILE_NAMES, HOSTILE_GROUP_NAMES } from './support/hostile-corpus.ts';
import { pngImage } from './support/images.ts';

const baseUrl = inject('baseUrl');

/** What in the page as it is now could run or lead somewhere it must not; [] when nothing. */
async function dangerousMarkup(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const dangerous = /^\s*(javascript|data|vbscript):/i;
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of element.attributes) {
        if (/^on/i.test(attribute.name)) found.push(`<${element.localName} ${attribute.name}="${attribute.value.slice(0, 60)}">`);
      }
      const href = element.getAttribute('href') ?? element.getAttribute('xlink:href');
      // The URL the browser would follow: entities and whitespace decoded, as the link sees it.
      const resolved = element instanceof HTMLAnchorElement || element instanceof HTMLAreaElement ? element.href : href;
      if (href !== null && (dangerous.test(href) || dangerous.test(resolved ?? ''))) found.push(`<${element.localName} href="${href.slice(0, 80)}">`);
      if (element instanceof HTMLFormElement && element.action && new URL(element.action).origin !== location.origin)
        found.push(`<form action="${element.action}">`);
    }
    for (const script of document.querySelectorAll('script')) {
      const src = script.getAttribute('src') ?? '';
      if (!src.startsWith('/assets/') || script.textContent !== '') found.push(`<script src="${src}">${script.textContent?.slice(0, 60)}`);
    }
    for (const element of document.querySelectorAll('iframe, frame, object, embed, base, meta[http-equiv], link[rel~="stylesheet"]:not([href^="/assets/"])')) {
      found.push(element.outerHTML.slice(0, 100));
    }
    return found;
  });
}

describe('hostile text from users is shown as text, never run', () => {
  let browser: Browser;
  let victim: ApiUser;
  let victimContext: UserContext;
  let ui: ParleyUi;
  let groupId: string;
  let directId: string;
  const seen: Record<string, string[]> = {};

  beforeAll(async () => {
    victim = await registerUser(baseUrl, 'victim', 'Victim');
    const attackers: ApiUser[] = [];
    for (const name of HOSTILE_DISPLAY_NAMES) attackers.push(await registerUser(baseUrl, 'attacker', name));
    for (const [index, attacker] of attackers.entries()) {
      const hostile = HOSTILE_BODIES[index % HOSTILE_BODIES.length]!;
      await api(baseUrl, 'PATCH', '/api/v1/users/me', { token: attacker.accessToken, body: { bio: hostile.slice(0, 500) } });
      await api(baseUrl, 'PUT', '/api/v1/users/me/status', { token: attacker.accessToken, body: { status: 'online', text: hostile.slice(0, 100) } });
    }
    const [first, ...others] = attackers;
    const group = await createGroup(baseUrl, first!, HOSTILE_GROUP_NAMES[0]!, [victim, ...others]);
    groupId = group.id;
    await createGroup(baseUrl, first!, HOSTILE_GROUP_NAMES[1]!, [victim]);
    // Every body, from senders in turn; each mentions the victim so notifications carry them too.
    for (const [index, body] of HOSTILE_BODIES.entries()) {
      const sender = attackers[index % attackers.length]!;
      const mention = index % 4 === 0 ? ` @${victim.username}` : '';
      await sendMessage(baseUrl, sender, groupId, `${body}${mention}`.slice(0, 10_000));
    }
    const png = new Uint8Array(await pngImage(40, 30));
    for (const name of HOSTILE_FILE_NAMES) {
      const file = await uploadFile(baseUrl, first!, name, 'image/png', png);
      await sendMessage(baseUrl, first!, groupId, `file ${name}`, { attachmentIds: [file.id] });
    }
    const direct = await api<{ id: string }>(baseUrl, 'POST', '/api/v1/conversations/direct', { token: first!.accessToken, body: { userId: victim.id } });
    directId = direct.id;
    await sendMessage(baseUrl, first!, directId, HOSTILE_BODIES[0]!);
    // The last message of the group is plain, so the chat list preview shows a hostile one too.
    await sendMessage(baseUrl, others[0]!, groupId, HOSTILE_BODIES[6]!);

    browser = await launchBrowser();
    victimContext = await newUserContext(browser, baseUrl, 'en');
    ui = new ParleyUi(victimContext.page, 'en');
    await ui.signIn(victim);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const check = async (where: string) => {
    seen[where] = await dangerousMarkup(ui.page);
  };

  it('the chat list shows the hostile group names and previews as text', async () => {
    await ui.page.getByTestId('chat-list-item').nth(2).waitFor();
    await ui.page.getByText(HOSTILE_GROUP_NAMES[0]!, { exact: false }).first().waitFor();
    await check('chat list');
  });

  it('the whole group conversation renders every hostile body as text', async () => {
    await ui.page.goto(`/c/${groupId}`);
    // Scroll to the very beginning so every message has been rendered once.
    const log = ui.page.getByRole('log', { name: ui.t('conversation.history') });
    await log.waitFor();
    await ui.messages().first().waitFor();
    const start = ui.page.getByText(ui.t('conversation.start'));
    for (let step = 0; step < 200 && !(await start.isVisible()); step++) {
      await log.hover();
      await ui.page.mouse.wheel(0, -2000);
      await check(`group conversation, scroll step ${step}`);
    }
    await start.waitFor();
    await check('group conversation, top');
    // Shown, and shown as text: the markup is visible characters, not elements.
    await ui.page.getByText('<script>alert("body-script")</script>').first().waitFor();
    await ui.page.getByText('markdown javascript link').first().waitFor();
    expect(await ui.page.locator('[data-testid="message-body"] img[src^="x"], [data-testid="message-body"] svg circle').count()).toBe(0);
  });

  it('direct chat, group settings, search results and notifications show the hostile text inertly', async () => {
    await ui.page.goto(`/c/${directId}`);
    await ui.messages().first().waitFor();
    await check('direct chat');

    await ui.page.goto(`/c/${groupId}/settings`);
    await ui.page.getByTestId('group-member').nth(HOSTILE_DISPLAY_NAMES.length).waitFor();
    await check('group settings');

    for (const query of ['alert', 'javascript', 'script']) {
      await ui.page.goto(`/search?q=${encodeURIComponent(query)}`);
      await ui.page.getByTestId('search-result').first().waitFor();
      await check(`search "${query}"`);
    }

    await ui.page.goto('/notifications');
    await ui.page.getByTestId('notification').first().waitFor();
    await check('notifications');
  });

  it('counted no CSP violation, dialog or page error, and found no dangerous markup anywhere', () => {
    expect(Object.keys(seen).length).toBeGreaterThan(5);
    expect(Object.entries(seen).filter(([, found]) => found.length > 0)).toEqual([]);
    expect(guardProblems(victimContext.guard)).toEqual([]);
    expect(victimContext.guard.cspViolations).toHaveLength(0);
  });
});
