import { AlertOutlined, CheckOutlined, StopOutlined, UserAddOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Flex,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { formatDateTime, formatTimestamp } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useMe } from '../auth/use-me';
import { DeclareModal } from '../incidents/incidents-register-page';
import {
  ALERT_STATUSES,
  type AlertFilter,
  type AlertStatus,
  acknowledgeAlert,
  alertQueryOptions,
  alertsQueryOptions,
  assignAlert,
  type DetectionAlert,
  detectionKeys,
  dismissAlert,
  type EvidenceEvent,
  RULE_IDS,
  type RuleId,
  SEVERITIES,
  type Severity,
} from './detection-api';
import { SeverityTag, StaffName } from './detection-parts';

export const DETECTION_ALERTS_PATH = '/detection/alerts';
const PAGE_SIZE = 20;
const STATUS_COLOURS: Record<AlertStatus, string> = {
  open: 'red',
  acknowledged: 'gold',
  dismissed: 'default',
  escalated: 'purple',
};

/** Detection alerts (S2.3): a filtered, paged table; an alert's evidence and actions open in a drawer. */
export function DetectionAlertsPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const problemMessage = useProblemMessage();
  const navigate = useNavigate();
  const { id: openId } = useParams();
  const [filter, setFilter] = useState<AlertFilter>({ status: ['open', 'acknowledged'] });
  const [page, setPage] = useState(1);
  const alerts = useQuery(alertsQueryOptions(filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }));
  const changeFilter = (next: AlertFilter) => {
    setFilter(next);
    setPage(1);
  };

  return (
    <Flex vertical gap="large">
      <div>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {t('detection.alerts.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('detection.alerts.subtitle')}</Typography.Text>
      </div>
      {alerts.error && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(alerts.error)}
          action={<Button onClick={() => void alerts.refetch()}>{t('common.retry')}</Button>}
        />
      )}
      <Card styles={{ body: { padding: 0 } }}>
        <Space wrap className="claimguard-filter-form" style={{ padding: 12 }}>
          <Select<AlertStatus[]>
            mode="multiple"
            allowClear
            style={{ minWidth: 220 }}
            placeholder={t('detection.alerts.filters.status')}
            aria-label={t('detection.alerts.filters.status')}
            data-testid="alerts-status-filter"
            value={filter.status ?? []}
            onChange={(status) => changeFilter({ ...filter, status })}
            options={ALERT_STATUSES.map((status) => ({
              value: status,
              label: t(`detection.status.${status}`),
            }))}
          />
          <Select<Severity[]>
            mode="multiple"
            allowClear
            style={{ minWidth: 180 }}
            placeholder={t('detection.alerts.filters.severity')}
            aria-label={t('detection.alerts.filters.severity')}
            value={filter.severity ?? []}
            onChange={(severity) => changeFilter({ ...filter, severity })}
            options={SEVERITIES.map((severity) => ({
              value: severity,
              label: t(`detection.severity.${severity}`),
            }))}
          />
          <Select<RuleId | ''>
            style={{ minWidth: 200 }}
            aria-label={t('detection.alerts.filters.rule')}
            value={filter.ruleId ?? ''}
            onChange={(ruleId) => changeFilter({ ...filter, ruleId: ruleId || undefined })}
            options={[
              { value: '', label: t('detection.alerts.filters.rule') },
              ...RULE_IDS.map((rule) => ({ value: rule, label: t(`detection.rules.${rule}`) })),
            ]}
          />
          <Input.Search
            allowClear
            style={{ width: 240 }}
            placeholder={t('detection.alerts.filters.actor')}
            aria-label={t('detection.alerts.filters.actor')}
            onSearch={(value) => changeFilter({ ...filter, actorId: value.trim() || undefined })}
          />
          <Button onClick={() => changeFilter({})}>{t('detection.alerts.filters.clear')}</Button>
        </Space>
        <Table<DetectionAlert>
          rowKey="id"
          loading={alerts.isPending}
          dataSource={alerts.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('detection.alerts.empty') }}
          data-testid="detection-alerts-table"
          onRow={(alert) => ({
            onClick: () => void navigate(`${DETECTION_ALERTS_PATH}/${alert.id}`),
            style: { cursor: 'pointer' },
          })}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: alerts.data?.total ?? 0,
            onChange: setPage,
            showSizeChanger: false,
            hideOnSinglePage: true,
          }}
          columns={[
            {
              title: t('detection.alerts.columns.severity'),
              dataIndex: 'severity',
              render: (severity: Severity) => <SeverityTag severity={severity} />,
            },
            {
              title: t('detection.alerts.columns.rule'),
              dataIndex: 'ruleId',
              render: (rule: RuleId, alert) => (
                <Space size={4}>
                  {t(`detection.rules.${rule}`)}
                  {alert.honeytokenId && <Tag color="magenta">{t('detection.alerts.honeytoken')}</Tag>}
                </Space>
              ),
            },
            {
              title: t('detection.alerts.columns.actor'),
              key: 'actor',
              render: (_, alert) =>
                alert.actor.id ? (
                  <StaffName id={alert.actor.id} role={alert.actor.role} />
                ) : (
                  <Typography.Text type="secondary">{String(alert.details.network ?? '—')}</Typography.Text>
                ),
            },
            { title: t('detection.alerts.columns.hits'), dataIndex: 'hitCount' },
            {
              title: t('detection.alerts.columns.window'),
              key: 'when',
              render: (_, alert) => formatDateTime(alert.lastEventAt, language),
            },
            {
              title: t('detection.alerts.columns.status'),
              dataIndex: 'status',
              render: (status: AlertStatus) => (
                <Tag color={STATUS_COLOURS[status]}>{t(`detection.status.${status}`)}</Tag>
              ),
            },
            {
              title: t('detection.alerts.columns.assignee'),
              dataIndex: 'assigneeId',
              render: (id: string | null) => <StaffName id={id} />,
            },
          ]}
        />
      </Card>
      <Drawer
        open={Boolean(openId)}
        onClose={() => void navigate(DETECTION_ALERTS_PATH)}
        title={t('detection.alerts.drawerTitle')}
        size="large"
        destroyOnHidden
      >
        {openId && <AlertDrawerBody id={openId} />}
      </Drawer>
    </Flex>
  );
}

