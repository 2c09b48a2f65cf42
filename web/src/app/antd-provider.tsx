import { App, ConfigProvider } from 'antd';
import enUSLocale from 'antd/locale/en_US';
import zhCNLocale from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { type ReactNode, useMemo } from 'react';
import type { AppLanguage } from '../i18n/app-language';
import { useLanguage } from '../i18n/language-provider';

const antdLocales = { 'zh-CN': zhCNLocale, 'en-US': enUSLocale } satisfies Record<AppLanguage, unknown>;
const dayjsLocales = { 'zh-CN': 'zh-cn', 'en-US': 'en' } satisfies Record<AppLanguage, string>;

type AntdProviderProps = {
  /** The page's CSP nonce; antd must put it on its runtime <style> tags or the browser drops them. */
  cspNonce: string | undefined;
  children: ReactNode;
};

export function AntdProvider({ cspNonce, children }: AntdProviderProps) {
  const { language } = useLanguage();
  const csp = useMemo(() => (cspNonce ? { nonce: cspNonce } : undefined), [cspNonce]);
  // The date picker's month and weekday names follow the interface language.
  dayjs.locale(dayjsLocales[language]);
  return (
    <ConfigProvider locale={antdLocales[language]} csp={csp}>
      <App component={false}>{children}</App>
    </ConfigProvider>
  );
}
