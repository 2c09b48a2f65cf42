import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Form,
  Input,
  InputNumber,
  Modal,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useMe } from '../auth/use-me';
import {
  type Regime,
  type RegimeDefinition,
  regimesQueryKey,
  regimesQueryOptions,
  updateRegime,
} from './regulatory-reports-api';

type RegimeForm = { hours: number | null; toBeConfirmed: boolean; enabled: boolean; definition: string };

/**
 * The reporting rules (S4.4): for each, when it applies, its first report's deadline and whether it is used.
 * The security officer edits the common settings in a form and everything else in the full definition,
 * which the server validates; the internal auditor reads.
 */
export function RegimesPanel() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const problemMessage = useProblemMessage();
  const { data: me } = useMe();
  const mayEdit = can(me?.permissions, 'update', 'RegulatoryRegime');
  const regimes = useQuery(regimesQueryOptions());
  const [editing, setEditing] = useState<Regime | null>(null);

  const deadlineText = (definition: RegimeDefinition) => {
    const rule = definition.initial;
    const hours =
      rule.hours === null
        ? t('regulatoryReports.regimes.noHours')
        : t('regulatoryReports.regimes.hours', { hours: rule.hours });
    const overrides = rule.overrides
      .map((override) => t('regulatoryReports.regimes.hours', { hours: override.hours }))
      .join(' / ');
    return `${hours}${overrides ? ` (${overrides})` : ''} ${t(`regulatoryReports.regimes.from.${rule.from}`)}`;
  };

  return (
    <>
      {regimes.error ? <Alert type="error" showIcon title={problemMessage(regimes.error)} /> : null}
      <Table<Regime>
        size="small"
        rowKey="id"
        loading={regimes.isLoading}
        dataSource={regimes.data?.items ?? []}
        pagination={false}
        scroll={{ x: true }}
        expandable={{
          expandedRowRender: (regime) => (
            <Space direction="vertical" size={4}>
              {regime.definition.notes ? (
                <Typography.Text>{regime.definition.notes[language]}</Typography.Text>
              ) : null}
              <Typography.Text type="secondary">
                {t('regulatoryReports.regimes.sources')}:{' '}
                {regime.definition.sources.map((source) => source.citation).join('; ')}
              </Typography.Text>
            </Space>
          ),
        }}
        columns={[
          {
            title: t('regulatoryReports.regimes.columns.name'),
            key: 'name',
            render: (_, regime) => (
              <Space size={4} wrap>
                <Tooltip title={regime.definition.name[language]}>
                  <Typography.Text strong>{regime.definition.shortName[language]}</Typography.Text>
                </Tooltip>
                {regime.builtin ? <Tag>{t('regulatoryReports.regimes.builtin')}</Tag> : null}
              </Space>
            ),
          },
          {
            title: t('regulatoryReports.regimes.columns.jurisdiction'),
            key: 'jurisdiction',
            render: (_, regime) => regime.definition.jurisdiction,
          },
          {
            title: t('regulatoryReports.regimes.columns.language'),
            key: 'language',
            render: (_, regime) => t(`languages.${regime.definition.language}`),
          },
          {
            title: t('regulatoryReports.regimes.columns.deadline'),
            key: 'deadline',
            render: (_, regime) => (
              <Space size={4} wrap>
                <span>{deadlineText(regime.definition)}</span>
                {regime.definition.initial.toBeConfirmed ? (
                  <Tag color="orange">{t('regulatoryReports.regimes.toBeConfirmed')}</Tag>
                ) : null}
              </Space>
            ),
          },
          {
            title: t('regulatoryReports.regimes.columns.enabled'),
            key: 'enabled',
            render: (_, regime) =>
              regime.enabled ? <Tag color="green">{t('common.yes')}</Tag> : <Tag>{t('common.no')}</Tag>,
          },
          { title: t('regulatoryReports.regimes.columns.version'), dataIndex: 'version' },
          {
            title: t('regulatoryReports.regimes.columns.updated'),
            key: 'updated',
            render: (_, regime) => formatDateTime(regime.updatedAt, language),
          },
          ...(mayEdit
            ? [
                {
                  title: t('regulatoryReports.regimes.columns.actions'),
                  key: 'actions',
                  render: (_: unknown, regime: Regime) => (
                    <Button size="small" onClick={() => setEditing(regime)}>
                      {t('regulatoryReports.regimes.edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <RegimeEditor regime={editing} onClose={() => setEditing(null)} />
    </>
  );
}

function RegimeEditor({ regime, onClose }: { regime: Regime | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<RegimeForm>();

  useEffect(() => {
    if (regime)
      form.setFieldsValue({
        hours: regime.definition.initial.hours,
        toBeConfirmed: regime.definition.initial.toBeConfirmed,
        enabled: regime.enabled,
        definition: JSON.stringify(regime.definition, null, 2),
      });
  }, [regime, form]);

  const save = useMutation({
    mutationFn: (values: RegimeForm) => {
      if (!regime) throw new Error('no regime');
      const definition = JSON.parse(values.definition) as RegimeDefinition;
      // The form's settings win over the same settings in the JSON.
      definition.initial = {
        ...definition.initial,
        hours: values.hours ?? null,
        toBeConfirmed: values.toBeConfirmed,
      };
      return updateRegime(regime.id, {
        definition,
        enabled: values.enabled,
        expectedVersion: regime.version,
      });
    },
    onSuccess: () => {
      void message.success(t('regulatoryReports.regimes.saved'));
      void queryClient.invalidateQueries({ queryKey: regimesQueryKey });
      onClose();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  return (
    <Modal
      open={regime !== null}
      width={820}
      title={
        regime
          ? t('regulatoryReports.regimes.editTitle', { name: regime.definition.shortName[language] })
          : ''
      }
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(values) => save.mutate(values)}>
        <Space size="large" wrap>
          <Form.Item name="hours" label={t('regulatoryReports.regimes.deadlineHours')}>
            <InputNumber min={0.1} max={8760} step={0.5} />
          </Form.Item>
          <Form.Item
            name="toBeConfirmed"
            label={t('regulatoryReports.regimes.deadlineToBeConfirmed')}
            valuePropName="checked"
          >
            <Switch />
          </Form.Item>
          <Form.Item name="enabled" label={t('regulatoryReports.regimes.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Form.Item
          name="definition"
          label={t('regulatoryReports.regimes.definition')}
          extra={t('regulatoryReports.regimes.definitionHint')}
          rules={[
            {
              validator: async (_, value: string) => {
                JSON.parse(value);
              },
              message: t('regulatoryReports.regimes.invalidJson'),
            },
          ]}
        >
          <Input.TextArea rows={20} style={{ fontFamily: 'monospace', fontSize: 12 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
