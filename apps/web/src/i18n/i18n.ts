import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { ru } from './ru';

/*
 * Two languages, English and Russian. The language is the one chosen in the app (remembered in
 * localStorage), else the browser's first that we have, else English. Plurals use i18next's
 * `_one/_few/_many/_other` keys, which follow Intl.PluralRules (Russian needs all four).
 */

export const languages = ['en', 'ru'] as const;
export type Language = (typeof languages)[number];
const STORAGE_KEY = 'parley.language';

export function detectLanguage(
  stored: string | null = localStorage.getItem(STORAGE_KEY),
  preferred: readonly string[] = navigator.languages ?? [navigator.language],
): Language {
  if (stored === 'en' || stored === 'ru') return stored;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'ru' || base === 'en') return base;
  }
  return 'en';
}

export async function setLanguage(language: Language): Promise<void> {
  localStorage.setItem(STORAGE_KEY, language);
  await i18next.changeLanguage(language);
}

i18next.on('languageChanged', (language) => {
  document.documentElement.lang = language;
});

export const i18nReady = i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, ru: { translation: ru } },
  lng: detectLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

export { i18next };
