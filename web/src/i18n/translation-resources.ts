import type { AppLanguage } from './app-language';
import { enUS } from './en-US';
import { type TranslationResources, zhCN } from './zh-CN';

export const translationResources: Record<AppLanguage, TranslationResources> = {
  'zh-CN': zhCN,
  'en-US': enUS,
};
