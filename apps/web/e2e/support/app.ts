import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { en } from '../../src/i18n/en.ts';
import { ru } from '../../src/i18n/ru.ts';
import type { Language } from './browser.ts';
import { repoRoot } from './platform.ts';

/**
 * The app as a user sees it, found by role and accessible name in the user's language (the
 * names come from the app's own dictionaries, so a reworded string does not break the suite)
 * or by the data-testid hooks apps/web/TESTING.md documents.
 */

const dictionaries: Record<Language, unknown> = { en, ru };
const pluralRules: Record<Language, Intl.PluralRules> = { en: new Intl.PluralRules('en'), ru: new Intl.PluralRules('ru') };

/** The app's string for key in language, with {{values}} filled and the plural form for `count`. */
export function text(language: Language, key: string, values: Record<string, string | number> = {}): string {
  const lookup = (path: string): unknown =>
    path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], dictionaries[language]);
  let template = lookup(key);
  if (template === undefined && typeof values.count === 'number')
    template = lookup(`${key}_${pluralRules[language].select(values.count)}`) ?? lookup(`${key}_other`);
  if (typeof template !== 'string') throw new Error(`no string ${key} in ${language}`);
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

export interface Credentials {
  username: string;
  password: string;
  displayName: string;
}

export class ParleyUi {
  constructor(
    readonly page: Page,
    readonly language: Language,
  ) {}

  t = (key: string, values?: Record<string, string | number>) => text(this.language, key, values);

  async signUp(user: Credentials): Promise<void> {
    await this.page.goto('/signup');
    await this.page.getByLabel(this.t('auth.username'), { exact: false }).first().fill(user.username);
    await this.page.getByLabel(this.t('auth.email')).fill(`${user.username}@example.test`);
    await this.page.getByLabel(this.t('auth.displayName')).fill(user.displayName);
    await this.page.getByLabel(this.t('auth.password'), { exact: false }).first().fill(user.password);
    await this.page.getByRole('button', { name: this.t('auth.signUp') }).click();
    await this.chatsHeading().waitFor();
  }

  async signIn(user: Pick<Credentials, 'username' | 'password'>): Promise<void> {
    await this.page.goto('/signin');
    await this.page.getByLabel(this.t('auth.login')).fill(user.username);
    await this.page.getByLabel(this.t('auth.password')).fill(user.password);
    await this.page.getByRole('button', { name: this.t('auth.signIn'), exact: true }).click();
    await this.chatsHeading().waitFor();
  }

  chatsHeading = (): Locator => this.page.getByRole('heading', { name: this.t('chats.title'), exact: true });
  chatItem = (title: string): Locator => this.page.getByTestId('chat-list-item').filter({ hasText: title });
  composer = (): Locator => this.page.getByRole('combobox', { name: this.t('conversation.composer') });
  messages = (): Locator => this.page.getByTestId('message');
  message = (body: string | RegExp): Locator => this.messages().filter({ has: this.page.getByTestId('message-body').filter({ hasText: body }) });
  messageActions = (message: Locator): Locator => message.getByRole('toolbar', { name: this.t('conversation.actions') });

  async openChat(title: string): Promise<void> {
    await this.chatItem(title).getByRole('link').first().click();
    await this.page.getByRole('heading', { name: title, level: 1 }).waitFor();
  }

  async send(body: string): Promise<void> {
    await this.composer().fill(body);
    await this.composer().press('Enter');
  }

  /** Reveals a message's action toolbar (shown on hover and focus) and clicks one of its buttons. */
  async messageAction(message: Locator, labelKey: string): Promise<void> {
    await message.hover();
    await this.messageActions(message)
      .getByRole('button', { name: this.t(labelKey) })
      .click();
  }
}

/** docs/screenshots/<language>-<screen>[-phone].png */
export async function screenshot(page: Page, language: Language, screen: string, phone: boolean): Promise<void> {
  const dir = join(repoRoot, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${language}-${screen}${phone ? '-phone' : ''}.png`), animations: 'disabled', caret: 'hide' });
}
