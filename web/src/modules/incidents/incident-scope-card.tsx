import { AimOutlined, LockOutlined } from '@ant-design/icons';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  Flex,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ChartOption, EChartsView } from '../../app/echarts-view';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { saveBlob } from '../audit/audit-api';
import { useProblemMessage } from '../auth/problem-messages';
import {
  type AffectedSubject,
  computeScope,
  exportScope,
  type IncidentDetail,
  incidentKey,
  scopeQueryOptions,
  subjectsQueryOptions,
} from './incidents-api';

type CategoryKey =
  | 'identity'
  | 'contact'
  | 'financial'
  | 'health'
  | 'biometric'
  | 'location'
  | 'claim-evidence'
  | 'uncatalogued';
const CATEGORIES: readonly string[] = [
  'identity',
  'contact',
  'financial',
  'health',
  'biometric',
  'location',
  'claim-evidence',
  'uncatalogued',
];
const categoryKey = (category: string): CategoryKey =>
  (CATEGORIES.includes(category) ? category : 'uncatalogued') as CategoryKey;

const splitList = (value: string | undefined) =>
  (value ?? '')
    .split(/[\s,，]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);

type ScopeForm = { users?: string; tokens?: string; sessions?: string; ips?: string; window: [Dayjs, Dayjs] };

/**
 * The blast radius (S4.1): criteria, the saved versions, counts by catalogue category as a bar chart, the
 * affected people masked, and the encrypted export.
 */
