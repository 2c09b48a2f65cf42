import {
  ArrowLeftOutlined,
  CheckOutlined,
  ClockCircleOutlined,
  FileDoneOutlined,
  HistoryOutlined,
  NotificationOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Radio,
  Row,
  Select,
  Spin,
  Table,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useRoleLabels } from '../auth/role-labels';
import { useMe } from '../auth/use-me';
import { campaignQueryKey } from '../breach-notices/breach-notices-api';
import { BreachNoticesCard } from '../breach-notices/breach-notices-card';
import { CompensationClaimsCard } from '../breach-notices/compensation-claims-card';
import { IncidentReportsCard } from '../regulatory-reports/incident-reports-card';
import { incidentReportsQueryKey } from '../regulatory-reports/regulatory-reports-api';
import { IncidentContainmentCard } from './incident-containment-card';
import { DrillTag, GradeTag, LevelTag, StateTag } from './incident-labels';
import { IncidentScopeCard } from './incident-scope-card';
import {
  addTask,
  type CnGrade,
  decideNotification,
  IMPACT_DIMENSIONS,
  type Impact,
  type IncidentDetail,
  type IncidentState,
  type IncidentTask,
  incidentKey,
  incidentQueryOptions,
  incidentsKey,
  moveIncident,
  recordReview,
  timelineQueryOptions,
  updateIncident,
  updateTask,
} from './incidents-api';

type BlockerKey =
  | 'notification-not-decided-notify'
  | 'notification-undecided'
  | 'notify-first'
  | 'review-missing'
  | 'tasks-open';

/** One incident (S2.5, S4): severity with reasons, notification decision, blast radius, containment, tasks, timeline, review. */
export function IncidentPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { data: me } = useMe();
  const problemMessage = useProblemMessage();
  const incident = useQuery(incidentQueryOptions(id));
  const mayUpdate = can(me?.permissions, 'update', 'Incident');
  useDependentsRefresh(id, incident.data);

  if (incident.error) return <Alert type="error" showIcon title={problemMessage(incident.error)} />;
  if (!incident.data) return <Spin />;
  const data = incident.data;
  return (
    <Flex vertical gap="large" data-testid="incident-page">
      <Link to="/incidents">
        <ArrowLeftOutlined /> {t('incidents.page.back')}
      </Link>
      <Flex justify="space-between" align="flex-start" wrap gap="middle">
        <div>
          <Flex gap="small" align="center" wrap>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {data.reference}
            </Typography.Title>
            {data.isDrill && <DrillTag />}
            <StateTag state={data.state} />
            <Tag>{t(`incidents.kinds.${data.kind}`)}</Tag>
          </Flex>
          <Typography.Title level={5} style={{ marginTop: 4 }}>
            {data.title}
          </Typography.Title>
          <Typography.Text type="secondary">
            {t('incidents.page.declaredAt', { at: formatDateTime(data.declaredAt, language) })} ·{' '}
            {t('incidents.page.detectedAt', { at: formatDateTime(data.detectedAt, language) })}
          </Typography.Text>
        </div>
        {mayUpdate && <MoveButtons incident={data} />}
      </Flex>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <SeverityCard incident={data} mayUpdate={mayUpdate} />
        </Col>
        <Col xs={24} xl={10}>
          <NotificationCard incident={data} mayUpdate={mayUpdate} />
        </Col>
      </Row>
      <IncidentScopeCard
        incident={data}
        mayUpdate={mayUpdate}
        mayExport={can(me?.permissions, 'export', 'Incident')}
      />
      <IncidentContainmentCard
        incident={data}
        mayContain={can(me?.permissions, 'contain', 'Incident')}
        mayApprove={can(me?.permissions, 'approve', 'Incident')}
        myId={me?.user.id}
      />
      {can(me?.permissions, 'read', 'RegulatoryReport') && <IncidentReportsCard incidentId={data.id} />}
      {can(me?.permissions, 'read', 'BreachNotice') && <BreachNoticesCard incidentId={data.id} />}
      <CompensationClaimsCard incidentId={data.id} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <TasksCard incident={data} mayUpdate={mayUpdate} />
        </Col>
        <Col xs={24} xl={10}>
          <TimelineCard incidentId={data.id} />
        </Col>
      </Row>
      <ReviewCard incident={data} mayUpdate={mayUpdate} />
    </Flex>
  );
}

