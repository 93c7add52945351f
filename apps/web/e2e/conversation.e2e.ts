/**
 * What the chat scenario (chat.e2e.ts) leaves out, each in a real browser against the platform:
 * images dropped on the conversation and pasted into the composer, @mention completion by
 * keyboard, "seen by" surviving a reload, the list following its bottom through a burst of
 * messages (and staying put when scrolled up), the reaction picker at phone width, and a chat
 * list longer than one page of the API.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { inParallel } from '../../../bench/lib/parallel.ts';
import { api, createGroup, registerUser, sendMessage, uploadFile, type ApiMessage, type ApiUser } from './support/api.ts';
import { ParleyUi } from './support/app.ts';
import { guardProblems, launchBrowser, newUserContext, PHONE, screenshotOnFailure, type UserContext } from './support/browser.ts';
import { pngImage } from './support/images.ts';

const baseUrl = inject('baseUrl');
const run = randomUUID().slice(0, 6);

/** A DataTransfer in the page holding one PNG file, for synthetic drop and paste events. */
async function fileTransfer(page: Page, name: string, png: Buffer) {
  return page.evaluateHandle(
    ({ name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: 'image/png' }));
      return transfer;
    },
    { name, base64: png.toString('base64') },
  );
}

/** The message list's scroller: its scroll position and size. */
const scrollerOf = (page: Page): Locator => page.getByRole('log').locator('[data-virtuoso-scroller]');
const distanceFromBottom = (page: Page) => scrollerOf(page).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

