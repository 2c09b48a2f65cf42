import { EditOutlined, LogoutOutlined, PlusOutlined, TeamOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Drawer,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBranchLabel } from '../../app/branch-label';
import { formatDate, formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import type { StaffRole, StaffUser } from '../auth/auth-api';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useRoleLabels } from '../auth/role-labels';
import { useMe } from '../auth/use-me';
import {
  changesOf,
  createUser,
  emailChangeOf,
  revokeUserSessions,
  type UserChanges,
  updateUser,
  usersQueryOptions,
} from './users-api';

type UserFormValues = {
  username: string;
  displayName: string;
  role: StaffRole;
  branch?: string;
  status: 'active' | 'disabled';
  accessExpiresAt?: Dayjs | null;
  /** Typed in only: the stored address is never sent to the console unmasked. */
  email?: string;
  removeEmail?: boolean;
};

/** Access ends at the end of the chosen day, in the administrator's time zone. */
function expiryOf(value: Dayjs | null | undefined): string | null {
  return value ? value.endOf('day').toDate().toISOString() : null;
}

/** Users and roles: staff accounts, their role, branch, status and access expiry. */
export function UsersPage() {
  const { t } = useTranslation();
  const branchLabel = useBranchLabel();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const { data: me } = useMe();
  const { labelOf } = useRoleLabels();
  const users = useQuery(usersQueryOptions);
  const [drawer, setDrawer] = useState<{ mode: 'create' } | { mode: 'edit'; user: StaffUser } | null>(null);
  const [oneTimePassword, setOneTimePassword] = useState<{
    name: string;
    username: string;
    password: string;
  } | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: usersQueryOptions.queryKey });
  const mayCreate = can(me?.permissions, 'create', 'User');
  const mayUpdate = can(me?.permissions, 'update', 'User');
  const mayRevoke = can(me?.permissions, 'revoke', 'Session');

  const revoke = useMutation({
    mutationFn: revokeUserSessions,
    onSuccess: ({ revoked }) => void message.success(t('users.sessionsEnded', { n: revoked })),
    onError: (error) => void message.error(problemMessage(error)),
  });

  return (
    <Flex vertical gap="large">
      <Flex justify="space-between" align="flex-start" wrap gap="middle">
        <div>
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            {t('users.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('users.subtitle')}</Typography.Text>
        </div>
        {mayCreate && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({ mode: 'create' })}>
            {t('users.create')}
          </Button>
        )}
      </Flex>
      {users.error && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(users.error)}
          action={<Button onClick={() => void users.refetch()}>{t('common.retry')}</Button>}
        />
      )}
      <Card
        styles={{ body: { padding: 0 } }}
        title={
          <span>
            <TeamOutlined /> {t('users.title')}
          </span>
        }
      >
        <Table<StaffUser>
          rowKey="id"
          loading={users.isPending}
          dataSource={users.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          data-testid="users-table"
          columns={[
            {
              title: t('users.columns.username'),
              dataIndex: 'username',
              sorter: (a, b) => a.username.localeCompare(b.username),
              render: (value: string) => <Typography.Text code>{value}</Typography.Text>,
            },
            { title: t('users.columns.displayName'), dataIndex: 'displayName' },
            {
              // Masked by the server (issue 5 §1); the full address never reaches the console.
              title: t('users.columns.email'),
              dataIndex: 'email',
              render: (value: string | null | undefined) =>
                value ? (
                  <Typography.Text data-testid="user-email">{value}</Typography.Text>
                ) : (
                  <Typography.Text type="secondary">{t('users.noEmail')}</Typography.Text>
                ),
            },
            {
              title: t('users.columns.role'),
              dataIndex: 'role',
              render: (role: StaffRole) => (
                <Tag color={role === 'admin' ? 'purple' : 'blue'}>{labelOf(role)}</Tag>
              ),
            },
            {
              title: t('users.columns.branch'),
              dataIndex: 'branch',
              render: (value: string | null) => branchLabel(value),
            },
            {
              title: t('users.columns.status'),
              dataIndex: 'status',
              render: (status: StaffUser['status'], row) => (
                <Space size={4} wrap>
                  <Tag color={status === 'active' ? 'success' : 'default'}>{t(`users.status.${status}`)}</Tag>
                  {row.mustChangePassword && <Tag color="warning">{t('users.mustChangePassword')}</Tag>}
                </Space>
              ),
            },
            {
              title: t('users.columns.lastLogin'),
              dataIndex: 'lastLoginAt',
              render: (value: string | null) => (value ? formatDateTime(value, language) : t('users.never')),
            },
            {
              title: t('users.columns.accessExpiresAt'),
              dataIndex: 'accessExpiresAt',
              render: (value: string | null) => {
                if (!value) return <Typography.Text type="secondary">{t('users.noExpiry')}</Typography.Text>;
                const expired = new Date(value).getTime() <= Date.now();
                return (
                  <Typography.Text type={expired ? 'danger' : undefined}>
                    {formatDate(value, language)}
                  </Typography.Text>
                );
              },
            },
            ...(mayUpdate || mayRevoke
              ? [
                  {
                    title: t('users.columns.actions'),
                    key: 'actions',
                    fixed: 'right' as const,
                    render: (_: unknown, row: StaffUser) => (
                      <Space size="small">
                        {mayUpdate && (
                          <Button
                            size="small"
                            icon={<EditOutlined />}
                            onClick={() => setDrawer({ mode: 'edit', user: row })}
                          >
                            {t('users.edit')}
                          </Button>
                        )}
                        {mayRevoke && (
                          <Popconfirm
                            title={t('users.endSessionsConfirm')}
                            okText={t('common.yes')}
                            cancelText={t('common.no')}
                            onConfirm={() => revoke.mutateAsync(row.id).catch(() => {})}
                          >
                            <Button size="small" danger icon={<LogoutOutlined />}>
                              {t('users.endSessions')}
                            </Button>
                          </Popconfirm>
                        )}
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>

      <UserDrawer
        state={drawer}
        onClose={() => setDrawer(null)}
        onCreated={(user, password) => {
          setDrawer(null);
          refresh();
          void message.success(t('users.created'));
          setOneTimePassword({ name: user.displayName, username: user.username, password });
        }}
        onUpdated={(changes) => {
          setDrawer(null);
          refresh();
          // Only a new role or a disabled account ends the user's sessions (an email or branch change does not).
          void message.success(
            t(changes.role || changes.status === 'disabled' ? 'users.updated' : 'users.updatedKeptSessions'),
          );
        }}
      />

      <Modal
        open={oneTimePassword !== null}
        title={t('users.oneTimePasswordTitle')}
        footer={
          <Button
            type="primary"
            onClick={() => setOneTimePassword(null)}
            data-testid="one-time-password-close"
          >
            {t('common.close')}
          </Button>
        }
        onCancel={() => setOneTimePassword(null)}
        mask={{ closable: false }}
        destroyOnHidden
      >
        {oneTimePassword && (
          <Flex vertical gap="middle">
            <Alert type="warning" showIcon title={t('users.oneTimePasswordWarning')} />
            <Typography.Paragraph style={{ marginBottom: 0 }}>
              {t('users.oneTimePasswordIntro', { name: oneTimePassword.name })}
            </Typography.Paragraph>
            <Flex vertical gap={4}>
              <Typography.Text type="secondary">{t('users.columns.username')}</Typography.Text>
              <Typography.Text code copyable>
                {oneTimePassword.username}
              </Typography.Text>
              <Typography.Text type="secondary">{t('users.oneTimePasswordTitle')}</Typography.Text>
              <Typography.Text code copyable data-testid="one-time-password" style={{ fontSize: 16 }}>
                {oneTimePassword.password}
              </Typography.Text>
            </Flex>
          </Flex>
        )}
      </Modal>
    </Flex>
  );
}

function UserDrawer({
  state,
  onClose,
  onCreated,
  onUpdated,
}: {
  state: { mode: 'create' } | { mode: 'edit'; user: StaffUser } | null;
  onClose: () => void;
  onCreated: (user: StaffUser, oneTimePassword: string) => void;
  onUpdated: (changes: UserChanges) => void;
}) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const { roles } = useRoleLabels();
  const [form] = Form.useForm<UserFormValues>();
  const [error, setError] = useState<unknown>(null);
  const role = Form.useWatch('role', form);
  const editing = state?.mode === 'edit' ? state.user : null;

  // Each opening starts from the user as loaded (or an empty form), without the last opening's error.
  useEffect(() => {
    if (state) {
      setError(null);
      form.resetFields();
    }
  }, [state, form]);

  const save = useMutation({
    mutationFn: async (values: UserFormValues) => {
      const branch = values.branch?.trim() || null;
      const accessExpiresAt = expiryOf(values.accessExpiresAt);
      if (editing) {
        const changes = changesOf(editing, {
          role: values.role,
          branch,
          status: values.status,
          accessExpiresAt,
          email: emailChangeOf(editing, values.email, values.removeEmail === true),
        });
        if (Object.keys(changes).length === 0) return { kind: 'unchanged' as const };
        return { kind: 'updated' as const, changes, user: await updateUser(editing.id, changes) };
      }
      const created = await createUser({
        username: values.username.trim(),
        displayName: values.displayName.trim(),
        role: values.role,
        branch,
        accessExpiresAt,
        email: values.email?.trim() || null,
      });
      return { kind: 'created' as const, ...created };
    },
    onSuccess: (result) => {
      if (result.kind === 'created') onCreated(result.user, result.oneTimePassword);
      else if (result.kind === 'updated') onUpdated(result.changes);
      else {
        void message.info(t('users.noChanges'));
        onClose();
      }
    },
    onError: setError,
  });

  const initialValues: Partial<UserFormValues> = editing
    ? {
        username: editing.username,
        displayName: editing.displayName,
        role: editing.role,
        branch: editing.branch ?? '',
        status: editing.status,
        accessExpiresAt: editing.accessExpiresAt ? dayjs(editing.accessExpiresAt) : null,
      }
    : { status: 'active', accessExpiresAt: null };

  return (
    <Drawer
      open={state !== null}
      title={editing ? t('users.editTitle', { name: editing.displayName }) : t('users.createTitle')}
      size={480}
      onClose={onClose}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            type="primary"
            loading={save.isPending}
            onClick={() => form.submit()}
            data-testid="user-save"
          >
            {editing ? t('common.save') : t('common.create')}
          </Button>
        </Space>
      }
    >
      {error != null && (
        <Alert type="error" showIcon title={problemMessage(error)} style={{ marginBottom: 16 }} />
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={initialValues}
        onFinish={(values) => {
          setError(null);
          save.mutate(values);
        }}
        data-testid="user-form"
      >
        <Form.Item
          name="username"
          label={t('users.columns.username')}
          extra={editing ? undefined : t('users.fields.usernameRule')}
          rules={
            editing
              ? []
              : [
                  { required: true, message: t('users.fields.usernameRequired') },
                  { pattern: /^[a-z0-9._-]{3,64}$/, message: t('users.fields.usernameRule') },
                ]
          }
        >
          <Input disabled={!!editing} autoComplete="off" spellCheck={false} />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t('users.columns.displayName')}
          rules={
            editing
              ? []
              : [{ required: true, whitespace: true, message: t('users.fields.displayNameRequired') }]
          }
        >
          <Input disabled={!!editing} maxLength={100} />
        </Form.Item>
        <Form.Item
          name="role"
          label={t('users.columns.role')}
          rules={[{ required: true, message: t('users.fields.roleRequired') }]}
        >
          <Select
            data-testid="user-role"
            options={roles.map((option) => ({ value: option.role, label: option.label[language] }))}
          />
        </Form.Item>
        <Form.Item
          name="email"
          label={t('users.columns.email')}
          extra={t('users.fields.emailHint')}
          rules={[{ type: 'email', message: t('users.fields.emailInvalid') }]}
        >
          <Input
            type="email"
            maxLength={254}
            autoComplete="off"
            spellCheck={false}
            data-testid="user-email-input"
            placeholder={
              editing?.email
                ? t('users.fields.emailKeep', { masked: editing.email })
                : t('users.fields.emailNone')
            }
          />
        </Form.Item>
        {editing?.email && (
          <Form.Item name="removeEmail" valuePropName="checked">
            <Checkbox>{t('users.fields.removeEmail')}</Checkbox>
          </Form.Item>
        )}
        <Form.Item name="branch" label={t('users.columns.branch')} extra={t('users.fields.branchHint')}>
          <Input maxLength={64} />
        </Form.Item>
        {editing && (
          <Form.Item name="status" label={t('users.columns.status')}>
            <Select
              options={[
                { value: 'active', label: t('users.status.active') },
                { value: 'disabled', label: t('users.status.disabled') },
              ]}
            />
          </Form.Item>
        )}
        <Form.Item
          name="accessExpiresAt"
          label={t('users.columns.accessExpiresAt')}
          extra={t('users.fields.expiryHint')}
          dependencies={['role']}
          rules={[
            {
              required: role === 'external_auditor',
              message: t('users.fields.expiryRequired'),
            },
          ]}
        >
          <DatePicker
            style={{ width: '100%' }}
            disabledDate={(day) => day.isBefore(dayjs(), 'day')}
            data-testid="user-expiry"
          />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