/**
 * The reports and notices cards are built from the incident's facts (scope, grade, measures), which the server
 * re-reads on every change: when the incident changes, they are asked again (not on the first load).
 */
function useDependentsRefresh(incidentId: string, incident: IncidentDetail | undefined) {
  const queryClient = useQueryClient();
  const revision = incident
    ? `${incident.version}:${incident.scopes.length}:${incident.containment.length}`
    : undefined;
  const seen = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (revision === undefined) return;
    const previous = seen.current;
    seen.current = revision;
    if (previous === undefined || previous === revision) return;
    void queryClient.invalidateQueries({ queryKey: incidentReportsQueryKey(incidentId) });
    void queryClient.invalidateQueries({ queryKey: campaignQueryKey(incidentId) });
  }, [revision, incidentId, queryClient]);
}

function useRefresh(incidentId: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: incidentKey(incidentId) });
    void queryClient.invalidateQueries({ queryKey: incidentsKey, exact: false });
  };
}

function MoveButtons({ incident }: { incident: IncidentDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const refresh = useRefresh(incident.id);
  const [reason, setReason] = useState('');
  const move = useMutation({
    mutationFn: (to: IncidentState) =>
      moveIncident(incident.id, {
        to,
        version: incident.version,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      }),
    onSuccess: () => {
      void message.success(t('incidents.page.moved'));
      refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  return (
    <Flex gap="small" wrap>
      {incident.allowedTransitions.map((transition) => {
        const label = t('incidents.page.move', { state: t(`incidents.states.${transition.to}`) });
        const early = transition.to === 'closed' && incident.state !== 'remediating';
        const blocked = transition.blockers.length > 0;
        const button = (
          <Button
            key={transition.to}
            type={blocked ? 'default' : 'primary'}
            disabled={blocked}
            data-testid={`move-${transition.to}`}
          >
            {label}
          </Button>
        );
        return blocked ? (
          <Tooltip
            key={transition.to}
            title={transition.blockers
              .map((blocker) => t(`incidents.page.blockers.${blocker as BlockerKey}`))
              .join('；')}
          >
            {button}
          </Tooltip>
        ) : (
          <Popconfirm
            key={transition.to}
            title={t('incidents.page.moveConfirm', { state: t(`incidents.states.${transition.to}`) })}
            description={
              early ? (
                <Input
                  placeholder={t('incidents.page.closeReason')}
                  value={reason}
                  onChange={(event) => setReason(event.target.value)}
                />
              ) : undefined
            }
            okText={t('common.yes')}
            cancelText={t('common.no')}
            onConfirm={() => move.mutateAsync(transition.to).catch(() => {})}
          >
            {button}
          </Popconfirm>
        );
      })}
    </Flex>
  );
}

function SeverityCard({ incident, mayUpdate }: { incident: IncidentDetail; mayUpdate: boolean }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const refresh = useRefresh(incident.id);
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<SeverityForm>();
  const raising = Form.useWatch('raisedGrade', form);
  const save = useMutation({
    mutationFn: (values: SeverityForm) =>
      updateIncident(incident.id, {
        impact: values.impact,
        estimatedSubjects: values.estimatedSubjects ?? null,
        // The officer may raise the grade the people count gives (never lower it), saying why.
        raisedGrade:
          values.raisedGrade && values.raisedGrade !== 'general'
            ? { grade: values.raisedGrade, reason: values.raisedGradeReason?.trim() ?? '' }
            : null,
        version: incident.version,
      }),
    onSuccess: () => {
      void message.success(t('incidents.severity.saved'));
      setEditing(false);
      refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  const assessment = incident.assessment;
  return (
    <Card
      title={
        <span>
          <WarningOutlined /> {t('incidents.severity.title')}
        </span>
      }
      extra={
        mayUpdate &&
        incident.state !== 'closed' && (
          <Button size="small" onClick={() => setEditing(true)}>
            {t('incidents.severity.edit')}
          </Button>
        )
      }
      data-testid="severity-card"
    >
      <Flex vertical gap="middle">
        <Descriptions size="small" layout="vertical" column={{ xs: 1, sm: 3 }}>
          <Descriptions.Item label={t('incidents.severity.level')}>
            <LevelTag level={assessment.level} />
          </Descriptions.Item>
          <Descriptions.Item label={t('incidents.severity.grade')}>
            <GradeTag grade={assessment.grade} />
          </Descriptions.Item>
          <Descriptions.Item label={t('incidents.severity.subjects')}>
            {assessment.subjects.count.toLocaleString(language)} (
            {t(`incidents.severity.source.${assessment.subjects.source}`)})
          </Descriptions.Item>
        </Descriptions>
        <Flex wrap gap="small">
          {IMPACT_DIMENSIONS.map((dimension) => (
            <Tag
              key={dimension}
              color={
                assessment.impact[dimension] >= 3
                  ? 'red'
                  : assessment.impact[dimension] >= 2
                    ? 'orange'
                    : 'default'
              }
            >
              {t(`incidents.dimensions.${dimension}`)}:{' '}
              {t(`incidents.ratings.r${assessment.impact[dimension]}`)}
            </Tag>
          ))}
        </Flex>
        <div>
          <Typography.Text strong>{t('incidents.severity.reasons')}</Typography.Text>
          <ul className="claimguard-reasons" data-testid="severity-reasons">
            {[...assessment.levelReasons, ...assessment.gradeReasons].map((reason) => (
              <li key={`${reason.code}-${reason.text['en-US']}`}>{reason.text[language]}</li>
            ))}
          </ul>
        </div>
      </Flex>
      <Modal
        open={editing}
        title={t('incidents.severity.edit')}
        onCancel={() => setEditing(false)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{
            impact: incident.impact,
            estimatedSubjects: incident.estimatedSubjects,
            raisedGrade: incident.raisedGrade?.grade ?? 'general',
            raisedGradeReason: incident.raisedGrade?.reason ?? '',
          }}
          onFinish={(values) => save.mutate(values)}
        >
          {IMPACT_DIMENSIONS.map((dimension) => (
            <Form.Item
              key={dimension}
              name={['impact', dimension]}
              label={t(`incidents.dimensions.${dimension}`)}
            >
              <Radio.Group
                optionType="button"
                options={([0, 1, 2, 3, 4] as const).map((value) => ({
                  value,
                  label: t(`incidents.ratings.r${value}`),
                }))}
              />
            </Form.Item>
          ))}
          <Form.Item
            name="estimatedSubjects"
            label={t('incidents.severity.estimate')}
            extra={t('incidents.severity.estimateHint')}
          >
            <InputNumber min={0} precision={0} style={{ width: '100%' }} data-testid="severity-estimate" />
          </Form.Item>
          <Form.Item
            name="raisedGrade"
            label={t('incidents.severity.raiseGrade')}
            extra={t('incidents.severity.raiseGradeHint')}
          >
            <Select
              data-testid="severity-raise-grade"
              options={CN_GRADE_VALUES.map((grade) => ({
                value: grade,
                label:
                  grade === 'general' ? t('incidents.severity.asComputed') : t(`incidents.grades.${grade}`),
              }))}
            />
          </Form.Item>
          {raising && raising !== 'general' && (
            <Form.Item
              name="raisedGradeReason"
              label={t('incidents.severity.raiseReason')}
              rules={[{ required: true, min: 5, max: 500, message: t('incidents.severity.raiseReasonRule') }]}
            >
              <Input.TextArea rows={3} maxLength={500} data-testid="severity-raise-reason" />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Card>
  );
}

type SeverityForm = {
  impact: Impact;
  estimatedSubjects: number | null;
  raisedGrade: CnGrade;
  raisedGradeReason?: string;
};
const CN_GRADE_VALUES: readonly CnGrade[] = ['general', 'larger', 'major', 'especially-major'];

function NotificationCard({ incident, mayUpdate }: { incident: IncidentDetail; mayUpdate: boolean }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const refresh = useRefresh(incident.id);
  const [form] = Form.useForm<{ decision: 'notify' | 'not-required'; reasons: string }>();
  const save = useMutation({
    mutationFn: (values: { decision: 'notify' | 'not-required'; reasons: string }) =>
      decideNotification(incident.id, values),
    onSuccess: () => {
      void message.success(t('incidents.notification.saved'));
      refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  const current = incident.notification;
  return (
    <Card
      title={
        <span>
          <NotificationOutlined /> {t('incidents.notification.title')}
        </span>
      }
    >
      <Flex vertical gap="small">
        <Flex gap="small" align="center">
          <Tag color={current.decision === 'undecided' ? 'default' : 'blue'}>
            {t(`incidents.notification.${current.decision}`)}
          </Tag>
          {current.decidedAt && (
            <Typography.Text type="secondary">{formatDateTime(current.decidedAt, language)}</Typography.Text>
          )}
        </Flex>
        {current.reasons && <Typography.Paragraph>{current.reasons}</Typography.Paragraph>}
        {mayUpdate && incident.state !== 'closed' && (
          <Form
            form={form}
            layout="vertical"
            initialValues={{
              decision: current.decision === 'not-required' ? 'not-required' : 'notify',
              reasons: current.reasons,
            }}
            onFinish={(values) => save.mutate(values)}
          >
            <Form.Item name="decision">
              <Radio.Group
                options={[
                  { value: 'notify', label: t('incidents.notification.notify') },
                  { value: 'not-required', label: t('incidents.notification.not-required') },
                ]}
              />
            </Form.Item>
            <Form.Item
              name="reasons"
              label={t('incidents.notification.reasons')}
              rules={[
                { required: true, whitespace: true, message: t('incidents.notification.reasonsRequired') },
              ]}
            >
              <Input.TextArea rows={2} maxLength={5_000} />
            </Form.Item>
            <Button htmlType="submit" loading={save.isPending}>
              {t('incidents.notification.save')}
            </Button>
          </Form>
        )}
      </Flex>
    </Card>
  );
}

function TasksCard({ incident, mayUpdate }: { incident: IncidentDetail; mayUpdate: boolean }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const refresh = useRefresh(incident.id);
  const { roles, labelOf } = useRoleLabels();
  const [taskForm] = Form.useForm<{
    title: string;
    source: 'remedial' | 'regulator';
    ownerRole: string;
    dueAt?: Dayjs;
  }>();
  const add = useMutation({
    mutationFn: (values: {
      title: string;
      source: 'remedial' | 'regulator';
      ownerRole: string;
      dueAt?: Dayjs;
    }) =>
      addTask(incident.id, {
        title: values.title,
        source: values.source,
        ownerRole: values.ownerRole,
        dueAt: values.dueAt ? values.dueAt.toISOString() : null,
      }),
    onSuccess: () => {
      void message.success(t('incidents.tasks.saved'));
      taskForm.resetFields();
      refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  const [completing, setCompleting] = useState<IncidentTask | null>(null);
  const [evidence, setEvidence] = useState('');
  const complete = useMutation({
    mutationFn: ({ task, note }: { task: IncidentTask; note: string }) =>
      updateTask(incident.id, task.id, { state: 'done', evidence: note }),
    onSuccess: () => {
      void message.success(t('incidents.tasks.saved'));
      setCompleting(null);
      setEvidence('');
      refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  return (
    <Card
      title={
        <span>
          <ClockCircleOutlined /> {t('incidents.tasks.title')}
        </span>
      }
      styles={{ body: { padding: 0 } }}
    >
      <Table<IncidentTask>
        rowKey="id"
        size="small"
        dataSource={incident.tasks}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="tasks-table"
        columns={[
          {
            title: t('incidents.tasks.columns.title'),
            key: 'title',
            render: (_, task) => (
              <Flex vertical gap={2}>
                <span>{task.title[language]}</span>
                <Tag style={{ width: 'fit-content' }}>{t(`incidents.tasks.sources.${task.source}`)}</Tag>
              </Flex>
            ),
          },
          {
            title: t('incidents.tasks.columns.owner'),
            dataIndex: 'ownerRole',
            render: (role: string) => labelOf(role) || role,
          },
          {
            title: t('incidents.tasks.columns.due'),
            dataIndex: 'dueAt',
            render: (value: string | null, task) => (
              <Flex vertical gap={2}>
                <span>{formatDateTime(value, language)}</span>
                {task.overdue && <Tag color="red">{t('incidents.tasks.overdue')}</Tag>}
              </Flex>
            ),
          },
          {
            title: t('incidents.tasks.columns.state'),
            dataIndex: 'state',
            render: (state: IncidentTask['state']) => (
              <Tag color={state === 'done' ? 'green' : state === 'open' ? 'blue' : 'default'}>
                {t(`incidents.tasks.states.${state}`)}
              </Tag>
            ),
          },
          {
            title: t('incidents.tasks.columns.evidence'),
            dataIndex: 'evidence',
            render: (value: string) => <Typography.Text type="secondary">{value || '—'}</Typography.Text>,
          },
          {
            title: t('incidents.tasks.columns.actions'),
            key: 'actions',
            render: (_, task) =>
              mayUpdate && task.state === 'open' ? (
                <Button size="small" icon={<CheckOutlined />} onClick={() => setCompleting(task)}>
                  {t('incidents.tasks.done')}
                </Button>
              ) : null,
          },
        ]}
      />
      {mayUpdate && incident.state !== 'closed' && (
        <Form
          form={taskForm}
          layout="inline"
          className="claimguard-filter-form claimguard-load-more"
          initialValues={{ source: 'remedial', ownerRole: 'security_officer' }}
          onFinish={(values) => add.mutate(values)}
        >
          <Form.Item
            name="title"
            rules={[{ required: true, whitespace: true, message: t('incidents.tasks.taskTitle') }]}
          >
            <Input placeholder={t('incidents.tasks.taskTitle')} style={{ width: 260 }} maxLength={300} />
          </Form.Item>
          <Form.Item name="source">
            <Select
              style={{ width: 120 }}
              options={(['remedial', 'regulator'] as const).map((value) => ({
                value,
                label: t(`incidents.tasks.sources.${value}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="ownerRole">
            <Select
              style={{ width: 140 }}
              options={roles.map((option) => ({ value: option.role, label: labelOf(option.role) }))}
            />
          </Form.Item>
          <Form.Item name="dueAt">
            <DatePicker placeholder={t('incidents.tasks.columns.due')} />
          </Form.Item>
          <Button htmlType="submit" loading={add.isPending}>
            {t('incidents.tasks.add')}
          </Button>
        </Form>
      )}
      <Modal
        open={completing !== null}
        title={completing?.title[language]}
        onCancel={() => setCompleting(null)}
        onOk={() =>
          completing && evidence.trim() && complete.mutate({ task: completing, note: evidence.trim() })
        }
        confirmLoading={complete.isPending}
        destroyOnHidden
      >
        <Typography.Text>{t('incidents.tasks.evidence')}</Typography.Text>
        <Input.TextArea
          rows={3}
          value={evidence}
          onChange={(event) => setEvidence(event.target.value)}
          maxLength={5_000}
        />
      </Modal>
    </Card>
  );
}

type EntryKey = keyof typeof import('./incidents-i18n').incidentsZhCN.entries;

function TimelineCard({ incidentId }: { incidentId: string }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const timeline = useQuery(timelineQueryOptions(incidentId));
  const { labelOf } = useRoleLabels();
  const entries = timeline.data?.items ?? [];
  return (
    <Card
      title={
        <span>
          <HistoryOutlined /> {t('incidents.timeline.title')}
        </span>
      }
    >
      {entries.length === 0 ? (
        <Typography.Text type="secondary">{t('incidents.timeline.empty')}</Typography.Text>
      ) : (
        <div className="claimguard-timeline" data-testid="incident-timeline">
          <Timeline
            items={[...entries].reverse().map((entry) => ({
              key: entry.id,
              color: entry.entry.startsWith('containment') ? 'red' : 'blue',
              content: (
                <Flex vertical gap={2}>
                  <Typography.Text strong>
                    {t(`incidents.entries.${entry.entry as EntryKey}`, { defaultValue: entry.entry })}
                  </Typography.Text>
                  <Typography.Text type="secondary">
                    {formatDateTime(entry.at, language)} ·{' '}
                    {entry.actor.role ? labelOf(entry.actor.role) || entry.actor.role : entry.actor.type}{' '}
                    {entry.actor.id ? entry.actor.id.slice(0, 8) : ''}
                  </Typography.Text>
                  <Flex wrap gap={2}>
                    {Object.entries(entry.details)
                      .filter(([, value]) => value !== null && value !== '')
                      .slice(0, 6)
                      .map(([key, value]) => (
                        <Tag key={key}>
                          {key}:{' '}
                          {String(value).length > 24 ? `${String(value).slice(0, 20)}…` : String(value)}
                        </Tag>
                      ))}
                  </Flex>
                </Flex>
              ),
            }))}
          />
        </div>
      )}
    </Card>
  );
}

function ReviewCard({ incident, mayUpdate }: { incident: IncidentDetail; mayUpdate: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const refresh = useRefresh(incident.id);
  const [form] = Form.useForm<{ cause: string; whatWorked: string; lessons: string; followUps?: string }>();
  const save = useMutation({
    mutationFn: (values: { cause: string; whatWorked: string; lessons: string; followUps?: string }) =>
      recordReview(incident.id, {
        cause: values.cause,
        whatWorked: values.whatWorked,
        lessons: values.lessons,
        followUps: (values.followUps ?? '')
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean)
          .map((title) => ({ title, ownerRole: 'security_officer', dueAt: null })),
      }),
    onSuccess: () => {
      void message.success(t('incidents.review.saved'));
      refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  const editable = mayUpdate && ['contained', 'notifying', 'remediating'].includes(incident.state);
  if (!incident.review && !editable) return null;
  const required = [{ required: true, whitespace: true, message: t('incidents.review.required') }];
  return (
    <Card
      title={
        <span>
          <FileDoneOutlined /> {t('incidents.review.title')}
        </span>
      }
    >
      {editable ? (
        <Form
          form={form}
          layout="vertical"
          initialValues={{
            cause: incident.review?.cause,
            whatWorked: incident.review?.whatWorked,
            lessons: incident.review?.lessons,
            followUps: incident.review?.followUps.map((entry) => entry.title).join('\n'),
          }}
          onFinish={(values) => save.mutate(values)}
        >
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="cause" label={t('incidents.review.cause')} rules={required}>
                <Input.TextArea rows={2} maxLength={5_000} />
              </Form.Item>
              <Form.Item name="whatWorked" label={t('incidents.review.whatWorked')} rules={required}>
                <Input.TextArea rows={2} maxLength={5_000} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="lessons" label={t('incidents.review.lessons')} rules={required}>
                <Input.TextArea rows={2} maxLength={5_000} />
              </Form.Item>
              <Form.Item name="followUps" label={t('incidents.review.followUps')}>
                <Input.TextArea rows={2} />
              </Form.Item>
            </Col>
          </Row>
          <Button htmlType="submit" loading={save.isPending}>
            {t('incidents.review.save')}
          </Button>
        </Form>
      ) : (
        incident.review && (
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={t('incidents.review.cause')}>{incident.review.cause}</Descriptions.Item>
            <Descriptions.Item label={t('incidents.review.whatWorked')}>
              {incident.review.whatWorked}
            </Descriptions.Item>
            <Descriptions.Item label={t('incidents.review.lessons')}>
              {incident.review.lessons}
            </Descriptions.Item>
          </Descriptions>
        )
      )}
    </Card>
  );
}
