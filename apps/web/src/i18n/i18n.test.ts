import { describe, expect, it } from 'vitest';
import { en } from './en';
import { detectLanguage, i18next } from './i18n';
import { ru } from './ru';

const PLURAL = /_(zero|one|two|few|many|other)$/;

function leaves(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null ? leaves(value as object, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

describe('translations', () => {
  it('Russian has every English string (plural forms counted once) and nothing extra', () => {
    const base = (keys: string[]) => [...new Set(keys.map((key) => key.replace(PLURAL, '')))].sort();
    expect(base(leaves(ru))).toEqual(base(leaves(en)));
  });

  it('every Russian plural has the one, few, many and other forms', () => {
    const keys = leaves(ru);
    for (const plural of new Set(keys.filter((key) => PLURAL.test(key)).map((key) => key.replace(PLURAL, '')))) {
      for (const form of ['one', 'few', 'many', 'other']) expect(keys, plural).toContain(`${plural}_${form}`);
    }
  });

  it('picks Russian plural forms by count', () => {
    const t = i18next.getFixedT('ru');
    expect(t('chats.unread', { count: 1 })).toBe('1 непрочитанное сообщение');
    expect(t('chats.unread', { count: 3 })).toBe('3 непрочитанных сообщения');
    expect(t('chats.unread', { count: 5 })).toBe('5 непрочитанных сообщений');
    expect(t('chats.unread', { count: 21 })).toBe('21 непрочитанное сообщение');
    expect(t('chats.unread', { count: 1.5 })).toBe('1.5 непрочитанного сообщения');
    expect(i18next.getFixedT('en')('chats.unread', { count: 1 })).toBe('1 unread message');
    expect(i18next.getFixedT('en')('chats.unread', { count: 2 })).toBe('2 unread messages');
  });

  it("takes the remembered choice first, then the browser's languages, then English", () => {
    expect(detectLanguage('ru', ['en-US'])).toBe('ru');
    expect(detectLanguage(null, ['de-DE', 'ru-RU', 'en'])).toBe('ru');
    expect(detectLanguage(null, ['de-DE'])).toBe('en');
  });
});