function AlertDrawerBody({ id }: { id: string }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const { data: me } = useMe();
  const alert = useQuery(alertQueryOptions(id));
  const [dismissing, setDismissing] = useState(false);
  const [declaring, setDeclaring] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const mayChange = can(me?.permissions, 'update', 'DetectionAlert');
  const mayDeclare = can(me?.permissions, 'create', 'Incident');

  const act = useMutation({
    mutationFn: (action: () => Promise<unknown>) => action(),
    onSuccess: () => {
      void message.success(t('detection.alerts.done'));
      void queryClient.invalidateQueries({ queryKey: detectionKeys.all });
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  if (alert.error) return <Alert type="error" showIcon title={problemMessage(alert.error)} />;
  const data = alert.data;
  if (!data) return null;
  const active = data.status === 'open' || data.status === 'acknowledged';

  return (
    <Flex vertical gap="middle" data-testid="detection-alert-drawer">
      <Flex wrap gap="small" align="center">
        <SeverityTag severity={data.severity} />
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t(`detection.rules.${data.ruleId}`)}
        </Typography.Title>
        <Tag color={STATUS_COLOURS[data.status]}>{t(`detection.status.${data.status}`)}</Tag>
      </Flex>
      <Typography.Text type="secondary">{t(`detection.ruleDescriptions.${data.ruleId}`)}</Typography.Text>
      {mayChange && (
        <Space wrap>
          {data.status === 'open' && (
            <Button
              type="primary"
              icon={<CheckOutlined />}
              loading={act.isPending}
              onClick={() => act.mutate(() => acknowledgeAlert(id))}
            >
              {t('detection.alerts.acknowledge')}
            </Button>
          )}
          {data.status !== 'dismissed' && me?.user && data.assigneeId !== me.user.id && (
            <Button icon={<UserAddOutlined />} onClick={() => act.mutate(() => assignAlert(id, me.user.id))}>
              {t('detection.alerts.assignToMe')}
            </Button>
          )}
          {data.status !== 'dismissed' && data.assigneeId && (
            <Button onClick={() => act.mutate(() => assignAlert(id, null))}>
              {t('detection.alerts.unassign')}
            </Button>
          )}
          {active && mayDeclare && (
            <Button
              danger
              type="primary"
              icon={<AlertOutlined />}
              onClick={() => setDeclaring(true)}
              data-testid="alert-declare-incident"
            >
              {t('detection.alerts.declareIncident')}
            </Button>
          )}
          {active && (
            <Button danger icon={<StopOutlined />} onClick={() => setDismissing(true)}>
              {t('detection.alerts.dismiss')}
            </Button>
          )}
        </Space>
      )}
      {declaring && (
        <DeclareModal
          open={declaring}
          onClose={() => {
            setDeclaring(false);
            void queryClient.invalidateQueries({ queryKey: detectionKeys.all });
          }}
          fromAlert={{
            id: data.id,
            title: t('detection.alerts.incidentTitle', { rule: t(`detection.rules.${data.ruleId}`) }),
            detectedAt: data.createdAt,
            startedAt: data.firstEventAt,
          }}
        />
      )}
      {data.dismissReason && (
        <Alert type="info" title={t('detection.alerts.dismissed', { reason: data.dismissReason })} />
      )}
      {data.incidentId && (
        <Alert type="warning" title={t('detection.alerts.incident', { id: data.incidentId })} />
      )}
      <Descriptions size="small" bordered column={1} title={t('detection.alerts.summary')}>
        <Descriptions.Item label={t('detection.alerts.columns.actor')}>
          {data.actor.id ? <StaffName id={data.actor.id} role={data.actor.role} /> : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('detection.alerts.columns.hits')}>{data.hitCount}</Descriptions.Item>
        <Descriptions.Item label={t('detection.alerts.windowStart')}>
          {formatDateTime(data.windowStart, language)}
        </Descriptions.Item>
        <Descriptions.Item label={t('detection.alerts.firstEvent')}>
          {formatTimestamp(data.firstEventAt, language)} (#{data.firstSeq})
        </Descriptions.Item>
        <Descriptions.Item label={t('detection.alerts.lastEvent')}>
          {formatTimestamp(data.lastEventAt, language)} (#{data.lastSeq})
        </Descriptions.Item>
        <Descriptions.Item label={t('detection.alerts.columns.assignee')}>
          <StaffName id={data.assigneeId} />
        </Descriptions.Item>
        <Descriptions.Item label={t('detection.alerts.details')}>
          <Flex wrap gap={4}>
            {Object.entries(data.details).map(([key, value]) => (
              <Tag key={key}>
                {key}: {String(value)}
              </Tag>
            ))}
          </Flex>
        </Descriptions.Item>
      </Descriptions>
      <Typography.Title level={5} style={{ marginBottom: 0 }}>
        {t('detection.alerts.evidence')}
      </Typography.Title>
      <Typography.Text type="secondary">
        {t('detection.alerts.evidenceCount', { n: data.evidence.length })}
      </Typography.Text>
      <Table<EvidenceEvent>
        rowKey="seq"
        size="small"
        dataSource={data.evidence}
        pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
        scroll={{ x: 'max-content' }}
        data-testid="detection-evidence"
        columns={[
          { title: t('detection.alerts.columnsEvidence.seq'), dataIndex: 'seq' },
          {
            title: t('detection.alerts.columnsEvidence.at'),
            dataIndex: 'at',
            render: (value: string) => formatTimestamp(value, language),
          },
          { title: t('detection.alerts.columnsEvidence.action'), dataIndex: 'action' },
          {
            title: t('detection.alerts.columnsEvidence.resource'),
            key: 'resource',
            render: (_, event) => (
              <Typography.Text code>
                {event.resource.type}
                {event.resource.id ? `:${event.resource.id.slice(0, 8)}` : ''}
              </Typography.Text>
            ),
          },
          {
            title: t('detection.alerts.columnsEvidence.subject'),
            dataIndex: 'dataSubjectId',
            render: (value: string | null) =>
              value ? <Typography.Text code>{value.slice(0, 8)}</Typography.Text> : '—',
          },
          {
            title: t('detection.alerts.columnsEvidence.outcome'),
            dataIndex: 'outcome',
            render: (outcome: string) => <Tag color={outcome === 'success' ? 'green' : 'red'}>{outcome}</Tag>,
          },
          {
            title: t('detection.alerts.columnsEvidence.ip'),
            key: 'ip',
            render: (_, event) => event.actor.ip ?? '—',
          },
        ]}
      />
      <Modal
        open={dismissing}
        title={t('detection.alerts.dismissTitle')}
        okText={t('detection.alerts.dismiss')}
        okButtonProps={{ danger: true, loading: act.isPending }}
        onCancel={() => setDismissing(false)}
        destroyOnHidden
        onOk={() =>
          form.validateFields().then(({ reason }) =>
            act
              .mutateAsync(() => dismissAlert(id, reason))
              .then(
                () => setDismissing(false),
                () => {},
              ),
          )
        }
      >
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item
            name="reason"
            label={t('detection.alerts.dismissReason')}
            extra={t('detection.alerts.dismissReasonHint')}
            rules={[{ required: true, min: 5, max: 1000, whitespace: true }]}
          >
            <Input.TextArea rows={3} maxLength={1000} data-testid="dismiss-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  );
}