describe('the conversation, beyond the chat scenario', () => {
  let browser: Browser;
  let user: UserContext;
  let ui: ParleyUi;
  let viewer: ApiUser;
  let alfred: ApiUser;
  let alina: ApiUser;
  let groupId: string;
  const groupName = `Extras ${run}`;

  beforeAll(async () => {
    browser = await launchBrowser();
    viewer = await registerUser(baseUrl, 'viewer', `Viewer ${run}`);
    alfred = await registerUser(baseUrl, 'alfred', `Alfred ${run}`);
    alina = await registerUser(baseUrl, 'alina', `Alina ${run}`);
    groupId = (await createGroup(baseUrl, viewer, groupName, [alfred, alina])).id;
    await sendMessage(baseUrl, alfred, groupId, 'Hello from Alfred');
    user = await newUserContext(browser, baseUrl, 'en');
    ui = new ParleyUi(user.page, 'en');
    await ui.signIn(viewer);
    await ui.openChat(groupName);
  });
  afterEach(async (context) => {
    await screenshotOnFailure(context, { viewer: user.page });
  });
  afterAll(async () => {
    const problems = guardProblems(user.guard);
    await browser?.close();
    expect(problems).toEqual([]);
  });

  /** Both the viewer and Alfred (through the API) see the message's image from the thumbnail endpoint. */
  async function expectImageMessage(body: string): Promise<void> {
    const preview = ui.message(body).getByTestId('image-preview').locator('img');
    await preview.waitFor();
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const history = await api<{ items: Array<ApiMessage & { attachments: { name: string; contentType: string }[] }> }>(
      baseUrl,
      'GET',
      `/api/v1/conversations/${groupId}/messages?limit=5`,
      {
        token: alfred.accessToken,
      },
    );
    expect(history.items.find((message) => message.body === body)?.attachments).toMatchObject([{ contentType: 'image/png' }]);
  }

  it('an image dragged from the desktop and dropped on the conversation is uploaded and sent', async () => {
    const page = user.page;
    const transfer = await fileTransfer(page, 'dropped.png', await pngImage(200, 120));
    const log = page.getByRole('log');
    await log.dispatchEvent('dragenter', { dataTransfer: transfer });
    await log.dispatchEvent('dragover', { dataTransfer: transfer });
    await page.getByText(ui.t('conversation.dropHere')).waitFor();
    await log.dispatchEvent('drop', { dataTransfer: transfer });
    await page.getByText(ui.t('conversation.dropHere')).waitFor({ state: 'detached' });
    await page.locator('.composer-files').getByText('dropped.png').waitFor();
    await page.getByTestId('upload-progress').waitFor({ state: 'detached' });
    await ui.send('Dropped in');
    await expectImageMessage('Dropped in');
  });

  it('an image pasted into the composer is uploaded and sent', async () => {
    const page = user.page;
    const transfer = await fileTransfer(page, 'pasted.png', await pngImage(160, 160));
    await ui.composer().focus();
    await ui.composer().evaluate((composer, clipboardData) => {
      composer.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
    }, transfer);
    await page.locator('.composer-files').getByText('pasted.png').waitFor();
    await page.getByTestId('upload-progress').waitFor({ state: 'detached' });
    await ui.send('Pasted in');
    await expectImageMessage('Pasted in');
  });

  it('@al offers Alfred and Alina; the keyboard picks one, and the sent message mentions them', async () => {
    const page = user.page;
    await ui.composer().pressSequentially('Thanks @al', { delay: 15 });
    const suggestions = page.getByRole('listbox', { name: ui.t('conversation.mentionSuggestions') });
    await suggestions.getByRole('option').nth(1).waitFor();
    expect(await suggestions.getByRole('option').count()).toBe(2);
    // Arrow down until Alina is the active option (the order is the members'), then Enter.
    for (let i = 0; i < 2 && !(await suggestions.getByRole('option', { selected: true }).textContent())?.includes(alina.displayName); i++) {
      await ui.composer().press('ArrowDown');
    }
    await expect.poll(() => suggestions.getByRole('option', { selected: true }).textContent()).toContain(alina.displayName);
    await ui.composer().press('Enter');
    await expect.poll(() => ui.composer().inputValue()).toBe(`Thanks @${alina.username} `);
    await suggestions.waitFor({ state: 'hidden' });
    await ui.composer().pressSequentially('for the review', { delay: 10 });
    await ui.composer().press('Enter');

    const sent = ui.message(`Thanks @${alina.username} for the review`);
    await sent
      .locator('.mention')
      .filter({ hasText: `@${alina.username}` })
      .waitFor();
    // The platform took it as a mention: Alina has the notification, Alfred has none.
    await expect
      .poll(async () =>
        (await api<{ items: { kind: string; actorId?: string }[] }>(baseUrl, 'GET', '/api/v1/notifications', { token: alina.accessToken })).items.filter(
          (n) => n.kind === 'mention',
        ),
      )
      .toMatchObject([{ kind: 'mention', actorId: viewer.id }]);
    const alfreds = await api<{ items: { kind: string }[] }>(baseUrl, 'GET', '/api/v1/notifications', { token: alfred.accessToken });
    expect(alfreds.items.filter((n) => n.kind === 'mention')).toEqual([]);
  });

  it('"seen by" shows who read which message, live and after a reload', async () => {
    const page = user.page;
    await ui.send('Please read this');
    await ui.send('And this one too');
    await ui.message('And this one too').and(page.locator('[data-state="sent"]')).waitFor();
    const history = await api<{ items: ApiMessage[] }>(baseUrl, 'GET', `/api/v1/conversations/${groupId}/messages?limit=2`, { token: alfred.accessToken });
    const first = history.items.find((message) => message.body === 'Please read this')!;
    const second = history.items.find((message) => message.body === 'And this one too')!;
    await api(baseUrl, 'POST', `/api/v1/conversations/${groupId}/read`, { token: alfred.accessToken, body: { seq: first.seq } });
    await api(baseUrl, 'POST', `/api/v1/conversations/${groupId}/read`, { token: alina.accessToken, body: { seq: second.seq } });

    const seenUnder = (body: string) => ui.message(body).getByTestId('seen-by');
    for (const pass of ['live', 'after a reload']) {
      if (pass === 'after a reload') await page.reload();
      await expect.poll(() => seenUnder('Please read this').textContent(), { message: pass }).toBe(ui.t('conversation.seenBy', { names: alfred.displayName }));
      await expect.poll(() => seenUnder('And this one too').textContent(), { message: pass }).toBe(ui.t('conversation.seenBy', { names: alina.displayName }));
    }
  });

  it('follows the bottom through a burst of messages; scrolled up, it stays put and counts what is new', async () => {
    const page = user.page;
    await page.goto(`/c/${groupId}`);
    await ui.message('And this one too').waitFor();
    // Rows of every height, some growing after they are shown (an image's thumbnail loads later).
    const image = await uploadFile(baseUrl, alfred, 'burst.png', 'image/png', new Uint8Array(await pngImage(300, 200)));
    const burst = (from: number, count: number) =>
      inParallel(
        Array.from({ length: count }, (_, i) => from + i),
        16,
        (i) =>
          sendMessage(
            baseUrl,
            alfred,
            groupId,
            `Burst ${i}${i % 5 === 0 ? ': a longer message that takes two lines or more at this width, to vary the row heights as real chat does' : ''}`,
            {
              ...(i % 10 === 3 ? { attachmentIds: [image.id] } : {}),
            },
          ),
      );

    await burst(1, 150);
    await ui.message(/^Burst 150/).waitFor();
    await expect.poll(() => distanceFromBottom(page)).toBeLessThanOrEqual(40);
    expect(await ui.message(/^Burst 150/).isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('jump-latest').count()).toBe(0);

    // Scrolled up by the user: new messages do not move what they read.
    await page.getByRole('log').hover();
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -500);
    await expect.poll(() => distanceFromBottom(page)).toBeGreaterThan(1000);
    // The row in the middle of what the user sees now: it must not move.
    const anchorId = await scrollerOf(page).evaluate((scroller) => {
      const view = scroller.getBoundingClientRect();
      const rows = [...scroller.querySelectorAll<HTMLElement>('[data-testid="message"][data-message-id]')].filter((row) => {
        const box = row.getBoundingClientRect();
        return box.top >= view.top && box.bottom <= view.bottom;
      });
      return rows[Math.floor(rows.length / 2)]?.dataset.messageId ?? '';
    });
    expect(anchorId).not.toBe('');
    const anchor = page.locator(`[data-message-id="${anchorId}"]`);
    const before = (await anchor.boundingBox())!.y;
    await burst(151, 25);
    await page
      .getByTestId('jump-latest')
      .filter({ hasText: ui.t('conversation.newMessagesCount', { count: 25 }) })
      .waitFor();
    expect(Math.abs((await anchor.boundingBox())!.y - before)).toBeLessThanOrEqual(2);

    await page.getByTestId('jump-latest').click();
    await ui.message(/^Burst 175/).waitFor();
    await expect.poll(() => distanceFromBottom(page)).toBeLessThanOrEqual(40);
    await page.getByTestId('jump-latest').waitFor({ state: 'detached' });
  });

  it('at phone width the reaction picker and the new reaction stay on screen for the last message', async () => {
    const page = user.page;
    await page.setViewportSize(PHONE);
    await page.goto(`/c/${groupId}`);
    const last = ui.message(/^Burst 175/);
    await last.waitFor();
    await last.getByTestId('message-body').click(); // a tap shows the message's actions
    await ui
      .messageActions(last)
      .getByRole('button', { name: ui.t('conversation.react') })
      .click();
    const picker = last.getByRole('group', { name: ui.t('conversation.react') });
    await picker.waitFor();
    const visible = await scrollerOf(page).boundingBox();
    const within = async (locator: Locator) => {
      const box = (await locator.boundingBox())!;
      return box.y >= visible!.y && box.y + box.height <= visible!.y + visible!.height && box.x >= 0 && box.x + box.width <= PHONE.width;
    };
    expect(await within(picker)).toBe(true);
    await picker.getByRole('button', { name: '🎉' }).click();
    const chip = last.getByTestId('reaction').filter({ hasText: '🎉 1' });
    await chip.waitFor();
    await expect.poll(() => within(chip)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

describe('a chat list longer than a page of the API', () => {
  it('scrolling the list reaches the oldest of 230 chats', async () => {
    const browser = await launchBrowser();
    try {
      const owner = await registerUser(baseUrl, 'many', `Many ${run}`);
      const total = 230;
      // Created oldest first: "Chat 000" has the least recent activity, the end of the list.
      for (const batch of [0, 1]) {
        await inParallel(
          Array.from({ length: total / 2 }, (_, i) => batch * (total / 2) + i),
          6,
          (i) => createGroup(baseUrl, owner, `Chat ${String(i).padStart(3, '0')}`, []),
        );
      }
      const user = await newUserContext(browser, baseUrl, 'en');
      const ui = new ParleyUi(user.page, 'en');
      await ui.signIn(owner);
      const list = user.page.getByTestId('chat-list');
      await list.getByTestId('chat-list-item').first().waitFor();
      const seen = new Set<string>();
      await list.hover();
      for (let step = 0; step < 200 && !(await ui.chatItem('Chat 000').isVisible()); step++) {
        for (const id of await list.getByTestId('chat-list-item').evaluateAll((items) => items.map((item) => item.getAttribute('data-conversation-id') ?? '')))
          seen.add(id);
        await user.page.mouse.wheel(0, 500);
        await user.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
      }
      await ui.chatItem('Chat 000').waitFor();
      for (const id of await list.getByTestId('chat-list-item').evaluateAll((items) => items.map((item) => item.getAttribute('data-conversation-id') ?? '')))
        seen.add(id);
      expect(seen.size).toBe(total);
      expect(guardProblems(user.guard)).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
