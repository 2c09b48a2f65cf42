import {
  CheckCircleOutlined,
  DollarOutlined,
  PauseCircleOutlined,
  PlusOutlined,
  SafetyCertificateOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Divider,
  Empty,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Spin,
  Typography,
} from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useRoleLabels } from '../auth/role-labels';
import { useMe } from '../auth/use-me';
import { formatAmount } from '../claims/claim-format';
import { type ClaimDetail, claimQueryKey } from '../claims/claims-api';
import {
  approvalProgress,
  executionKeys,
  normaliseAmount,
  openPayoutOf,
  payoutActions,
} from './payout-format';
import { PayeeText, PayoutStateTag } from './payout-parts';
import {
  addPayeeAccount,
  approvePayout,
  claimPayoutsPrefix,
  claimPayoutsQueryOptions,
  executePayout,
  type NewBankAccount,
  type Payout,
  payeeAccountsQueryKey,
  payeeAccountsQueryOptions,
  proposePayout,
  reverifyPayout,
} from './payouts-api';

/** Claim states in which a payout is proposed, approved, paid or looked back on. */
const PAYOUT_CLAIM_STATES = new Set(['adjusting', 'approving', 'paying', 'closed', 'reopened']);

/**
 * The claim's payouts (赔款, S3.3): state, amount, masked payee, approvals and holds; the adjuster
 * proposes, a supervisor approves or re-verifies a held payee (step-up), finance pays under an
 * idempotency key kept for every retry of the attempt.
 */
export function PayoutCard({ detail }: { detail: ClaimDetail }) {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const { data: me } = useMe();
  const payouts = useQuery(claimPayoutsQueryOptions(detail.id, detail.version));
  const items = payouts.data?.items ?? [];
  const userId = me?.user.id;
  const mayPropose =
    can(me?.permissions, 'create', 'Payout') &&
    detail.state === 'adjusting' &&
    userId !== undefined &&
    detail.assigneeId === userId &&
    !openPayoutOf(items);

  if (!PAYOUT_CLAIM_STATES.has(detail.state) && items.length === 0) return null;

  return (
    <Card
      size="small"
      title={
        <span>
          <DollarOutlined /> {t('payouts.card')}
        </span>
      }
      data-testid="payout-card"
    >
      {payouts.isPending ? (
        <Flex justify="center" style={{ padding: 16 }}>
          <Spin />
        </Flex>
      ) : payouts.error ? (
        <Alert
          type="error"
          showIcon
          title={problemMessage(payouts.error)}
          action={
            <Button size="small" onClick={() => void payouts.refetch()}>
              {t('common.retry')}
            </Button>
          }
        />
      ) : items.length === 0 && !mayPropose ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('payouts.none')} />
      ) : (
        <Flex vertical gap="middle">
          {items.map((payout, index) => (
            <div key={payout.id}>
              {index > 0 && <Divider style={{ margin: '0 0 12px' }} />}
              <PayoutView payout={payout} claim={detail} />
            </div>
          ))}
        </Flex>
      )}
      {mayPropose && (
        <>
          {items.length > 0 && <Divider />}
          <ProposeForm detail={detail} />
        </>
      )}
    </Card>
  );
}

