/**
 * Every main screen, in English and in Russian, at desktop and at phone width: axe-core finds
 * no serious or critical violation on any of them, and each is saved under docs/screenshots/
 * (<language>-<screen>[-phone].png, shown in the README).
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, createGroup, registerUser, sendMessage, uploadFile, type ApiUser } from './support/api.ts';
import { ParleyUi, screenshot } from './support/app.ts';
import { DESKTOP, guardProblems, launchBrowser, newUserContext, PHONE, seriousAxeViolations, type AxeViolation, type Language } from './support/browser.ts';
import { pngImage } from './support/images.ts';

const baseUrl = inject('baseUrl');

interface Screen {
  name: string;
  path: (ids: { groupId: string }) => string;
  /** What shows once the screen has its data. */
  ready: (ui: ParleyUi) => Locator;
  signedIn: boolean;
  /** Texts the screen must not show (raw Markdown, where it shows message text as plain text). */
  never?: RegExp;
}

/** Markdown markup of the seeded messages (**roadmap**, *roadmap*, `roadmap`) must never show as such. */
const RAW_MARKDOWN = /\*\*|\*roadmap\*|`/;

const SCREENS: Screen[] = [
  { name: 'sign-in', path: () => '/signin', ready: (ui) => ui.page.getByRole('button', { name: ui.t('auth.signIn'), exact: true }), signedIn: false },
  { name: 'chat-list', path: () => '/', ready: (ui) => ui.page.getByTestId('chat-list-item').first(), signedIn: true },
  { name: 'conversation', path: ({ groupId }) => `/c/${groupId}`, ready: (ui) => ui.page.getByTestId('image-preview').locator('img'), signedIn: true },
  { name: 'group-settings', path: ({ groupId }) => `/c/${groupId}/settings`, ready: (ui) => ui.page.getByTestId('group-member').nth(2), signedIn: true },
  { name: 'profile', path: () => '/settings', ready: (ui) => ui.page.getByTestId('session').first(), signedIn: true },
  { name: 'search', path: () => '/search?q=roadmap', ready: (ui) => ui.page.getByTestId('search-result').nth(2), signedIn: true, never: RAW_MARKDOWN },
  { name: 'notifications', path: () => '/notifications', ready: (ui) => ui.page.getByTestId('notification').nth(1), signedIn: true, never: RAW_MARKDOWN },
];

describe('the main screens, in both languages, at desktop and phone width', () => {
  let browser: Browser;
  let viewer: ApiUser;
  let groupId: string;
  const found: { where: string; violations: AxeViolation[] }[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    // A team with a little history, made through the API: what a screenshot should show.
    viewer = await registerUser(baseUrl, 'maria', 'Maria Petrova');
    const boris = await registerUser(baseUrl, 'boris', 'Борис Смирнов');
    const chen = await registerUser(baseUrl, 'chen', 'Chen Wei');
    const group = await createGroup(baseUrl, viewer, 'Design team · Дизайн', [boris, chen]);
    groupId = group.id;
    const image = await uploadFile(baseUrl, chen, 'mockup.png', 'image/png', new Uint8Array(await pngImage(480, 300)));
    await sendMessage(baseUrl, viewer, groupId, 'Morning! The **roadmap** draft is in the shared folder.');
    await sendMessage(baseUrl, boris, groupId, 'Доброе утро! Посмотрю *roadmap* после обеда.');
    await sendMessage(baseUrl, chen, groupId, 'New mockup for the settings page:', { attachmentIds: [image.id] });
    const question = await sendMessage(baseUrl, boris, groupId, `@${viewer.username} можно добавить тёмную тему в план?`);
    await api(baseUrl, 'PUT', `/api/v1/messages/${question.id}/reactions/${encodeURIComponent('👍')}`, { token: chen.accessToken });
    const direct = await api<{ id: string }>(baseUrl, 'POST', '/api/v1/conversations/direct', { token: chen.accessToken, body: { userId: viewer.id } });
    await sendMessage(baseUrl, chen, direct.id, 'Do you have a minute for the `roadmap` review?');
    await api(baseUrl, 'PUT', `/api/v1/contacts/${boris.id}`, { token: viewer.accessToken });
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const language of ['en', 'ru'] as const satisfies Language[]) {
    it(`${language}: every screen passes axe and is saved`, async () => {
      const user = await newUserContext(browser, baseUrl, language);
      const ui = new ParleyUi(user.page, language);
      for (const screen of SCREENS.filter((s) => !s.signedIn)) await visit(ui, screen, language);
      await ui.signIn({ username: viewer.username, password: viewer.password });
      for (const screen of SCREENS.filter((s) => s.signedIn)) await visit(ui, screen, language);
      problems.push(...guardProblems(user.guard));
      await user.context.close();
    });
  }

  async function visit(ui: ParleyUi, screen: Screen, language: Language): Promise<void> {
    for (const [viewport, phone] of [
      [DESKTOP, false],
      [PHONE, true],
    ] as const) {
      await ui.page.setViewportSize(viewport);
      await ui.page.goto(screen.path({ groupId }));
      await screen.ready(ui).waitFor();
      await settle(ui.page);
      if (screen.never) expect(await ui.page.getByRole('main').textContent()).not.toMatch(screen.never);
      found.push({ where: `${language} ${screen.name}${phone ? ' (phone)' : ''}`, violations: await seriousAxeViolations(ui.page) });
      await screenshot(ui.page, language, screen.name, phone);
    }
  }

  it('found no serious or critical accessibility violation and no CSP violation, dialog or page error', () => {
    const failing = found.filter((entry) => entry.violations.length > 0);
    for (const entry of failing) {
      console.log(`axe, ${entry.where}:\n${entry.violations.map((v) => `  ${v.impact} ${v.id}: ${v.help} ${v.nodes.join(' ')}`).join('\n')}`);
    }
    expect(found.length).toBe(SCREENS.length * 2 * 2);
    expect(failing).toEqual([]);
    expect(problems).toEqual([]);
  });
});

/** Fonts loaded and images decoded, so the screenshot shows the finished screen. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await Promise.all([...document.images].filter((img) => !img.complete).map((img) => img.decode().catch(() => undefined)));
  });
}
