import { ConfigProvider } from 'antd';
import enUSLocale from 'antd/locale/en_US';
import zhCNLocale from 'antd/locale/zh_CN';
import { type ReactNode, useMemo } from 'react';
import type { AppLanguage } from '../i18n/app-language';
import { useLanguage } from '../i18n/language-provider';

const antdLocales = { 'zh-CN': zhCNLocale, 'en-US': enUSLocale } satisfies Record<AppLanguage, unknown>;

type AntdProviderProps = {
  /** The page's CSP nonce; antd must put it on its runtime <style> tags or the browser drops them. */
  cspNonce: string | undefined;
  children: ReactNode;
};

export function AntdProvider({ cspNonce, children }: AntdProviderProps) {
  const { language } = useLanguage();
  const csp = useMemo(() => (cspNonce ? { nonce: cspNonce } : undefined), [cspNonce]);
  return (
    <ConfigProvider locale={antdLocales[language]} csp={csp}>
      {children}
    </ConfigProvider>
  );
}