function PayoutView({ payout, claim }: { payout: Payout; claim: ClaimDetail }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const { labelOf } = useRoleLabels();
  const { data: me } = useMe();
  const actions = payoutActions(payout, {
    userId: me?.user.id,
    mayApprove: can(me?.permissions, 'approve', 'Payout'),
    mayExecute: can(me?.permissions, 'execute', 'Payout'),
  });
  const progress = approvalProgress(payout);
  const amount = formatAmount(payout.amount, language, payout.currency);

  /** The payout as answered; the claim (whose state may have moved) and the queues are loaded again. */
  const settled = (updated: Payout) => {
    queryClient.setQueriesData<{ items: Payout[] }>({ queryKey: claimPayoutsPrefix(claim.id) }, (data) =>
      data ? { items: data.items.map((item) => (item.id === updated.id ? updated : item)) } : data,
    );
    void queryClient.invalidateQueries({ queryKey: claimQueryKey(claim.id) });
    void queryClient.invalidateQueries({ queryKey: ['claims', 'list'] });
    void queryClient.invalidateQueries({ queryKey: ['payouts', 'queue'] });
  };

  const approve = useMutation({
    mutationFn: () => approvePayout(payout.id),
    onSuccess: (updated) => {
      settled(updated);
      void (approvalProgress(updated).awaitingSecond
        ? message.info(t('payouts.approvedOnce'))
        : message.success(t('payouts.approved')));
    },
  });

  const reverify = useMutation({
    mutationFn: () => reverifyPayout(payout.id),
    onSuccess: (updated) => {
      settled(updated);
      void message.success(t('payouts.reverifiedMessage'));
    },
  });

  // One attempt at a time: the button is disabled while in flight, and a click that lands before React
  // re-renders is dropped here. Every retry of the attempt sends the key it started with.
  const inFlight = useRef(false);
  const execute = useMutation({
    mutationFn: (key: string) => executePayout(payout.id, key),
    onSuccess: (updated) => {
      executionKeys.settle(payout.id);
      settled(updated);
      void message.success(t('payouts.paidMessage'));
    },
    onError: (error) => executionKeys.failed(payout.id, error),
    onSettled: () => {
      inFlight.current = false;
    },
  });
  const pay = () => {
    if (inFlight.current) return;
    inFlight.current = true;
    execute.mutate(executionKeys.keyFor(payout));
  };
  const pendingKey = executionKeys.peek(payout.id);

  const error = approve.error ?? reverify.error;

  return (
    <Flex vertical gap="small" data-testid="payout" data-payout-id={payout.id}>
      <Flex justify="space-between" align="center" wrap gap="small">
        <Space size="middle" align="center">
          <Typography.Text strong style={{ fontSize: 18 }} data-testid="payout-amount">
            {amount}
          </Typography.Text>
          <PayoutStateTag state={payout.state} testId="payout-state" />
        </Space>
        <Space wrap>
          {actions.approve && (
            <Button
              type="primary"
              icon={<CheckCircleOutlined />}
              loading={approve.isPending}
              onClick={() => approve.mutate()}
              data-testid="payout-approve"
            >
              {t('payouts.approve')}
            </Button>
          )}
          {actions.reverify && (
            <Popconfirm
              title={t('payouts.reverifyConfirm')}
              okText={t('payouts.reverify')}
              cancelText={t('common.cancel')}
              onConfirm={() => reverify.mutate()}
            >
              <Button
                icon={<SafetyCertificateOutlined />}
                loading={reverify.isPending}
                data-testid="payout-reverify"
              >
                {t('payouts.reverify')}
              </Button>
            </Popconfirm>
          )}
          {(actions.execute || actions.resume) && (
            <Popconfirm
              title={t('payouts.executeConfirm', { amount })}
              okText={actions.resume || execute.error ? t('payouts.resume') : t('payouts.execute')}
              cancelText={t('common.cancel')}
              onConfirm={pay}
              disabled={execute.isPending}
            >
              <Button
                type="primary"
                icon={<DollarOutlined />}
                loading={execute.isPending}
                disabled={execute.isPending}
                data-testid="payout-execute"
              >
                {execute.isPending
                  ? t('payouts.executing')
                  : actions.resume || execute.error
                    ? t('payouts.resume')
                    : t('payouts.execute')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      </Flex>

      <Descriptions size="small" column={1} data-testid="payout-details">
        <Descriptions.Item label={t('payouts.payee')}>
          <PayeeText payee={payout.payee} testId="payout-payee" />
        </Descriptions.Item>
        <Descriptions.Item label={t('payouts.proposedAt')}>
          {formatDateTime(payout.proposedAt, language)}
        </Descriptions.Item>
        <Descriptions.Item label={t('payouts.approvals')}>
          <Flex vertical gap={2} data-testid="payout-approvals">
            <Typography.Text type="secondary">
              {t('payouts.approvalsCount', { given: progress.given, required: progress.required })}
            </Typography.Text>
            {payout.approvals.map((approval) => (
              <Typography.Text key={approval.approverId}>
                <CheckCircleOutlined style={{ color: '#52c41a' }} />{' '}
                {t('payouts.approvedBy', {
                  role: labelOf(approval.approverRole) || approval.approverRole,
                  at: formatDateTime(approval.approvedAt, language),
                })}
              </Typography.Text>
            ))}
          </Flex>
        </Descriptions.Item>
        {payout.paidAt && (
          <Descriptions.Item label={t('payouts.paidAt')}>
            {formatDateTime(payout.paidAt, language)}
          </Descriptions.Item>
        )}
        {payout.providerReference && (
          <Descriptions.Item label={t('payouts.reference')}>
            <Typography.Text code data-testid="payout-reference">
              {payout.providerReference}
            </Typography.Text>
          </Descriptions.Item>
        )}
        {payout.payment && payout.state === 'executing' && (
          <Descriptions.Item label={t('payouts.payment')}>
            {t('payouts.paymentStarted', {
              at: formatDateTime(payout.payment.startedAt, language),
              attempts: payout.payment.attempts,
            })}
          </Descriptions.Item>
        )}
      </Descriptions>

      {progress.awaitingSecond && (
        <Alert
          type="info"
          showIcon
          title={t('payouts.needsSecondApprover')}
          data-testid="payout-needs-second"
        />
      )}
      {payout.hold && (
        <Alert
          type="error"
          showIcon
          icon={<PauseCircleOutlined />}
          data-testid="payout-hold"
          title={`${t('payouts.hold')} · ${t(`payouts.holdReasons.${payout.hold.reason}`)}`}
          description={
            <>
              {payout.hold.heldAt && (
                <div>{t('payouts.heldAt', { at: formatDateTime(payout.hold.heldAt, language) })}</div>
              )}
              <div>{t('payouts.holdHint')}</div>
            </>
          }
        />
      )}
      {payout.reverifiedAt && !payout.hold && (
        <Typography.Text type="secondary">
          {t('payouts.reverified', { at: formatDateTime(payout.reverifiedAt, language) })}
        </Typography.Text>
      )}
      {actions.approve && claim.state === 'approving' && (
        <Typography.Text type="secondary">{t('payouts.sendBackHint')}</Typography.Text>
      )}
      {error && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(error)}
          closable={{
            onClose: () => {
              approve.reset();
              reverify.reset();
            },
          }}
        />
      )}
      {execute.error && (
        <Alert
          type="error"
          showIcon
          data-testid="payout-execute-error"
          title={problemMessage(execute.error)}
          description={
            pendingKey ? (
              <span>
                {t('payouts.retryHint')} {t('payouts.key')}:{' '}
                <Typography.Text code>{pendingKey}</Typography.Text>
              </span>
            ) : undefined
          }
        />
      )}
    </Flex>
  );
}

type ProposeValues = { amount: string; payeeAccountId: string };

function ProposeForm({ detail }: { detail: ClaimDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const accounts = useQuery(payeeAccountsQueryOptions(detail.id));
  const [form] = Form.useForm<ProposeValues>();
  const [adding, setAdding] = useState(false);

  const propose = useMutation({
    mutationFn: (values: ProposeValues) =>
      proposePayout(detail.id, {
        amount: normaliseAmount(values.amount) ?? values.amount,
        payeeAccountId: values.payeeAccountId,
        claimVersion: detail.version,
      }),
    onSuccess: () => {
      void message.success(t('payouts.propose.done'));
      void queryClient.invalidateQueries({ queryKey: claimQueryKey(detail.id) });
      void queryClient.invalidateQueries({ queryKey: claimPayoutsPrefix(detail.id) });
      void queryClient.invalidateQueries({ queryKey: ['claims', 'list'] });
    },
  });

  const options = (accounts.data?.items ?? []).map((account) => ({
    value: account.id,
    label: `${account.bankName} ${account.number.value} · ${account.holderName.value}`,
  }));

  return (
    <>
      <AddAccountDialog
        claimId={detail.id}
        open={adding}
        onClose={() => setAdding(false)}
        onAdded={(accountId) => form.setFieldValue('payeeAccountId', accountId)}
      />
      <Form<ProposeValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(values) => propose.mutate(values)}
        data-testid="payout-propose-form"
      >
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {t('payouts.propose.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('payouts.propose.hint')}</Typography.Paragraph>
        <Form.Item
          name="amount"
          label={t('payouts.propose.amount')}
          rules={[
            {
              validator: (_rule, value: string | undefined) =>
                normaliseAmount(value ?? '')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('payouts.propose.amountInvalid'))),
            },
          ]}
        >
          <Input
            prefix="¥"
            inputMode="decimal"
            autoComplete="off"
            style={{ maxWidth: 240 }}
            data-testid="payout-amount-input"
          />
        </Form.Item>
        <Form.Item label={t('payouts.propose.payee')} required>
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item
              name="payeeAccountId"
              noStyle
              rules={[{ required: true, message: t('payouts.propose.payeeRequired') }]}
            >
              <Select
                options={options}
                loading={accounts.isPending}
                notFoundContent={t('payouts.propose.noAccounts')}
                placeholder={
                  options.length === 0 && !accounts.isPending ? t('payouts.propose.noAccounts') : undefined
                }
                data-testid="payout-payee-select"
              />
            </Form.Item>
            <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="payout-add-account">
              {t('payouts.account.add')}
            </Button>
          </Space.Compact>
        </Form.Item>
        {accounts.error && (
          <Alert type="error" showIcon title={problemMessage(accounts.error)} style={{ marginBottom: 12 }} />
        )}
        {propose.error && (
          <Alert
            type="error"
            showIcon
            title={problemMessage(propose.error)}
            style={{ marginBottom: 12 }}
            data-testid="payout-propose-error"
          />
        )}
        <Button type="primary" htmlType="submit" loading={propose.isPending} data-testid="payout-propose">
          {t('payouts.propose.submit')}
        </Button>
      </Form>
    </>
  );
}

function AddAccountDialog({
  claimId,
  open,
  onClose,
  onAdded,
}: {
  claimId: string;
  open: boolean;
  onClose: () => void;
  onAdded: (accountId: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal open={open} title={t('payouts.account.title')} onCancel={onClose} footer={null} destroyOnHidden>
      <AddAccountForm claimId={claimId} onClose={onClose} onAdded={onAdded} />
    </Modal>
  );
}

/** The dialog's form, mounted only while the dialog is open (so its form instance always has a form). */
function AddAccountForm({
  claimId,
  onClose,
  onAdded,
}: {
  claimId: string;
  onClose: () => void;
  onAdded: (accountId: string) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<NewBankAccount>();
  const add = useMutation({
    mutationFn: (account: NewBankAccount) => addPayeeAccount(claimId, account),
    onSuccess: async (account) => {
      await queryClient.invalidateQueries({ queryKey: payeeAccountsQueryKey(claimId) });
      void queryClient.invalidateQueries({ queryKey: claimPayoutsPrefix(claimId) });
      onAdded(account.id);
      void message.success(t('payouts.account.done'));
      onClose();
    },
  });

  return (
    <Form<NewBankAccount>
      form={form}
      layout="vertical"
      requiredMark={false}
      data-testid="payout-account-form"
      onFinish={(values) =>
        add.mutate({
          bankName: values.bankName.trim(),
          number: values.number.replace(/\s/g, ''),
          holderName: values.holderName.trim(),
        })
      }
    >
      <Alert type="warning" showIcon title={t('payouts.account.warning')} style={{ marginBottom: 16 }} />
      <Form.Item
        name="bankName"
        label={t('payouts.account.bankName')}
        rules={[{ required: true, whitespace: true, min: 2, message: t('payouts.account.bankNameRequired') }]}
      >
        <Input maxLength={100} />
      </Form.Item>
      <Form.Item
        name="number"
        label={t('payouts.account.number')}
        rules={[
          {
            validator: (_rule, value: string | undefined) =>
              /^\d{12,30}$/.test((value ?? '').replace(/\s/g, ''))
                ? Promise.resolve()
                : Promise.reject(new Error(t('payouts.account.numberInvalid'))),
          },
        ]}
      >
        <Input inputMode="numeric" autoComplete="off" maxLength={40} />
      </Form.Item>
      <Form.Item
        name="holderName"
        label={t('payouts.account.holderName')}
        rules={[{ required: true, whitespace: true, message: t('payouts.account.holderNameRequired') }]}
      >
        <Input maxLength={100} autoComplete="off" />
      </Form.Item>
      {add.error && (
        <Alert type="error" showIcon title={problemMessage(add.error)} style={{ marginBottom: 16 }} />
      )}
      <Flex justify="flex-end" gap="small">
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={add.isPending} data-testid="payout-account-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}
