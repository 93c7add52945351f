import { useTranslation } from 'react-i18next';
import { languages, setLanguage, type Language } from '../i18n/i18n';

/** The language switch; the choice is remembered (localStorage) over the browser's language. */
export function LanguagePicker() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language-picker">
      {t('settings.language')}
      <select value={i18n.language} onChange={(event) => void setLanguage(event.target.value as Language)}>
        {languages.map((language) => (
          <option key={language} value={language} lang={language}>
            {t(`languageName.${language}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
