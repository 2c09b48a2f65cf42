import { Button, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { languageSwitchLabels, supportedLanguages } from '../i18n/app-language';
import { useLanguage } from '../i18n/language-provider';

/**
 * Plain toggle buttons rather than antd Segmented: Segmented hides its radio inputs at zero size, so
 * neither assistive tech nor Playwright's getByRole(...).click() can operate them directly.
 */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const { language, chooseLanguage } = useLanguage();
  return (
    <Space.Compact role="group" aria-label={t('header.languageSwitch')} data-testid="language-switch">
      {supportedLanguages.map((option) => (
        <Button
          key={option}
          lang={option}
          type={option === language ? 'primary' : 'default'}
          aria-pressed={option === language}
          onClick={() => chooseLanguage(option)}
        >
          {languageSwitchLabels[option]}
        </Button>
      ))}
    </Space.Compact>
  );
}
