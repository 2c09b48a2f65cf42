import {
  DeleteOutlined,
  KeyOutlined,
  LogoutOutlined,
  MailOutlined,
  PlusOutlined,
  SafetyOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Select,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import {
  type ApiToken,
  createApiToken,
  endMySession,
  meQueryKey,
  myEmailQueryOptions,
  mySessionsQueryOptions,
  myTokensQueryOptions,
  revokeApiToken,
  type StaffSessionView,
  setMyEmail,
} from './auth-api';
import { PasskeysCard } from './passkeys-card';
import { useProblemMessage } from './problem-messages';
import { RecoveryCodesPanel } from './recovery-codes-panel';
import { TotpEnrolmentPanel } from './totp-enrolment-panel';
import { useMe } from './use-me';

const LOW_RECOVERY_CODES = 3;

/** My security: second factors (authenticator app, passkeys), recovery codes, my sessions and my API tokens. */
export function AccountPage() {
  const { t } = useTranslation();
  return (
    <Flex vertical gap="large">
      <div>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {t('account.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('account.subtitle')}</Typography.Text>
      </div>
      <SecondFactorCard />
      <WorkEmailCard />
      <PasskeysCard />
      <SessionsCard />
      <TokensCard />
    </Flex>
  );
}

/** My work email (issue 5 §1, S2.3): shown masked; setting or removing it asks for a fresh second factor. */
function WorkEmailCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const current = useQuery(myEmailQueryOptions);
  const [form] = Form.useForm<{ email: string }>();
  const save = useMutation({
    mutationFn: setMyEmail,
    onSuccess: (result) => {
      queryClient.setQueryData(myEmailQueryOptions.queryKey, result);
      form.resetFields();
      void message.success(t(result.email ? 'account.email.saved' : 'account.email.removed'));
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  return (
    <Card
      title={
        <span>
          <MailOutlined /> {t('account.email.title')}
        </span>
      }
      data-testid="work-email-card"
    >
      <Typography.Paragraph type="secondary">{t('account.email.intro')}</Typography.Paragraph>
      {current.error && <Alert type="error" showIcon title={problemMessage(current.error)} />}
      <Descriptions column={1} size="small" style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('account.email.current')}>
          {current.data?.email ? (
            <Typography.Text data-testid="work-email-current">{current.data.email}</Typography.Text>
          ) : (
            <Typography.Text type="secondary">{t('account.email.none')}</Typography.Text>
          )}
        </Descriptions.Item>
      </Descriptions>
      <Form
        form={form}
        layout="inline"
        onFinish={(values) => save.mutate(values.email.trim())}
        data-testid="work-email-form"
      >
        <Form.Item
          name="email"
          label={t('account.email.newAddress')}
          rules={[{ required: true, type: 'email', message: t('account.email.invalid') }]}
        >
          <Input type="email" maxLength={254} autoComplete="email" style={{ width: 280 }} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('account.email.save')}
          </Button>
        </Form.Item>
        {current.data?.email && (
          <Form.Item>
            <Popconfirm
              title={t('account.email.removeConfirm')}
              okText={t('common.yes')}
              cancelText={t('common.no')}
              onConfirm={() => save.mutateAsync(null).catch(() => {})}
            >
              <Button danger>{t('account.email.remove')}</Button>
            </Popconfirm>
          </Form.Item>
        )}
      </Form>
    </Card>
  );
}

function SecondFactorCard() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { data: me } = useMe();
  const [reenrolling, setReenrolling] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  if (!me) return null;
  const left = me.secondFactor.recoveryCodesLeft;

  const close = () => {
    setReenrolling(false);
    setCodes(null);
    void queryClient.invalidateQueries({ queryKey: meQueryKey });
  };

  return (
    <Card
      title={
        <span>
          <SafetyOutlined /> {t('account.secondFactor.title')}
        </span>
      }
      extra={
        <Button onClick={() => setReenrolling(true)} data-testid="reenrol-totp">
          {t('account.secondFactor.reenrol')}
        </Button>
      }
    >
      <Flex vertical gap="middle">
        <Descriptions column={{ xs: 1, sm: 2 }} size="small">
          <Descriptions.Item label={t('account.secondFactor.totp')}>
            {me.secondFactor.totp ? (
              <Tag color="success">{t('account.secondFactor.enabled')}</Tag>
            ) : (
              <Tag color="error">{t('account.secondFactor.notEnabled')}</Tag>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('passkeys.count')}>
            <span data-testid="passkey-count">{me.secondFactor.passkeys}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('account.secondFactor.recoveryLeft')}>
            <span data-testid="recovery-left">{left}</span>
          </Descriptions.Item>
        </Descriptions>
        {left < LOW_RECOVERY_CODES && (
          <Alert type="warning" showIcon title={t('account.secondFactor.recoveryLow', { n: left })} />
        )}
      </Flex>
      <Modal
        open={reenrolling}
        title={t('account.secondFactor.reenrolTitle')}
        footer={null}
        onCancel={close}
        destroyOnHidden
        mask={{ closable: false }}
        width={640}
      >
        {codes ? (
          <Flex vertical gap="middle">
            <Alert type="success" showIcon title={t('account.secondFactor.reenrolDone')} />
            <RecoveryCodesPanel codes={codes} finishLabel={t('account.secondFactor.done')} onFinish={close} />
          </Flex>
        ) : (
          <TotpEnrolmentPanel onConfirmed={setCodes} onCancelled={() => setReenrolling(false)} />
        )}
      </Modal>
    </Card>
  );
}

function SessionsCard() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const sessions = useQuery(mySessionsQueryOptions);
  const end = useMutation({
    mutationFn: endMySession,
    onSuccess: () => {
      void message.success(t('account.sessions.ended'));
      void queryClient.invalidateQueries({ queryKey: mySessionsQueryOptions.queryKey });
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  return (
    <Card
      title={
        <span>
          <LogoutOutlined /> {t('account.sessions.title')}
        </span>
      }
    >
      {sessions.error && <Alert type="error" showIcon title={problemMessage(sessions.error)} />}
      <Table<StaffSessionView>
        rowKey="id"
        size="middle"
        loading={sessions.isPending}
        dataSource={sessions.data ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="sessions-table"
        columns={[
          {
            title: t('account.sessions.createdAt'),
            dataIndex: 'createdAt',
            render: (value: string, row) => (
              <Flex gap="small" align="center">
                {formatDateTime(value, language)}
                {row.current && <Tag color="blue">{t('account.sessions.current')}</Tag>}
              </Flex>
            ),
          },
          {
            title: t('account.sessions.lastSeenAt'),
            dataIndex: 'lastSeenAt',
            render: (value: string) => formatDateTime(value, language),
          },
          {
            title: t('account.sessions.expiresAt'),
            dataIndex: 'expiresAt',
            render: (value: string) => formatDateTime(value, language),
          },
          {
            title: t('account.sessions.ip'),
            dataIndex: 'ip',
            render: (value: string | null) => value ?? '—',
          },
          {
            title: t('account.sessions.userAgent'),
            dataIndex: 'userAgent',
            ellipsis: true,
            width: 280,
            render: (value: string | null) => (
              <Typography.Text type="secondary" ellipsis={{ tooltip: value }} style={{ maxWidth: 260 }}>
                {value ?? '—'}
              </Typography.Text>
            ),
          },
          {
            key: 'actions',
            render: (_, row) =>
              row.current ? null : (
                <Popconfirm
                  title={t('account.sessions.endConfirm')}
                  okText={t('common.yes')}
                  cancelText={t('common.no')}
                  onConfirm={() => end.mutateAsync(row.id).catch(() => {})}
                >
                  <Button danger size="small">
                    {t('account.sessions.end')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </Card>
  );
}

const SCOPE_PATTERN = /^[a-z]+:[A-Za-z]+$/;

function tokenState(token: ApiToken): 'active' | 'revoked' | 'expired' {
  if (token.revokedAt) return 'revoked';
  return new Date(token.expiresAt).getTime() <= Date.now() ? 'expired' : 'active';
}

function TokensCard() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const tokens = useQuery(myTokensQueryOptions);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const [form] = Form.useForm<{ name: string; scopes: string[]; expiresInDays: number }>();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: myTokensQueryOptions.queryKey });

  const create = useMutation({
    mutationFn: createApiToken,
    onSuccess: (result) => {
      setCreating(false);
      setCreated(result.token);
      form.resetFields();
      refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  const revoke = useMutation({
    mutationFn: revokeApiToken,
    onSuccess: () => {
      void message.success(t('account.tokens.revokedMessage'));
      refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  const stateColors = { active: 'success', revoked: 'default', expired: 'warning' } as const;

  return (
    <Card
      title={
        <span>
          <KeyOutlined /> {t('account.tokens.title')}
        </span>
      }
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('account.tokens.create')}
        </Button>
      }
    >
      {tokens.error && <Alert type="error" showIcon title={problemMessage(tokens.error)} />}
      <Table<ApiToken>
        rowKey="id"
        size="middle"
        loading={tokens.isPending}
        dataSource={tokens.data ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('account.tokens.name'), dataIndex: 'name' },
          {
            title: t('account.tokens.scopes'),
            dataIndex: 'scopes',
            render: (scopes: string[]) =>
              scopes.length ? scopes.map((scope) => <Tag key={scope}>{scope}</Tag>) : '—',
          },
          {
            title: t('account.tokens.status'),
            key: 'status',
            render: (_, row) => {
              const state = tokenState(row);
              return <Tag color={stateColors[state]}>{t(`account.tokens.${state}`)}</Tag>;
            },
          },
          {
            title: t('account.tokens.expiresAt'),
            dataIndex: 'expiresAt',
            render: (value: string) => formatDateTime(value, language),
          },
          {
            title: t('account.tokens.lastUsedAt'),
            dataIndex: 'lastUsedAt',
            render: (value: string | null) =>
              value ? formatDateTime(value, language) : t('account.tokens.never'),
          },
          {
            key: 'actions',
            render: (_, row) =>
              tokenState(row) === 'active' ? (
                <Popconfirm
                  title={t('account.tokens.revokeConfirm')}
                  okText={t('common.yes')}
                  cancelText={t('common.no')}
                  onConfirm={() => revoke.mutateAsync(row.id).catch(() => {})}
                >
                  <Button danger size="small" icon={<DeleteOutlined />}>
                    {t('account.tokens.revoke')}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('account.tokens.createTitle')}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        confirmLoading={create.isPending}
        onOk={() => form.submit()}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ scopes: [], expiresInDays: 30 }}
          onFinish={(values) => create.mutate({ ...values, name: values.name.trim() })}
        >
          <Form.Item
            name="name"
            label={t('account.tokens.name')}
            rules={[{ required: true, whitespace: true, message: t('account.tokens.nameRequired') }]}
          >
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item
            name="scopes"
            label={t('account.tokens.scopes')}
            extra={t('account.tokens.scopesHint')}
            rules={[
              {
                validator: (_, value: string[] | undefined) =>
                  (value ?? []).every((scope) => SCOPE_PATTERN.test(scope))
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('account.tokens.scopesInvalid'))),
              },
            ]}
          >
            <Select mode="tags" open={false} tokenSeparators={[',', ' ']} maxCount={20} />
          </Form.Item>
          <Form.Item
            name="expiresInDays"
            label={t('account.tokens.expiresInDays')}
            rules={[{ required: true }]}
          >
            <InputNumber min={1} max={365} precision={0} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={created !== null}
        title={t('account.tokens.createdTitle')}
        footer={
          <Button type="primary" onClick={() => setCreated(null)}>
            {t('common.close')}
          </Button>
        }
        onCancel={() => setCreated(null)}
        mask={{ closable: false }}
        destroyOnHidden
      >
        <Flex vertical gap="middle">
          <Alert type="warning" showIcon title={t('account.tokens.createdWarning')} />
          <Typography.Text code copyable data-testid="created-token" style={{ wordBreak: 'break-all' }}>
            {created}
          </Typography.Text>
        </Flex>
      </Modal>
    </Card>
  );
}
