import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  DeleteOutlined,
  EditOutlined,
  EyeOutlined,
  HistoryOutlined,
  PlusOutlined,
  ProfileOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Collapse,
  Empty,
  Flex,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import type { AppLanguage } from '../../i18n/app-language';
import { useLanguage } from '../../i18n/language-provider';
import type { StaffRole } from '../auth/auth-api';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useRoleLabels } from '../auth/role-labels';
import { useMe } from '../auth/use-me';
import type { IncidentKind } from './incidents-api';
import {
  duplicateKeys,
  formOf,
  inputOf,
  MAX_DUE_HOURS,
  MAX_STEPS,
  nextStepKey,
  type Playbook,
  type PlaybookInput,
  playbookHistoryQueryOptions,
  playbooksKey,
  playbooksQueryOptions,
  STEP_KEY,
  sameAs,
  savePlaybook,
} from './playbooks-api';

export type RoleChoice = { value: StaffRole; label: string };

/**
 * Incident playbooks (S2.5, issue 5 §2 "Playbooks, editable"): the seven kinds with their current version;
 * a security officer (update Incident) edits one and saves a new version; everyone who reads incidents sees
 * the playbooks and their history read-only.
 */
export function PlaybooksPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const { data: me } = useMe();
  const { roles } = useRoleLabels();
  const mayEdit = can(me?.permissions, 'update', 'Incident');
  const playbooks = useQuery(playbooksQueryOptions);
  const [selected, setSelected] = useState<IncidentKind | null>(null);
  const current = playbooks.data?.items.find((playbook) => playbook.kind === selected) ?? null;
  const roleChoices: RoleChoice[] = roles.map((option) => ({
    value: option.role,
    label: option.label[language],
  }));

  const save = useMutation({
    mutationFn: (input: { kind: IncidentKind; playbook: PlaybookInput }) =>
      savePlaybook(input.kind, input.playbook),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: playbooksKey });
      void message.success(t('incidents.playbooks.saved', { version: saved.version }));
    },
  });

  return (
    <Flex vertical gap="large">
      <div>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {t('incidents.playbooks.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('incidents.playbooks.subtitle')}</Typography.Text>
      </div>
      {!mayEdit && <Alert type="info" showIcon title={t('incidents.playbooks.readOnly')} />}
      {playbooks.error && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(playbooks.error)}
          action={<Button onClick={() => void playbooks.refetch()}>{t('common.retry')}</Button>}
        />
      )}
      <Card
        styles={{ body: { padding: 0 } }}
        title={
          <span>
            <ProfileOutlined /> {t('incidents.playbooks.title')}
          </span>
        }
      >
        <Table<Playbook>
          rowKey="kind"
          loading={playbooks.isPending}
          dataSource={playbooks.data?.items ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          data-testid="playbooks-table"
          rowClassName={(row) => (row.kind === selected ? 'ant-table-row-selected' : '')}
          columns={[
            {
              title: t('incidents.playbooks.columns.kind'),
              dataIndex: 'kind',
              render: (kind: IncidentKind, row) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text strong>{t(`incidents.kinds.${kind}`)}</Typography.Text>
                  {/* The playbook's own name, where the officer has given it one other than the kind's. */}
                  {row.labels[language] !== t(`incidents.kinds.${kind}`) && (
                    <Typography.Text type="secondary">{row.labels[language]}</Typography.Text>
                  )}
                </Space>
              ),
            },
            {
              title: t('incidents.playbooks.columns.version'),
              dataIndex: 'version',
              render: (version: number) =>
                version === 0 ? (
                  <Tag>{t('incidents.playbooks.shipped')}</Tag>
                ) : (
                  <Tag color="blue">v{version}</Tag>
                ),
            },
            {
              title: t('incidents.playbooks.columns.steps'),
              key: 'steps',
              render: (_: unknown, row) => row.steps.length,
            },
            {
              title: t('incidents.playbooks.columns.updatedAt'),
              dataIndex: 'updatedAt',
              render: (value: string | null) => (value ? formatDateTime(value, language) : '—'),
            },
            {
              title: '',
              key: 'open',
              render: (_: unknown, row) => (
                <Button
                  size="small"
                  icon={mayEdit ? <EditOutlined /> : <EyeOutlined />}
                  onClick={() => {
                    save.reset();
                    setSelected(row.kind);
                  }}
                  data-testid={`playbook-open-${row.kind}`}
                >
                  {mayEdit ? t('incidents.playbooks.edit') : t('incidents.playbooks.view')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      {current && (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={16}>
            <PlaybookEditor
              // A new version (or another playbook) starts a fresh form.
              key={`${current.kind}:${current.version}`}
              playbook={current}
              readOnly={!mayEdit}
              roleChoices={roleChoices}
              language={language}
              saving={save.isPending}
              error={save.error ? problemMessage(save.error) : null}
              onSave={(input) => save.mutate({ kind: current.kind, playbook: input })}
            />
          </Col>
          <Col xs={24} xl={8}>
            <PlaybookHistoryCard kind={current.kind} language={language} roleChoices={roleChoices} />
          </Col>
        </Row>
      )}
    </Flex>
  );
}

/**
 * One playbook's form: names in both languages and the steps (id, title in both languages, owner role, due
 * hours), which can be added, removed and reordered. Read-only: every field disabled and no save button.
 */
export function PlaybookEditor({
  playbook,
  readOnly,
  roleChoices,
  language,
  saving = false,
  error = null,
  onSave,
}: {
  playbook: Playbook;
  readOnly: boolean;
  roleChoices: RoleChoice[];
  language: AppLanguage;
  saving?: boolean;
  error?: string | null;
  onSave: (input: PlaybookInput) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<PlaybookInput>();
  const [unchanged, setUnchanged] = useState(true);
  const initial = formOf(playbook);
  // Roles not (yet) loaded still show as their code, so a stored owner never looks empty.
  const choices = roleChoices.length
    ? roleChoices
    : [...new Set(playbook.steps.map((step) => step.ownerRole))].map((role) => ({
        value: role,
        label: role,
      }));

  return (
    <Card
      title={t('incidents.playbooks.editorTitle', {
        kind: t(`incidents.kinds.${playbook.kind}`),
        version: playbook.version,
      })}
      extra={
        readOnly ? null : (
          <Space>
            <Button
              disabled={unchanged}
              onClick={() => {
                form.resetFields();
                setUnchanged(true);
              }}
            >
              {t('incidents.playbooks.reset')}
            </Button>
            <Button
              type="primary"
              loading={saving}
              disabled={unchanged}
              onClick={() => form.submit()}
              data-testid="playbook-save"
            >
              {t('incidents.playbooks.save')}
            </Button>
          </Space>
        )
      }
      data-testid="playbook-editor"
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form<PlaybookInput>
        form={form}
        layout="vertical"
        initialValues={initial}
        disabled={readOnly}
        onValuesChange={(_, all) => setUnchanged(sameAs(playbook, { ...initial, ...all }))}
        onFinish={(values) => onSave(inputOf(values))}
        data-testid="playbook-form"
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name={['labels', 'zh-CN']}
              label={t('incidents.playbooks.labelZh')}
              rules={[{ required: true, whitespace: true, message: t('incidents.playbooks.labelRequired') }]}
            >
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name={['labels', 'en-US']}
              label={t('incidents.playbooks.labelEn')}
              rules={[{ required: true, whitespace: true, message: t('incidents.playbooks.labelRequired') }]}
            >
              <Input maxLength={100} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Title level={5}>{t('incidents.playbooks.steps')}</Typography.Title>
        <Form.List
          name="steps"
          rules={[
            {
              validator: async (_, steps: unknown[] | undefined) => {
                if (!steps?.length) throw new Error(t('incidents.playbooks.noSteps'));
              },
            },
          ]}
        >
          {(fields, { add, remove, move }, { errors }) => (
            <Flex vertical gap="small">
              {fields.map((field, index) => (
                <Card
                  key={field.key}
                  size="small"
                  type="inner"
                  title={`${index + 1}. ${initial.steps[field.name]?.title[language] ?? ''}`}
                  extra={
                    readOnly ? null : (
                      <Space size={4}>
                        <Button
                          size="small"
                          icon={<ArrowUpOutlined />}
                          aria-label={t('incidents.playbooks.step.moveUp')}
                          disabled={index === 0}
                          onClick={() => move(index, index - 1)}
                        />
                        <Button
                          size="small"
                          icon={<ArrowDownOutlined />}
                          aria-label={t('incidents.playbooks.step.moveDown')}
                          disabled={index === fields.length - 1}
                          onClick={() => move(index, index + 1)}
                        />
                        <Button
                          size="small"
                          danger
                          icon={<DeleteOutlined />}
                          aria-label={t('incidents.playbooks.step.remove')}
                          disabled={fields.length === 1}
                          onClick={() => remove(field.name)}
                        />
                      </Space>
                    )
                  }
                  data-testid="playbook-step"
                >
                  <Row gutter={12}>
                    <Col xs={24} md={8}>
                      <Form.Item
                        name={[field.name, 'key']}
                        label={t('incidents.playbooks.step.key')}
                        tooltip={t('incidents.playbooks.step.keyHint')}
                        rules={[
                          {
                            required: true,
                            pattern: STEP_KEY,
                            message: t('incidents.playbooks.step.keyInvalid'),
                          },
                          {
                            validator: async (_, value: string | undefined) => {
                              const steps = (form.getFieldValue('steps') ?? []) as PlaybookInput['steps'];
                              if (value && duplicateKeys(steps).includes(value.trim()))
                                throw new Error(t('incidents.playbooks.step.keyDuplicate'));
                            },
                          },
                        ]}
                      >
                        <Input maxLength={64} spellCheck={false} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={8}>
                      <Form.Item
                        name={[field.name, 'ownerRole']}
                        label={t('incidents.playbooks.step.owner')}
                        rules={[{ required: true, message: t('incidents.playbooks.step.ownerRequired') }]}
                      >
                        <Select options={choices} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={8}>
                      <Form.Item
                        name={[field.name, 'dueHours']}
                        label={t('incidents.playbooks.step.dueHours')}
                        rules={[{ required: true, message: t('incidents.playbooks.step.dueRequired') }]}
                      >
                        <InputNumber min={0} max={MAX_DUE_HOURS} step={0.5} style={{ width: '100%' }} />
                      </Form.Item>
                    </Col>
                    {(
                      [
                        ['zh-CN', 'incidents.playbooks.step.titleZh'],
                        ['en-US', 'incidents.playbooks.step.titleEn'],
                      ] as const
                    ).map(([titleLanguage, label]) => (
                      <Col xs={24} md={12} key={titleLanguage}>
                        <Form.Item
                          name={[field.name, 'title', titleLanguage]}
                          label={t(label)}
                          rules={[
                            {
                              required: true,
                              whitespace: true,
                              message: t('incidents.playbooks.step.titleRequired'),
                            },
                          ]}
                        >
                          <Input.TextArea rows={2} maxLength={300} />
                        </Form.Item>
                      </Col>
                    ))}
                  </Row>
                </Card>
              ))}
              <Form.ErrorList errors={errors} />
              {!readOnly && (
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  disabled={fields.length >= MAX_STEPS}
                  onClick={() =>
                    add({
                      key: nextStepKey((form.getFieldValue('steps') ?? []) as PlaybookInput['steps']),
                      title: { 'zh-CN': '', 'en-US': '' },
                      ownerRole: 'security_officer',
                      dueHours: 24,
                    })
                  }
                  data-testid="playbook-add-step"
                >
                  {t('incidents.playbooks.addStep')}
                </Button>
              )}
            </Flex>
          )}
        </Form.List>
      </Form>
    </Card>
  );
}

function PlaybookHistoryCard({
  kind,
  language,
  roleChoices,
}: {
  kind: IncidentKind;
  language: AppLanguage;
  roleChoices: RoleChoice[];
}) {
  const problemMessage = useProblemMessage();
  const history = useQuery(playbookHistoryQueryOptions(kind));
  return (
    <PlaybookHistory
      versions={history.data?.items ?? null}
      error={history.error ? problemMessage(history.error) : null}
      language={language}
      roleChoices={roleChoices}
    />
  );
}

/** A playbook's versions, newest first, each with who saved it, when, and its steps on demand. */
export function PlaybookHistory({
  versions,
  error = null,
  language,
  roleChoices,
}: {
  versions: Playbook[] | null;
  error?: string | null;
  language: AppLanguage;
  roleChoices: RoleChoice[];
}) {
  const { t } = useTranslation();
  const roleLabel = (role: string) => roleChoices.find((choice) => choice.value === role)?.label ?? role;
  return (
    <Card
      title={
        <span>
          <HistoryOutlined /> {t('incidents.playbooks.history.title')}
        </span>
      }
      loading={versions === null && !error}
      data-testid="playbook-history"
    >
      {error && <Alert type="error" showIcon title={error} />}
      {versions && versions.length === 0 && <Empty />}
      {versions && versions.length > 0 && (
        <Collapse
          size="small"
          items={versions.map((version, index) => ({
            key: String(version.version),
            label: (
              <Space wrap size={4}>
                <Typography.Text strong>
                  {version.version === 0
                    ? t('incidents.playbooks.shipped')
                    : t('incidents.playbooks.history.version', { version: version.version })}
                </Typography.Text>
                {index === 0 && <Tag color="green">{t('incidents.playbooks.history.current')}</Tag>}
                <Typography.Text type="secondary">
                  {t('incidents.playbooks.history.steps', { n: version.steps.length })}
                </Typography.Text>
              </Space>
            ),
            children: (
              <Flex vertical gap={4}>
                {version.updatedAt && (
                  <Typography.Text type="secondary">
                    {t('incidents.playbooks.history.at')}: {formatDateTime(version.updatedAt, language)}
                  </Typography.Text>
                )}
                {version.updatedBy && (
                  <Typography.Text type="secondary">
                    {t('incidents.playbooks.history.by')}:{' '}
                    <Typography.Text code>{version.updatedBy.slice(0, 8)}</Typography.Text>
                  </Typography.Text>
                )}
                <ol style={{ paddingInlineStart: 20, margin: 0 }}>
                  {version.steps.map((step) => (
                    <li key={step.key}>
                      {step.title[language]}{' '}
                      <Typography.Text type="secondary">
                        ({roleLabel(step.ownerRole)}, {step.dueHours} h)
                      </Typography.Text>
                    </li>
                  ))}
                </ol>
              </Flex>
            ),
          }))}
        />
      )}
    </Card>
  );
}
