import { DollarOutlined, PauseCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Table, Tabs, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { formatDateTime } from '../../app/format-date';
import { claimPath } from '../../app/route-paths';
import { useLanguage } from '../../i18n/language-provider';
import { useProblemMessage } from '../auth/problem-messages';
import { formatAmount } from '../claims/claim-format';
import { PAGE_SIZES } from '../claims/claims-api';
import { approvalProgress, QUEUE_STATES, queueStateOf, queueTimeOf } from './payout-format';
import { PayeeText, PayoutStateTag } from './payout-parts';
import { type Payout, payoutQueueQueryOptions } from './payouts-api';

const DEFAULT_PAGE_SIZE = 20;

function positiveInt(value: string | null, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/**
 * Finance's queue (赔款支付): approved payouts ready to pay, held ones, ones being paid and paid ones,
 * oldest first; each links to its claim, where it is paid. The tab and page live in the address.
 */
export function PayoutsPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const problemMessage = useProblemMessage();
  const [params, setParams] = useSearchParams();
  const state = queueStateOf(params.get('state'));
  const pageSize = Math.min(positiveInt(params.get('size'), DEFAULT_PAGE_SIZE), 200);
  const page = positiveInt(params.get('page'), 1);
  const queue = useQuery(payoutQueueQueryOptions(state, { limit: pageSize, offset: (page - 1) * pageSize }));

  return (
    <Flex vertical gap="large">
      <div>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {t('payouts.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('payouts.subtitle')}</Typography.Text>
      </div>

      {queue.error && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(queue.error)}
          action={<Button onClick={() => void queue.refetch()}>{t('common.retry')}</Button>}
        />
      )}

      <Card
        styles={{ body: { paddingTop: 0 } }}
        title={
          <span>
            <DollarOutlined /> {t('payouts.title')}
          </span>
        }
        extra={
          <Typography.Text type="secondary" data-testid="payouts-total">
            {t('payouts.queue.total', { count: queue.data?.total ?? 0 })}
          </Typography.Text>
        }
      >
        <Tabs
          activeKey={state}
          onChange={(key) => {
            const next = new URLSearchParams();
            next.set('state', key);
            if (pageSize !== DEFAULT_PAGE_SIZE) next.set('size', String(pageSize));
            setParams(next);
          }}
          items={QUEUE_STATES.map((key) => ({ key, label: t(`payouts.queue.tabs.${key}`) }))}
          data-testid="payouts-tabs"
        />
        <Table<Payout>
          rowKey="id"
          loading={queue.isFetching}
          dataSource={queue.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          size="middle"
          data-testid="payouts-table"
          locale={{ emptyText: t('payouts.queue.empty') }}
          pagination={{
            current: page,
            pageSize,
            total: queue.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: PAGE_SIZES.map(String),
            showTotal: (total) => t('payouts.queue.total', { count: total }),
          }}
          onChange={(pagination) => {
            const nextSize = pagination.pageSize ?? DEFAULT_PAGE_SIZE;
            const next = new URLSearchParams(params);
            next.set('state', state);
            next.set('page', String(nextSize === pageSize ? (pagination.current ?? 1) : 1));
            next.set('size', String(nextSize));
            setParams(next);
          }}
          columns={[
            {
              title: t('payouts.queue.columns.claim'),
              dataIndex: 'claimId',
              render: (claimId: string) => (
                <Link to={claimPath(claimId)} data-testid="payout-claim-link">
                  {t('payouts.queue.open')} <Typography.Text code>{claimId.slice(0, 8)}</Typography.Text>
                </Link>
              ),
            },
            {
              title: t('payouts.queue.columns.amount'),
              dataIndex: 'amount',
              align: 'right',
              render: (amount: string, payout) => (
                <Typography.Text strong>{formatAmount(amount, language, payout.currency)}</Typography.Text>
              ),
            },
            {
              title: t('payouts.queue.columns.payee'),
              dataIndex: 'payee',
              render: (payee: Payout['payee']) => <PayeeText payee={payee} />,
            },
            {
              title: t('payouts.queue.columns.state'),
              dataIndex: 'state',
              render: (value: string, payout) => (
                <Flex gap={4} align="center">
                  <PayoutStateTag state={value} />
                  {payout.hold && (
                    <Tooltip title={t(`payouts.holdReasons.${payout.hold.reason}`)}>
                      <PauseCircleOutlined style={{ color: '#ff4d4f' }} />
                    </Tooltip>
                  )}
                </Flex>
              ),
            },
            {
              title: t('payouts.queue.columns.approvals'),
              key: 'approvals',
              render: (_value, payout) => {
                const progress = approvalProgress(payout);
                return t('payouts.approvalsCount', { given: progress.given, required: progress.required });
              },
            },
            {
              title: t('payouts.queue.columns.time'),
              key: 'time',
              render: (_value, payout) => formatDateTime(queueTimeOf(payout), language),
            },
          ]}
        />
      </Card>
    </Flex>
  );
}