export function IncidentScopeCard({
  incident,
  mayUpdate,
  mayExport,
}: {
  incident: IncidentDetail;
  mayUpdate: boolean;
  mayExport: boolean;
}) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const latest = incident.scopes.at(-1)?.version ?? null;
  const [chosen, setChosen] = useState<number | null>(null);
  const version = chosen ?? latest;
  const scope = useQuery({ ...scopeQueryOptions(incident.id, version ?? 0), enabled: version !== null });
  const [form] = Form.useForm<ScopeForm>();
  const [exporting, setExporting] = useState(false);

  const compute = useMutation({
    mutationFn: (values: ScopeForm) =>
      computeScope(incident.id, {
        userIds: splitList(values.users),
        apiTokenIds: splitList(values.tokens),
        sessionIds: splitList(values.sessions),
        ipAddresses: splitList(values.ips),
        resources: [],
        from: values.window[0].toISOString(),
        to: values.window[1].toISOString(),
      }),
    onSuccess: (saved) => {
      void message.success(
        t('incidents.scope.computed', { version: saved.version, subjects: saved.subjects }),
      );
      setChosen(null);
      void queryClient.invalidateQueries({ queryKey: incidentKey(incident.id) });
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  const chartOption = useMemo<ChartOption>(() => {
    const rows = scope.data?.summary.byCategory ?? [];
    return {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'item', renderMode: 'richText' },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: {
        type: 'category',
        data: rows.map((row) => t(`incidents.scope.categories.${categoryKey(row.category)}`)),
      },
      series: [
        {
          type: 'bar',
          data: rows.map((row) => row.subjects),
          label: { show: true, position: 'right' },
          itemStyle: { color: '#cf1322' },
        },
      ],
    };
  }, [scope.data, t]);

  const criteria = scope.data?.criteria;
  return (
    <Card
      title={
        <span>
          <AimOutlined /> {t('incidents.scope.title')}
        </span>
      }
      extra={
        incident.scopes.length > 0 && (
          <Flex gap="small" align="center">
            <Typography.Text type="secondary">{t('incidents.scope.versions')}</Typography.Text>
            <Select<number>
              size="small"
              value={version ?? undefined}
              onChange={setChosen}
              data-testid="scope-version"
              options={incident.scopes.map((entry) => ({
                value: entry.version,
                label: `${t('incidents.scope.version', { version: entry.version })} · ${entry.subjects}`,
              }))}
            />
            {mayExport && version !== null && (
              <Button size="small" icon={<LockOutlined />} onClick={() => setExporting(true)}>
                {t('incidents.scope.export')}
              </Button>
            )}
          </Flex>
        )
      }
    >
      <Flex vertical gap="middle">
        {mayUpdate && incident.state !== 'closed' && (
          <Form<ScopeForm>
            form={form}
            layout="inline"
            className="claimguard-filter-form"
            initialValues={{
              users: criteria?.userIds.join(', '),
              window: [dayjs().subtract(30, 'day'), dayjs().add(1, 'minute')],
            }}
            onFinish={(values) => compute.mutate(values)}
          >
            <Form.Item
              name="users"
              label={t('incidents.scope.users')}
              tooltip={t('incidents.scope.listHint')}
            >
              <Input style={{ width: 300 }} data-testid="scope-users" />
            </Form.Item>
            <Form.Item name="tokens" label={t('incidents.scope.tokens')}>
              <Input style={{ width: 180 }} />
            </Form.Item>
            <Form.Item name="sessions" label={t('incidents.scope.sessions')}>
              <Input style={{ width: 180 }} />
            </Form.Item>
            <Form.Item name="ips" label={t('incidents.scope.ips')}>
              <Input style={{ width: 180 }} />
            </Form.Item>
            <Form.Item name="window" label={t('incidents.scope.window')} rules={[{ required: true }]}>
              <DatePicker.RangePicker showTime />
            </Form.Item>
            <Form.Item>
              <Button
                type="primary"
                htmlType="submit"
                loading={compute.isPending}
                data-testid="scope-compute"
              >
                {t('incidents.scope.compute')}
              </Button>
            </Form.Item>
          </Form>
        )}
        {version === null ? (
          <Empty description={t('incidents.scope.none')} />
        ) : (
          scope.data && (
            <>
              <Row gutter={[16, 16]}>
                <Col xs={12} md={6}>
                  <Statistic
                    title={t('incidents.scope.subjects')}
                    value={scope.data.subjects}
                    data-testid="scope-subjects"
                  />
                </Col>
                <Col xs={12} md={6}>
                  <Statistic title={t('incidents.scope.events')} value={scope.data.events} />
                </Col>
                <Col xs={12} md={6}>
                  <Statistic
                    title={t('incidents.scope.sensitive')}
                    value={scope.data.summary.sensitiveSubjects}
                  />
                </Col>
                <Col xs={12} md={6}>
                  <Statistic
                    title={t('incidents.scope.unmasked')}
                    value={scope.data.summary.unmaskedSubjects}
                  />
                </Col>
              </Row>
              {(scope.data.summary.decoySubjects ?? 0) > 0 && (
                <Alert
                  type="warning"
                  showIcon
                  data-testid="scope-decoys"
                  title={t('incidents.scope.decoys', { n: scope.data.summary.decoySubjects })}
                />
              )}
              <Typography.Text type="secondary">
                {formatDateTime(scope.data.criteria.from, language)} –{' '}
                {formatDateTime(scope.data.criteria.to, language)}
                {scope.data.criteria.userIds.length > 0 && ` · ${scope.data.criteria.userIds.join(', ')}`}
              </Typography.Text>
              <Row gutter={[16, 16]}>
                <Col xs={24} lg={10}>
                  <Typography.Text strong>{t('incidents.scope.byCategory')}</Typography.Text>
                  <EChartsView
                    option={chartOption}
                    className="claimguard-chart"
                    ariaLabel={t('incidents.scope.chartLabel')}
                    testId="scope-chart"
                  />
                </Col>
                <Col xs={24} lg={14}>
                  <Typography.Text strong>{t('incidents.scope.list')}</Typography.Text>
                  <AffectedList key={version} incidentId={incident.id} version={version} />
                </Col>
              </Row>
            </>
          )
        )}
      </Flex>
      {version !== null && (
        <ExportModal
          incidentId={incident.id}
          version={version}
          open={exporting}
          onClose={() => setExporting(false)}
        />
      )}
    </Card>
  );
}

function AffectedList({ incidentId, version }: { incidentId: string; version: number }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const results = useQueries({
    queries: cursors.map((after) => subjectsQueryOptions(incidentId, version, after)),
  });
  const rows: AffectedSubject[] = results.flatMap((result) => result.data?.items ?? []);
  const next = results.at(-1)?.data?.nextCursor ?? null;
  return (
    <Flex vertical gap="small">
      <Table<AffectedSubject>
        rowKey="subjectId"
        size="small"
        loading={results.some((result) => result.isPending)}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 'max-content', y: 320 }}
        data-testid="affected-table"
        columns={[
          {
            title: t('incidents.scope.columns.name'),
            dataIndex: 'maskedName',
            render: (value: string | null) => value ?? '—',
          },
          {
            title: t('incidents.scope.columns.categories'),
            dataIndex: 'categories',
            render: (categories: string[], row) => (
              <Flex wrap gap={2}>
                {categories.map((category) => (
                  <Tag key={category} color={row.sensitive ? 'red' : 'default'}>
                    {t(`incidents.scope.categories.${categoryKey(category)}`)}
                  </Tag>
                ))}
              </Flex>
            ),
          },
          {
            title: t('incidents.scope.columns.fields'),
            dataIndex: 'fields',
            render: (fields: string[], row) => (
              <Typography.Text type="secondary">
                {fields.map((field) => (row.unmaskedFields.includes(field) ? `${field}*` : field)).join(', ')}
              </Typography.Text>
            ),
          },
          { title: t('incidents.scope.columns.events'), dataIndex: 'events', align: 'right' },
          {
            title: t('incidents.scope.columns.lastAt'),
            dataIndex: 'lastAt',
            render: (value: string) => formatDateTime(value, language),
          },
          {
            title: t('incidents.scope.columns.subject'),
            dataIndex: 'subjectId',
            render: (value: string) => <Typography.Text code>{value.slice(0, 8)}</Typography.Text>,
          },
        ]}
      />
      {next && (
        <Button size="small" onClick={() => setCursors((current) => [...current, next])}>
          {t('incidents.scope.more')}
        </Button>
      )}
    </Flex>
  );
}

function ExportModal({
  incidentId,
  version,
  open,
  onClose,
}: {
  incidentId: string;
  version: number;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const [form] = Form.useForm<{ password: string }>();
  const download = useMutation({
    mutationFn: ({ password }: { password: string }) => exportScope(incidentId, version, password),
    onSuccess: ({ blob, fileName }) => {
      saveBlob(blob, fileName ?? `incident-scope-v${version}.cgexport`);
      void message.success(t('incidents.scope.exported'));
      onClose();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  return (
    <Modal
      open={open}
      title={t('incidents.scope.exportTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={download.isPending}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('incidents.scope.exportHint')}</Typography.Paragraph>
      <Form form={form} layout="vertical" preserve={false} onFinish={(values) => download.mutate(values)}>
        <Form.Item
          name="password"
          label={t('incidents.scope.password')}
          rules={[{ required: true, min: 16, message: t('incidents.scope.passwordRule') }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
