/**
 * Two people, each in their own browser context (Alice in English, Bob in Russian), use Parley
 * the way a team would: sign up, start a group, chat live both ways with typing and unread
 * badges, react, edit, delete, reply, share an image, search and jump, lose the network and get
 * it back, switch the language. The steps run in order and build on each other. Every wait is
 * on a condition (a locator, expect.poll), never a fixed sleep.
 */
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, type ApiMessage } from './support/api.ts';
import { ParleyUi } from './support/app.ts';
import { guardProblems, launchBrowser, newUserContext, screenshotOnFailure, type UserContext } from './support/browser.ts';
import { pngImage } from './support/images.ts';

const baseUrl = inject('baseUrl');
const run = randomUUID().slice(0, 6);
const aliceUser = { username: `alice_${run}`, password: `alice-pw-${run}`, displayName: `Alice ${run}` };
const bobUser = { username: `bob_${run}`, password: `bob-pw-${run}`, displayName: `Боб ${run}` };
const groupName = `Launch ${run}`;

describe('two people chatting in Parley', () => {
  let browser: Browser;
  let aliceContext: UserContext;
  let bobContext: UserContext;
  let alice: ParleyUi;
  let bob: ParleyUi;
  let groupId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    aliceContext = await newUserContext(browser, baseUrl, 'en');
    bobContext = await newUserContext(browser, baseUrl, 'ru');
    alice = new ParleyUi(aliceContext.page, 'en');
    bob = new ParleyUi(bobContext.page, 'ru');
  });
  afterEach(async (context) => {
    await screenshotOnFailure(context, { alice: aliceContext.page, bob: bobContext.page });
  });
  afterAll(async () => {
    // Nothing either page did may have broken the CSP, opened a dialog or thrown.
    const problems = [...guardProblems(aliceContext.guard), ...guardProblems(bobContext.guard)];
    await browser?.close();
    expect(problems).toEqual([]);
  });

  /** A fresh access token of a user, for the few checks made through the API. */
  const tokenOf = async (user: typeof aliceUser) =>
    (await api<{ accessToken: string }>(baseUrl, 'POST', '/api/v1/auth/login', { body: { login: user.username, password: user.password } })).accessToken;

  it('each signs up in their own browser and lands on an empty chat list in their language', async () => {
    await alice.signUp(aliceUser);
    await bob.signUp(bobUser);
    await alice.page.getByText(alice.t('chats.empty')).waitFor();
    await bob.page.getByText(bob.t('chats.empty')).waitFor();
    expect(await bob.page.locator('html').getAttribute('lang')).toBe('ru');
  });

  it("Alice starts a group with Bob, and it appears in Bob's list live", async () => {
    await alice.page.getByRole('button', { name: alice.t('chats.newGroup') }).click();
    const dialog = alice.page.getByRole('dialog');
    await dialog.getByLabel(alice.t('group.name')).fill(groupName);
    await dialog.getByRole('searchbox', { name: alice.t('people.search') }).fill(bobUser.username);
    await dialog.getByRole('button', { name: `${alice.t('group.add')}: ${bobUser.displayName}` }).click();
    await dialog.getByText(alice.t('group.selected', { count: 1 })).waitFor();
    await dialog.getByRole('button', { name: alice.t('group.create') }).click();
    await alice.page.getByRole('heading', { name: groupName, level: 1 }).waitFor();
    groupId = /\/c\/([0-9a-f-]{36})/.exec(alice.page.url())?.[1] ?? '';
    expect(groupId).not.toBe('');
    await bob.chatItem(groupName).waitFor();
  });

  it('they chat live both ways, with the typing indicator and unread badges', async () => {
    // Bob stays on his chat list: Alice's messages raise his unread badge.
    await alice.send(`Hello Bob, welcome to ${groupName}!`);
    await alice.message(`Hello Bob, welcome to ${groupName}!`).waitFor();
    await alice.send('Second message, still unread for Bob');
    const badge = bob.chatItem(groupName).getByTestId('unread-badge');
    await badge.waitFor();
    await expect.poll(() => badge.textContent()).toBe('2');

    await bob.openChat(groupName);
    await bob.message('Second message, still unread for Bob').waitFor();
    await badge.waitFor({ state: 'detached' });

    // Typing shows on the other side while someone writes, and goes once they stop.
    await bob.composer().pressSequentially('Привет, Алиса', { delay: 20 });
    const typing = alice.page.getByTestId('typing-indicator');
    await typing.getByText(bobUser.displayName, { exact: false }).waitFor();
    await bob.composer().press('Enter');
    await alice.message('Привет, Алиса').waitFor();
    await bob.message('Привет, Алиса').waitFor();
    await expect.poll(() => alice.message('Привет, Алиса').count()).toBe(1);
  });

  it('reactions, edits, replies and deletions reach the other browser', async () => {
    // Alice reacts to Bob's message.
    const bobsMessage = alice.message('Привет, Алиса');
    await alice.messageAction(bobsMessage, 'conversation.react');
    await bobsMessage
      .getByRole('group', { name: alice.t('conversation.react') })
      .getByRole('button', { name: '👍' })
      .click();
    await bob.message('Привет, Алиса').getByTestId('reaction').filter({ hasText: '👍 1' }).waitFor();

    // Alice edits her first message: Bob sees the new text, marked edited.
    const first = alice.message(`Hello Bob, welcome to ${groupName}!`);
    await alice.messageAction(first, 'conversation.edit');
    const editor = alice.page.getByLabel(alice.t('conversation.editing'));
    await editor.fill(`Hello Bob, welcome to ${groupName} (edited)`);
    await editor.press('Enter');
    const edited = bob.message(`welcome to ${groupName} (edited)`);
    await edited.getByText(`(${bob.t('conversation.edited')})`).waitFor();

    // Bob replies to it: both see the quote.
    await bob.messageAction(edited, 'conversation.reply');
    await bob.page.getByText(bob.t('conversation.replyingTo')).waitFor();
    await bob.send('Спасибо! Это ответ');
    const reply = alice.message('Спасибо! Это ответ');
    await reply.locator('.reply-quote').filter({ hasText: 'welcome to' }).waitFor();

    // Alice deletes her second message (confirming): a tombstone on both sides.
    const doomed = alice.message('Second message, still unread for Bob');
    await alice.messageAction(doomed, 'conversation.delete');
    await alice.page
      .getByRole('dialog')
      .getByRole('button', { name: alice.t('conversation.delete') })
      .click();
    await bob.page.getByText('Second message, still unread for Bob').waitFor({ state: 'detached' });
    await bob.page.getByText(bob.t('conversation.deleted')).first().waitFor();
    await alice.page.getByText(alice.t('conversation.deleted')).first().waitFor();
  });

  it('Alice shares an image: she sees the upload go, and both see its preview from the thumbnail endpoint', async () => {
    await alice.page.getByLabel(alice.t('conversation.attach')).setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: await pngImage(320, 200) });
    await alice.composer().fill('The view from the office');
    await alice.page.getByRole('button', { name: alice.t('conversation.send'), exact: true }).click();
    for (const ui of [alice, bob]) {
      const preview = ui.message('The view from the office').getByTestId('image-preview');
      await preview.waitFor();
      const image = preview.locator('img');
      await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    }
    await bob.message('The view from the office').getByTestId('image-preview').click();
    await bob.page.getByTestId('lightbox').waitFor();
    await bob.page.keyboard.press('Escape');
    await bob.page.getByTestId('lightbox').waitFor({ state: 'detached' });
  });

  it('search finds an old message and jumps to it in its conversation', async () => {
    // Push the needle out of the first page of history: 120 newer messages through the API.
    const token = await tokenOf(aliceUser);
    const needle = `kumquat${run}`;
    await api(baseUrl, 'POST', `/api/v1/conversations/${groupId}/messages`, {
      token,
      body: { body: `Where is the ${needle} report?`, clientMessageId: randomUUID() },
    });
    await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        for (let i = lane; i < 120; i += 4) {
          await api(baseUrl, 'POST', `/api/v1/conversations/${groupId}/messages`, { token, body: { body: `filler ${i}`, clientMessageId: randomUUID() } });
        }
      }),
    );

    await bob.page.getByRole('link', { name: bob.t('nav.search'), exact: true }).click();
    await bob.page.getByRole('searchbox').fill(needle);
    await bob.page.getByRole('searchbox').press('Enter');
    const hit = bob.page.getByTestId('search-result').first();
    await hit.locator('mark').filter({ hasText: needle }).waitFor();
    await hit.getByRole('link').first().click();
    const target = bob.message(`Where is the ${needle} report?`);
    await target.waitFor();
    await expect.poll(() => target.evaluate((row) => row.classList.contains('highlighted'))).toBe(true);
    await expect.poll(() => target.isVisible()).toBe(true);
  });

  it('a search hit in a direct chat names the other person once', async () => {
    const needle = `quince${run}`;
    const [aliceToken, bobToken] = await Promise.all([tokenOf(aliceUser), tokenOf(bobUser)]);
    const bobId = (await api<{ id: string }>(baseUrl, 'GET', '/api/v1/users/me', { token: bobToken })).id;
    const direct = await api<{ id: string }>(baseUrl, 'POST', '/api/v1/conversations/direct', { token: aliceToken, body: { userId: bobId } });
    for (const [token, body] of [
      [aliceToken, `From Alice: ${needle}`],
      [bobToken, `From Bob: ${needle}`],
    ] as const) {
      await api(baseUrl, 'POST', `/api/v1/conversations/${direct.id}/messages`, { token, body: { body, clientMessageId: randomUUID() } });
    }

    await bob.page.goto(`/search?q=${needle}`);
    const hits = bob.page.getByTestId('search-result');
    await expect.poll(() => hits.count()).toBe(2);
    const fromBob = hits.filter({ hasText: 'From Bob' });
    const fromAlice = hits.filter({ hasText: 'From Alice' });
    // Bob's own: where it went. Alice's: who wrote it, without her name a second time as the chat's.
    expect(await fromBob.locator('.muted').innerText()).toContain(bob.t('search.youInDirect', { name: aliceUser.displayName }));
    const aliceLine = await fromAlice.locator('.muted').innerText();
    expect(aliceLine).toContain(`${aliceUser.displayName} ${bob.t('search.inDirect')}`);
    expect(aliceLine.split(aliceUser.displayName).length - 1).toBe(1);
  });

  it('a message written offline is kept, shown as waiting, and delivered exactly once when the network is back', async () => {
    await bob.page.goto(`/c/${groupId}`);
    await alice.page.goto(`/c/${groupId}`);
    await alice.composer().waitFor();
    const body = `Written on the train ${run}`;

    await aliceContext.context.setOffline(true);
    await alice.page.getByTestId('connection-banner').and(alice.page.locator('[data-status="offline"]')).waitFor();
    await alice.send(body);
    const pending = alice.message(body);
    await pending.getByText(alice.t('conversation.queued')).waitFor();

    await aliceContext.context.setOffline(false);
    await bob.message(body).waitFor();
    await alice.message(body).and(alice.page.locator('[data-state="sent"]')).waitFor();
    await alice.page.getByTestId('connection-banner').and(alice.page.locator('[data-status="online"]')).waitFor({ state: 'attached' });

    // Exactly once: on both screens, after a reload, and in the server's history.
    await alice.page.reload();
    await alice.message(body).waitFor();
    await expect.poll(() => alice.message(body).count()).toBe(1);
    await expect.poll(() => bob.message(body).count()).toBe(1);
    const history = await api<{ items: ApiMessage[] }>(baseUrl, 'GET', `/api/v1/conversations/${groupId}/messages?limit=20`, { token: await tokenOf(bobUser) });
    expect(history.items.filter((message) => message.body === body)).toHaveLength(1);
  });

  it('Alice switches to Russian, and the choice is remembered across a reload', async () => {
    await alice.page.getByRole('link', { name: alice.t('nav.settings'), exact: true }).click();
    await alice.page.getByLabel(alice.t('settings.language')).first().selectOption('ru');
    const russian = new ParleyUi(alice.page, 'ru');
    await alice.page.getByRole('link', { name: russian.t('nav.chats'), exact: true }).waitFor();
    expect(await alice.page.locator('html').getAttribute('lang')).toBe('ru');
    await alice.page.reload();
    await alice.page.getByRole('link', { name: russian.t('nav.chats'), exact: true }).waitFor();
    // And back, so the other files find the English they expect.
    await alice.page.getByLabel(russian.t('settings.language')).first().selectOption('en');
    await alice.page.getByRole('link', { name: alice.t('nav.chats'), exact: true }).waitFor();
  });
});
