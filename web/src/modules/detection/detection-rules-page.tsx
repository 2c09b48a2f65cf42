import { EditOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useRoleLabels } from '../auth/role-labels';
import { useMe } from '../auth/use-me';
import {
  type DetectionRule,
  detectionKeys,
  type RuleChange,
  rulesQueryOptions,
  SEVERITIES,
  type ThresholdValue,
  updateRule,
} from './detection-api';
import { SeverityTag } from './detection-parts';

type ThresholdKey = keyof typeof import('./detection-i18n').detectionZhCN.rulesPage.thresholds;

/** The detection rules (S2.3): read by officers and auditors; officers change them (step-up, audited). */
export function DetectionRulesPage() {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const { data: me } = useMe();
  const { labelOf } = useRoleLabels();
  const rules = useQuery(rulesQueryOptions);
  const [editing, setEditing] = useState<DetectionRule | null>(null);
  const mayChange = can(me?.permissions, 'update', 'DetectionRule');

  return (
    <Flex vertical gap="large">
      <div>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {t('detection.rulesPage.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('detection.rulesPage.subtitle')}</Typography.Text>
      </div>
      {!mayChange && <Alert type="info" showIcon title={t('detection.rulesPage.readOnly')} />}
      {rules.error && <Alert type="error" showIcon title={problemMessage(rules.error)} />}
      <Card styles={{ body: { padding: 0 } }}>
        <Table<DetectionRule>
          rowKey="id"
          loading={rules.isPending}
          dataSource={rules.data?.items ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          data-testid="detection-rules-table"
          columns={[
            {
              title: t('detection.rulesPage.columns.rule'),
              dataIndex: 'id',
              render: (id: DetectionRule['id']) => (
                <Flex vertical gap={0}>
                  <Typography.Text strong>{t(`detection.rules.${id}`)}</Typography.Text>
                  <Typography.Text type="secondary">{t(`detection.ruleDescriptions.${id}`)}</Typography.Text>
                </Flex>
              ),
            },
            {
              title: t('detection.rulesPage.columns.enabled'),
              dataIndex: 'enabled',
              render: (enabled: boolean) => <Switch size="small" checked={enabled} disabled />,
            },
            {
              title: t('detection.rulesPage.columns.severity'),
              dataIndex: 'severity',
              render: (severity: DetectionRule['severity']) => <SeverityTag severity={severity} />,
            },
            { title: t('detection.rulesPage.columns.window'), dataIndex: 'windowMinutes' },
            {
              title: t('detection.rulesPage.columns.roles'),
              dataIndex: 'roles',
              render: (roles: string[]) =>
                roles.length === 0
                  ? t('detection.rulesPage.allRoles')
                  : roles.map((role) => <Tag key={role}>{labelOf(role) || role}</Tag>),
            },
            {
              title: t('detection.rulesPage.columns.thresholds'),
              dataIndex: 'thresholds',
              render: (thresholds: DetectionRule['thresholds']) => (
                <Flex wrap gap={4} style={{ maxWidth: 420 }}>
                  {Object.entries(thresholds).map(([key, value]) => (
                    <Tag key={key}>
                      {t(`detection.rulesPage.thresholds.${key as ThresholdKey}`, { defaultValue: key })}:{' '}
                      {formatThreshold(value)}
                    </Tag>
                  ))}
                </Flex>
              ),
            },
            ...(mayChange
              ? [
                  {
                    title: t('detection.rulesPage.columns.actions'),
                    key: 'actions',
                    fixed: 'right' as const,
                    render: (_: unknown, rule: DetectionRule) => (
                      <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(rule)}>
                        {t('detection.rulesPage.edit')}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {editing && <RuleEditor rule={editing} onClose={() => setEditing(null)} />}
    </Flex>
  );
}

function formatThreshold(value: ThresholdValue): string {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object')
    return Object.entries(value)
      .map(([key, entry]) => `${key}=${entry}`)
      .join(' ');
  return String(value);
}

type EditorValues = {
  enabled: boolean;
  severity: DetectionRule['severity'];
  windowMinutes: number;
  roles: string[];
  thresholds: Record<string, ThresholdValue>;
};

function RuleEditor({ rule, onClose }: { rule: DetectionRule; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const { roles, labelOf } = useRoleLabels();
  const [form] = Form.useForm<EditorValues>();
  const save = useMutation({
    mutationFn: (change: RuleChange) => updateRule(rule.id, change),
    onSuccess: () => {
      void message.success(t('detection.rulesPage.saved'));
      void queryClient.invalidateQueries({ queryKey: detectionKeys.rules });
      onClose();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  const staffRoles = roles.filter((option) => option.role !== ('customer' as string));

  return (
    <Modal
      open
      title={t('detection.rulesPage.editTitle', { rule: t(`detection.rules.${rule.id}`) })}
      okText={t('detection.rulesPage.save')}
      okButtonProps={{ loading: save.isPending }}
      onCancel={onClose}
      onOk={() => form.validateFields().then((values) => save.mutate(values as RuleChange))}
      width={640}
      destroyOnHidden
    >
      <Form<EditorValues>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{
          enabled: rule.enabled,
          severity: rule.severity,
          windowMinutes: rule.windowMinutes,
          roles: rule.roles,
          thresholds: rule.thresholds,
        }}
      >
        <Flex gap="middle" wrap>
          <Form.Item name="enabled" label={t('detection.rulesPage.columns.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="severity" label={t('detection.rulesPage.columns.severity')}>
            <Select
              style={{ width: 140 }}
              options={SEVERITIES.map((severity) => ({
                value: severity,
                label: t(`detection.severity.${severity}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="windowMinutes"
            label={t('detection.rulesPage.columns.window')}
            rules={[{ required: true, type: 'integer', min: 1, max: 43_200 }]}
          >
            <InputNumber min={1} max={43_200} />
          </Form.Item>
        </Flex>
        <Form.Item
          name="roles"
          label={t('detection.rulesPage.columns.roles')}
          extra={t('detection.rulesPage.allRoles')}
        >
          <Select
            mode="multiple"
            allowClear
            options={staffRoles.map((option) => ({ value: option.role, label: labelOf(option.role) }))}
          />
        </Form.Item>
        {Object.entries(rule.thresholds).map(([key, value]) => (
          <ThresholdField key={key} name={key} value={value} />
        ))}
      </Form>
    </Modal>
  );
}

/** One threshold, edited with the control its current value's type calls for. */
function ThresholdField({ name, value }: { name: string; value: ThresholdValue }) {
  const { t } = useTranslation();
  const { labelOf } = useRoleLabels();
  const label = t(`detection.rulesPage.thresholds.${name as ThresholdKey}`, { defaultValue: name });
  if (typeof value === 'boolean')
    return (
      <Form.Item name={['thresholds', name]} label={label} valuePropName="checked">
        <Switch />
      </Form.Item>
    );
  if (typeof value === 'number')
    return (
      <Form.Item
        name={['thresholds', name]}
        label={label}
        rules={[{ required: true, type: 'number', min: 0 }]}
      >
        <InputNumber min={0} step={name === 'factor' ? 0.5 : 1} />
      </Form.Item>
    );
  if (typeof value === 'string')
    return (
      <Form.Item name={['thresholds', name]} label={label} rules={[{ required: true }]}>
        <Input maxLength={64} />
      </Form.Item>
    );
  if (Array.isArray(value))
    return (
      <Form.Item name={['thresholds', name]} label={label}>
        <Checkbox.Group
          options={[1, 2, 3, 4, 5, 6, 7].map((day) => ({
            value: day,
            label: t(`detection.rulesPage.weekdays.d${day as 1}`),
          }))}
        />
      </Form.Item>
    );
  return (
    <Form.Item label={label}>
      <Flex wrap gap="small">
        {Object.keys(value).map((role) => (
          <Form.Item
            key={role}
            name={['thresholds', name, role]}
            label={labelOf(role) || role}
            style={{ marginBottom: 0 }}
          >
            <InputNumber min={1} />
          </Form.Item>
        ))}
      </Flex>
    </Form.Item>
  );
}
