import { LockOutlined } from '@ant-design/icons';
import { Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { zhCN } from '../../i18n/zh-CN';
import { payoutTagOf } from './payout-format';
import type { Payout } from './payouts-api';

/** A payout's state as a coloured tag in the interface language (待核赔, 已核准 … / Proposed, Approved …). */
export function PayoutStateTag({ state, testId }: { state: string; testId?: string }) {
  const { t } = useTranslation();
  const tag = payoutTagOf(state);
  return (
    <Tag color={tag.colour} data-testid={testId} data-state={state}>
      {tag.known && Object.hasOwn(zhCN.payouts.states, state)
        ? t(`payouts.states.${state as keyof typeof zhCN.payouts.states}`)
        : state}
    </Tag>
  );
}

/** The payee account as the server sends it: bank, masked number and masked holder name. */
export function PayeeText({ payee, testId }: { payee: Payout['payee']; testId?: string }) {
  const { t } = useTranslation();
  if (!payee) return <Typography.Text type="secondary">{t('payouts.noPayee')}</Typography.Text>;
  return (
    <Space size={6} wrap data-testid={testId}>
      <Typography.Text>{payee.bankName}</Typography.Text>
      <Typography.Text code>{payee.number.value}</Typography.Text>
      <Typography.Text>{payee.holderName.value}</Typography.Text>
      <Tag icon={<LockOutlined />} variant="filled">
        {t('claims.claimant.masked')}
      </Tag>
    </Space>
  );
}
