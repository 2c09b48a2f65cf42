import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TranslationResources } from '../../i18n/zh-CN';
import { zhCN } from '../../i18n/zh-CN';
import { STATE_COLOURS } from './claim-format';
import type { ClaimState } from './claims-api';

type ClaimsResources = TranslationResources['claims'];

function isKeyOf<T extends object>(object: T, key: string): key is Extract<keyof T, string> {
  return Object.hasOwn(object, key);
}

/** The interface language's names of the claim vocabularies; an unknown code is shown as it came. */
export function useClaimLabels() {
  const { t } = useTranslation();
  return {
    state: (state: string) => (isKeyOf(zhCN.claims.states, state) ? t(`claims.states.${state}`) : state),
    productLine: (line: string) =>
      isKeyOf(zhCN.claims.productLines, line) ? t(`claims.productLines.${line}`) : line,
    verification: (value: string) =>
      isKeyOf(zhCN.claims.verifications, value) ? t(`claims.verifications.${value}`) : value,
    channel: (value: string) =>
      isKeyOf(zhCN.claims.channels, value) ? t(`claims.channels.${value}`) : value,
    idType: (value: string) =>
      isKeyOf(zhCN.claims.claimant.idTypes, value) ? t(`claims.claimant.idTypes.${value}`) : value,
    actorType: (value: string) =>
      isKeyOf(zhCN.claims.lifecycle.actorTypes, value) ? t(`claims.lifecycle.actorTypes.${value}`) : value,
    category: (value: string) =>
      isKeyOf(zhCN.claims.documents.categories, value) ? t(`claims.documents.categories.${value}`) : value,
  } satisfies Record<string, (value: string) => string>;
}

export type ClaimLabels = ReturnType<typeof useClaimLabels>;
export type { ClaimsResources };

/** A claim's state as a coloured tag with its localised name (报案, 立案 … / Reported, Registered …). */
export function ClaimStateTag({ state, testId }: { state: ClaimState; testId?: string }) {
  const { state: labelOf } = useClaimLabels();
  return (
    <Tag color={STATE_COLOURS[state] ?? 'default'} data-testid={testId}>
      {labelOf(state)}
    </Tag>
  );
}
