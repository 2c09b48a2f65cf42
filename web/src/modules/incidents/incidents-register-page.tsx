import { PlusOutlined, SafetyOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
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
import { Link, useNavigate } from 'react-router';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useMe } from '../auth/use-me';
import { DrillTag, GradeTag, LevelTag, StateTag } from './incident-labels';
import {
  declareIncident,
  IMPACT_DIMENSIONS,
  type Impact,
  INCIDENT_KINDS,
  INCIDENT_STATES,
  type IncidentKind,
  type IncidentState,
  type IncidentSummary,
  incidentsKey,
  registerQueryOptions,
} from './incidents-api';

export const incidentPath = (id: string) => `/incidents/${encodeURIComponent(id)}`;

/** The breach register (S2.5, GDPR Art. 33(5)): every incident with its state, severity and notification decision. */
export function IncidentsRegisterPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { data: me } = useMe();
  const [state, setState] = useState<IncidentState | undefined>();
  const [drillsOnly, setDrillsOnly] = useState(false);
  const [declaring, setDeclaring] = useState(false);
  const register = useQuery(
    registerQueryOptions({ ...(state ? { state } : {}), ...(drillsOnly ? { drill: true } : {}) }),
  );
  const problemMessage = useProblemMessage();
  const mayDeclare = can(me?.permissions, 'create', 'Incident');

  return (
    <Flex vertical gap="large">
      <Flex justify="space-between" align="flex-start" wrap gap="middle">
        <div>
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            {t('incidents.register.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('incidents.register.subtitle')}</Typography.Text>
        </div>
        {mayDeclare && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setDeclaring(true)}
            data-testid="declare-incident"
          >
            {t('incidents.register.declare')}
          </Button>
        )}
      </Flex>
      {register.error && <Alert type="error" showIcon title={problemMessage(register.error)} />}
      <Card
        styles={{ body: { padding: 0 } }}
        title={
          <span>
            <SafetyOutlined /> {t('incidents.register.title')}
          </span>
        }
        extra={
          <Flex align="center" gap="middle" wrap>
            <Select<IncidentState | 'all'>
              size="small"
              value={state ?? 'all'}
              onChange={(value) => setState(value === 'all' ? undefined : value)}
              style={{ minWidth: 120 }}
              options={[
                { value: 'all', label: t('incidents.register.allStates') },
                ...INCIDENT_STATES.map((value) => ({ value, label: t(`incidents.states.${value}`) })),
              ]}
            />
            <Flex align="center" gap="small">
              <Switch
                size="small"
                checked={drillsOnly}
                onChange={setDrillsOnly}
                aria-label={t('incidents.register.drillsOnly')}
              />
              <Typography.Text>{t('incidents.register.drillsOnly')}</Typography.Text>
            </Flex>
          </Flex>
        }
      >
        <Table<IncidentSummary>
          rowKey="id"
          loading={register.isPending}
          dataSource={register.data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('incidents.register.empty') }}
          data-testid="incidents-table"
          columns={[
            {
              title: t('incidents.register.columns.reference'),
              dataIndex: 'reference',
              render: (reference: string, incident) => (
                <Flex gap={4} align="center">
                  <Link to={incidentPath(incident.id)}>{reference}</Link>
                  {incident.isDrill && <DrillTag />}
                </Flex>
              ),
            },
            { title: t('incidents.register.columns.title'), dataIndex: 'title' },
            {
              title: t('incidents.register.columns.kind'),
              dataIndex: 'kind',
              render: (kind: IncidentKind) => t(`incidents.kinds.${kind}`),
            },
            {
              title: t('incidents.register.columns.state'),
              dataIndex: 'state',
              render: (value: IncidentState) => <StateTag state={value} />,
            },
            {
              title: t('incidents.register.columns.severity'),
              key: 'level',
              render: (_, incident) => <LevelTag level={incident.severity.level} />,
            },
            {
              title: t('incidents.register.columns.grade'),
              key: 'grade',
              render: (_, incident) => <GradeTag grade={incident.severity.grade} />,
            },
            {
              title: t('incidents.register.columns.subjects'),
              key: 'subjects',
              align: 'right',
              render: (_, incident) => incident.severity.subjects.toLocaleString(language),
            },
            {
              title: t('incidents.register.columns.notification'),
              key: 'notification',
              render: (_, incident) => (
                <Flex vertical gap={2}>
                  <Tag color={incident.notification.decision === 'undecided' ? 'default' : 'blue'}>
                    {t(`incidents.notification.${incident.notification.decision}`)}
                  </Tag>
                  {incident.notification.reasons && (
                    <Typography.Text type="secondary" ellipsis style={{ maxWidth: 240 }}>
                      {incident.notification.reasons}
                    </Typography.Text>
                  )}
                </Flex>
              ),
            },
            {
              title: t('incidents.register.columns.declaredAt'),
              dataIndex: 'declaredAt',
              render: (value: string) => formatDateTime(value, language),
            },
          ]}
        />
      </Card>
      <DeclareModal open={declaring} onClose={() => setDeclaring(false)} />
    </Flex>
  );
}

