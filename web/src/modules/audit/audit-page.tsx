import {
  AuditOutlined,
  CheckCircleOutlined,
  DownloadOutlined,
  SafetyCertificateOutlined,
  SearchOutlined,
} from '@ant-design/icons';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Flex,
  Form,
  Grid,
  Input,
  List,
  Result,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTimestamp } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useRoleLabels } from '../auth/role-labels';
import { useMe } from '../auth/use-me';
import {
  AUDIT_OUTCOMES,
  type AuditEventRecord,
  type AuditFilter,
  type AuditVerifyReport,
  exportAuditLog,
  fetchAuditEvents,
  fetchInclusionProof,
  saveBlob,
  verifyAuditLog,
} from './audit-api';
import { verifyInclusionProof } from './verify-inclusion';

type FilterFormValues = {
  action?: string;
  actorId?: string;
  dataSubjectId?: string;
  resourceType?: string;
  outcome?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
};

const OUTCOME_COLOURS: Record<string, string> = { success: 'success', denied: 'warning', failure: 'error' };

function filterOf(values: FilterFormValues): AuditFilter {
  const [from, to] = values.range ?? [];
  return {
    action: values.action,
    actorId: values.actorId,
    dataSubjectId: values.dataSubjectId,
    resourceType: values.resourceType,
    outcome: values.outcome,
    from: from?.toDate().toISOString(),
    to: to?.toDate().toISOString(),
  };
}

/** A hash shown short, with the full value a click away (copyable). */
function Hash({ value, testId }: { value: string; testId?: string }) {
  return (
    <Typography.Text code copyable={{ text: value }} data-testid={testId} className="claimguard-hash">
      {value}
    </Typography.Text>
  );
}

/** The audit log (S6.1, S6.5): search, per-event inclusion proofs checked in the browser, chain verification, export. */
export function AuditPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const { data: me } = useMe();
  const { labelOf } = useRoleLabels();
  const [form] = Form.useForm<FilterFormValues>();
  const [filter, setFilter] = useState<AuditFilter>({});
  const isPhone = Grid.useBreakpoint().sm === false;
  const mayVerify = can(me?.permissions, 'verify', 'AuditLog');
  const mayExport = can(me?.permissions, 'export', 'AuditLog');

  const events = useInfiniteQuery({
    queryKey: ['audit-events', filter] as const,
    queryFn: ({ pageParam, signal }) => fetchAuditEvents(filter, pageParam, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  const verify = useMutation({ mutationFn: verifyAuditLog });
  const exporting = useMutation({
    mutationFn: () => exportAuditLog(filter),
    onSuccess: ({ blob, fileName }) => {
      saveBlob(blob, fileName);
      void message.success(t('audit.export.done', { file: fileName }));
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  return (
    <Flex vertical gap="large">
      <Flex justify="space-between" align="flex-start" wrap gap="middle">
        <div>
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            {t('audit.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('audit.subtitle')}</Typography.Text>
        </div>
        <Space wrap>
          {mayVerify && (
            <Button
              type="primary"
              icon={<SafetyCertificateOutlined />}
              loading={verify.isPending}
              onClick={() => verify.mutate()}
              data-testid="audit-verify"
            >
              {t('audit.verify.button')}
            </Button>
          )}
          {mayExport && (
            <Button
              icon={<DownloadOutlined />}
              loading={exporting.isPending}
              onClick={() => exporting.mutate()}
              data-testid="audit-export"
            >
              {t('audit.export.button')}
            </Button>
          )}
        </Space>
      </Flex>

      {verify.error && <Alert type="error" showIcon title={problemMessage(verify.error)} />}
      {verify.data && <VerifyResult report={verify.data} />}

      <Card size="small">
        <Form<FilterFormValues>
          form={form}
          layout={isPhone ? 'vertical' : 'inline'}
          onFinish={(values) => setFilter(filterOf(values))}
          data-testid="audit-filters"
          className="claimguard-filter-form"
        >
          <Form.Item name="action" label={t('audit.filters.action')}>
            <Input allowClear placeholder={t('audit.filters.actionPlaceholder')} maxLength={100} />
          </Form.Item>
          <Form.Item name="actorId" label={t('audit.filters.actorId')}>
            <Input allowClear maxLength={200} />
          </Form.Item>
          <Form.Item name="dataSubjectId" label={t('audit.filters.dataSubjectId')}>
            <Input allowClear maxLength={200} />
          </Form.Item>
          <Form.Item name="resourceType" label={t('audit.filters.resourceType')}>
            <Input allowClear maxLength={100} />
          </Form.Item>
          <Form.Item name="outcome" label={t('audit.filters.outcome')}>
            <Select
              allowClear
              placeholder={t('audit.filters.anyOutcome')}
              style={{ minWidth: 140 }}
              options={AUDIT_OUTCOMES.map((outcome) => ({
                value: outcome,
                label: t(`audit.outcomes.${outcome}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="range" label={t('audit.filters.timeRange')}>
            <DatePicker.RangePicker showTime allowEmpty={[true, true]} className="claimguard-range-picker" />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
                {t('audit.filters.search')}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  setFilter({});
                }}
              >
                {t('audit.filters.reset')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>

      {events.error && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(events.error)}
          action={<Button onClick={() => void events.refetch()}>{t('common.retry')}</Button>}
        />
      )}

      <Card
        styles={{ body: { padding: 0 } }}
        title={
          <span>
            <AuditOutlined /> {t('audit.title')}
          </span>
        }
        extra={
          <Typography.Text type="secondary" data-testid="audit-count">
            {t('audit.loadedCount', { n: items.length })}
          </Typography.Text>
        }
      >
        <Table<AuditEventRecord>
          rowKey="seq"
          loading={events.isPending}
          dataSource={items}
          pagination={false}
          scroll={{ x: 'max-content' }}
          size="middle"
          data-testid="audit-table"
          locale={{ emptyText: t('audit.empty') }}
          expandable={{
            expandedRowRender: (record) => <EventDetails record={record} />,
          }}
          columns={[
            {
              title: t('audit.columns.seq'),
              dataIndex: 'seq',
              render: (seq: number) => <Typography.Text code>{seq}</Typography.Text>,
            },
            {
              title: t('audit.columns.time'),
              key: 'time',
              render: (_, { event }) => <span title={event.ts}>{formatTimestamp(event.ts, language)}</span>,
            },
            {
              title: t('audit.columns.actor'),
              key: 'actor',
              render: (_, { event: { actor } }) => (
                <Flex vertical gap={2}>
                  <Space size={4}>
                    <Tag>{t(`audit.actorTypes.${actor.type as 'staff'}`, { defaultValue: actor.type })}</Tag>
                    {actor.role && <Typography.Text>{labelOf(actor.role) || actor.role}</Typography.Text>}
                  </Space>
                  {actor.id && (
                    <Typography.Text type="secondary" code>
                      {actor.id}
                    </Typography.Text>
                  )}
                </Flex>
              ),
            },
            {
              title: t('audit.columns.action'),
              key: 'action',
              render: (_, { event }) => <Typography.Text code>{event.action}</Typography.Text>,
            },
            {
              title: t('audit.columns.outcome'),
              key: 'outcome',
              render: (_, { event }) => (
                <Tag color={OUTCOME_COLOURS[event.outcome]}>
                  {t(`audit.outcomes.${event.outcome as 'success'}`, { defaultValue: event.outcome })}
                </Tag>
              ),
            },
            {
              title: t('audit.columns.resource'),
              key: 'resource',
              render: (_, { event: { resource } }) => (
                <Flex vertical gap={2}>
                  <Typography.Text>{resource.type}</Typography.Text>
                  {resource.id && (
                    <Typography.Text type="secondary" code>
                      {resource.id}
                    </Typography.Text>
                  )}
                </Flex>
              ),
            },
            {
              title: t('audit.columns.dataSubject'),
              key: 'dataSubject',
              render: (_, { event }) =>
                event.dataSubjectId ? <Typography.Text code>{event.dataSubjectId}</Typography.Text> : '—',
            },
            {
              title: t('audit.columns.fields'),
              key: 'fields',
              render: (_, { event }) =>
                event.fields.length > 0 ? (
                  <Flex wrap gap={4}>
                    {event.fields.map((field) => (
                      <Tag key={field}>{field}</Tag>
                    ))}
                  </Flex>
                ) : (
                  '—'
                ),
            },
            {
              title: t('audit.columns.purpose'),
              key: 'purpose',
              render: (_, { event }) => event.purpose ?? '—',
            },
          ]}
        />
        <Flex justify="center" className="claimguard-load-more">
          {events.hasNextPage ? (
            <Button
              onClick={() => void events.fetchNextPage()}
              loading={events.isFetchingNextPage}
              data-testid="audit-load-more"
            >
              {t('audit.loadMore')}
            </Button>
          ) : (
            items.length > 0 && <Typography.Text type="secondary">{t('audit.noMore')}</Typography.Text>
          )}
        </Flex>
      </Card>
    </Flex>
  );
}

function VerifyResult({ report }: { report: AuditVerifyReport }) {
  const { t } = useTranslation();
  if (report.intact) {
    return (
      <Card size="small" data-testid="audit-verify-result">
        <Result
          status="success"
          icon={<CheckCircleOutlined />}
          title={t('audit.verify.intact', { events: report.events, root: report.rootHash.slice(0, 16) })}
          subTitle={t('audit.verify.intactDetail', {
            checkpoints: report.checkpointsChecked,
            files: report.checkpointFilesChecked,
            ms: Math.round(report.durationMs),
          })}
          className="claimguard-compact-result"
        >
          <Flex justify="center">
            <Hash value={report.rootHash} testId="audit-verify-root" />
          </Flex>
        </Result>
      </Card>
    );
  }
  return (
    <Card size="small" data-testid="audit-verify-result">
      <Result
        status="error"
        title={t('audit.verify.broken', { n: report.problems.length })}
        subTitle={report.problemsTruncated ? t('audit.verify.truncated') : undefined}
        className="claimguard-compact-result"
      >
        <List
          size="small"
          dataSource={report.problems}
          renderItem={(problem) => (
            <List.Item>
              <Space wrap>
                <Tag color="error">{problem.kind}</Tag>
                <Typography.Text code>
                  {problem.fromSeq === null
                    ? t('audit.verify.noRange')
                    : problem.toSeq === null || problem.toSeq === problem.fromSeq
                      ? t('audit.verify.single', { seq: problem.fromSeq })
                      : t('audit.verify.range', { from: problem.fromSeq, to: problem.toSeq })}
                </Typography.Text>
                {problem.checkpoint && (
                  <Tag>{t('audit.verify.checkpoint', { size: problem.checkpoint.size })}</Tag>
                )}
                <Typography.Text>{problem.message}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      </Result>
    </Card>
  );
}

function EventDetails({ record }: { record: AuditEventRecord }) {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const { event } = record;
  const details = Object.entries(event.details);

  const proof = useMutation({
    mutationFn: async () => {
      const answer = await fetchInclusionProof(record.seq);
      return { answer, check: await verifyInclusionProof(answer, record.leafHash) };
    },
  });

  return (
    <Flex vertical gap="middle" data-testid={`audit-event-${record.seq}`}>
      <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
        <Descriptions.Item label={t('audit.details')} span={2}>
          {details.length === 0 ? (
            t('audit.noDetails')
          ) : (
            <Flex wrap gap={4}>
              {details.map(([key, value]) => (
                <Tag key={key}>
                  {key}: {String(value)}
                </Tag>
              ))}
            </Flex>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('audit.requestId')}>
          {event.requestId ? <Typography.Text code>{event.requestId}</Typography.Text> : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('audit.sessionId')}>
          {event.actor.sessionId ? <Typography.Text code>{event.actor.sessionId}</Typography.Text> : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('audit.ip')}>{event.actor.ip ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('audit.userAgent')}>{event.actor.userAgent ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('audit.leafHash')} span={2}>
          <Hash value={record.leafHash} />
        </Descriptions.Item>
      </Descriptions>
      <div>
        <Button
          icon={<SafetyCertificateOutlined />}
          loading={proof.isPending}
          onClick={() => proof.mutate()}
          data-testid="audit-proof-button"
        >
          {t('audit.proof.button')}
        </Button>
      </div>
      {proof.isPending && (
        <Space>
          <Spin size="small" />
          <Typography.Text type="secondary">{t('audit.proof.verifying')}</Typography.Text>
        </Space>
      )}
      {proof.error && (
        <Alert
          type="error"
          showIcon
          title={t('audit.proof.failed')}
          description={problemMessage(proof.error)}
        />
      )}
      {proof.data && (
        <Flex vertical gap="small" data-testid="audit-proof-result">
          <Alert
            type={proof.data.check.valid ? 'success' : 'error'}
            showIcon
            data-testid={proof.data.check.valid ? 'audit-proof-valid' : 'audit-proof-invalid'}
            title={
              proof.data.check.valid
                ? t('audit.proof.valid', { size: proof.data.answer.treeSize })
                : t('audit.proof.invalid')
            }
          />
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('audit.proof.treeSize')}>
              {proof.data.answer.treeSize}
            </Descriptions.Item>
            <Descriptions.Item label={t('audit.proof.rootHash')}>
              <Hash value={proof.data.answer.rootHash} />
            </Descriptions.Item>
            <Descriptions.Item label={t('audit.proof.computedRoot')}>
              {proof.data.check.computedRoot ? <Hash value={proof.data.check.computedRoot} /> : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('audit.proof.path', { n: proof.data.answer.proof.length })}>
              {proof.data.answer.proof.length === 0 ? (
                t('audit.proof.emptyPath')
              ) : (
                <ol className="claimguard-proof-path">
                  {proof.data.answer.proof.map((node, index) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a proof path is ordered and may repeat a hash
                    <li key={index}>
                      <Typography.Text code className="claimguard-hash">
                        {node}
                      </Typography.Text>
                    </li>
                  ))}
                </ol>
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('audit.proof.checkpoint')}>
              {proof.data.answer.checkpoint ? (
                <pre className="claimguard-checkpoint">{proof.data.answer.checkpoint}</pre>
              ) : (
                <Typography.Text type="secondary">{t('audit.proof.noCheckpoint')}</Typography.Text>
              )}
            </Descriptions.Item>
          </Descriptions>
        </Flex>
      )}
    </Flex>
  );
}