type DeclareForm = {
  title: string;
  kind: IncidentKind;
  isDrill: boolean;
  summary?: string;
  estimatedSubjects?: number | null;
  impact: Impact;
};

/** An alert an incident is declared from (S2.3 → S2.5): it is marked escalated, its time is the detection time. */
export type DeclaredFromAlert = { id: string; title: string; detectedAt: string; startedAt: string };

/** The declaration dialog: by hand from the register, or from a detection alert's drawer. */
export function DeclareModal({
  open,
  onClose,
  fromAlert,
}: {
  open: boolean;
  onClose: () => void;
  fromAlert?: DeclaredFromAlert;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<DeclareForm>();
  const declare = useMutation({
    mutationFn: (values: DeclareForm) =>
      declareIncident({
        title: values.title,
        kind: values.kind,
        isDrill: values.isDrill,
        ...(values.summary ? { summary: values.summary } : {}),
        ...(values.estimatedSubjects !== undefined && values.estimatedSubjects !== null
          ? { estimatedSubjects: values.estimatedSubjects }
          : {}),
        impact: values.impact,
        ...(fromAlert
          ? { sourceAlertId: fromAlert.id, detectedAt: fromAlert.detectedAt, startedAt: fromAlert.startedAt }
          : {}),
      }),
    onSuccess: (incident) => {
      void message.success(t('incidents.declare.done', { reference: incident.reference }));
      void queryClient.invalidateQueries({ queryKey: incidentsKey });
      onClose();
      void navigate(incidentPath(incident.id));
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  const ratingOptions = ([0, 1, 2, 3, 4] as const).map((value) => ({
    value,
    label: t(`incidents.ratings.r${value}`),
  }));
  return (
    <Modal
      open={open}
      title={t('incidents.declare.title')}
      okText={t('incidents.declare.submit')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={declare.isPending}
      destroyOnHidden
      width={640}
    >
      <Form<DeclareForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{
          ...(fromAlert ? { title: fromAlert.title } : {}),
          kind: 'insider-misuse',
          isDrill: false,
          impact: Object.fromEntries(IMPACT_DIMENSIONS.map((dimension) => [dimension, 0])) as Impact,
        }}
        onFinish={(values) => declare.mutate(values)}
      >
        <Form.Item
          name="title"
          label={t('incidents.declare.name')}
          rules={[{ required: true, message: t('incidents.declare.nameRequired') }]}
        >
          <Input maxLength={200} data-testid="declare-title" />
        </Form.Item>
        <Flex gap="middle" wrap>
          <Form.Item name="kind" label={t('incidents.declare.kind')} style={{ minWidth: 240 }}>
            <Select
              options={INCIDENT_KINDS.map((kind) => ({ value: kind, label: t(`incidents.kinds.${kind}`) }))}
            />
          </Form.Item>
          <Form.Item name="estimatedSubjects" label={t('incidents.declare.estimate')}>
            <InputNumber min={0} style={{ width: 200 }} />
          </Form.Item>
        </Flex>
        <Form.Item name="isDrill" label={t('incidents.declare.drill')} valuePropName="checked">
          <Switch data-testid="declare-drill" />
        </Form.Item>
        <Form.Item name="summary" label={t('incidents.declare.summary')}>
          <Input.TextArea rows={2} maxLength={5_000} />
        </Form.Item>
        <Typography.Text strong>{t('incidents.declare.impact')}</Typography.Text>
        <Flex wrap gap="small" style={{ marginTop: 8 }}>
          {IMPACT_DIMENSIONS.map((dimension) => (
            <Form.Item
              key={dimension}
              name={['impact', dimension]}
              label={t(`incidents.dimensions.${dimension}`)}
              style={{ minWidth: 150, marginBottom: 8 }}
            >
              <Select options={ratingOptions} />
            </Form.Item>
          ))}
        </Flex>
      </Form>
    </Modal>
  );
}
