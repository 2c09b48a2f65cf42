import { DownloadOutlined, FileSearchOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Dropdown,
  Flex,
  Form,
  Input,
  Modal,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { saveBlob } from '../audit/audit-api';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useMe } from '../auth/use-me';
import { clockSkew, formatCountdown, URGENCY_COLOURS, urgencyOf } from './deadline-countdown';
import {
  assessIncident,
  downloadReport,
  EXPORT_FORMATS,
  type ExportFormat,
  incidentReportsQueryKey,
  incidentReportsQueryOptions,
  openUpdate,
  type RegulatoryReport,
  recordSubmission,
  updateReport,
  waiveReport,
} from './regulatory-reports-api';

const STATUS_COLOURS: Record<RegulatoryReport['status'], string> = {
  draft: 'default',
  ready: 'gold',
  submitted: 'green',
  waived: 'default',
};

/** The current time, ticking every second. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

/**
 * An incident's reports to regulators (S4.4), for the incident page: each regime's report with a live
 * countdown to its deadline (red when close or missed), an editor for what a person writes, downloads
 * (PDF, DOCX, JSON), and the record of its submission. The security officer works on them; the internal
 * auditor sees them read-only.
 */
export function IncidentReportsCard({
  incidentId,
  openReportId,
}: {
  incidentId: string;
  openReportId?: string;
}) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const { data: me } = useMe();
  const mayEdit = can(me?.permissions, 'update', 'RegulatoryReport');
  const mayCreate = can(me?.permissions, 'create', 'RegulatoryReport');
  const reports = useQuery(incidentReportsQueryOptions(incidentId));
  const now = useNow();
  const [editing, setEditing] = useState<string | null>(openReportId ?? null);
  const [submitting, setSubmitting] = useState<RegulatoryReport | null>(null);
  const [waiving, setWaiving] = useState<RegulatoryReport | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: incidentReportsQueryKey(incidentId) });

  const skew = reports.data ? clockSkew(reports.data.serverTime, reports.dataUpdatedAt) : 0;
  const serverNow = now + skew;
  const warnFraction = reports.data?.warnFraction ?? 0.25;
  const items = reports.data?.items ?? [];
  const editingReport = items.find((report) => report.id === editing) ?? null;

  const assess = useMutation({
    mutationFn: () => assessIncident(incidentId),
    onSuccess: (result) => {
      void message.success(t('regulatoryReports.card.assessed', { count: result.opened.length }));
      void refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  const download = useMutation({
    mutationFn: ({ id, format }: { id: string; format: ExportFormat }) => downloadReport(id, format),
    onSuccess: ({ blob, fileName }, { format }) => {
      saveBlob(blob, fileName ?? `report.${format}`);
      void message.success(t('regulatoryReports.actions.downloaded'));
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  const update = useMutation({
    mutationFn: openUpdate,
    onSuccess: (report) => {
      void message.success(t('regulatoryReports.actions.updateOpened'));
      void refresh();
      setEditing(report.id);
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  const kindLabel = (report: RegulatoryReport) =>
    t(`regulatoryReports.kinds.${report.kind}`, { sequence: report.sequence });

  return (
    <Card
      size="small"
      title={
        <span>
          <FileSearchOutlined /> {t('regulatoryReports.card.title')}
        </span>
      }
      extra={
        mayCreate ? (
          <Button
            size="small"
            icon={<ReloadOutlined />}
            loading={assess.isPending}
            onClick={() => assess.mutate()}
          >
            {t('regulatoryReports.card.assess')}
          </Button>
        ) : null
      }
    >
      {reports.error ? <Alert type="error" showIcon title={problemMessage(reports.error)} /> : null}
      <Table<RegulatoryReport>
        size="small"
        rowKey="id"
        loading={reports.isLoading}
        dataSource={items}
        pagination={false}
        locale={{ emptyText: t('regulatoryReports.card.empty') }}
        scroll={{ x: true }}
        columns={[
          {
            title: t('regulatoryReports.columns.regime'),
            key: 'regime',
            render: (_, report) => (
              <Space size={4} wrap>
                <Tooltip title={report.regimeName[language]}>
                  <Typography.Text strong>{report.regimeShortName[language]}</Typography.Text>
                </Tooltip>
                {report.isDrill ? <Tag color="purple">{t('regulatoryReports.card.drill')}</Tag> : null}
              </Space>
            ),
          },
          {
            title: t('regulatoryReports.columns.kind'),
            key: 'kind',
            render: (_, report) => kindLabel(report),
          },
          {
            title: t('regulatoryReports.columns.status'),
            key: 'status',
            render: (_, report) => (
              <Tag color={STATUS_COLOURS[report.status]}>
                {t(`regulatoryReports.statuses.${report.status}`)}
              </Tag>
            ),
          },
          {
            title: t('regulatoryReports.columns.due'),
            key: 'due',
            render: (_, report) =>
              report.deadline.dueAt ? (
                <Space size={4} wrap>
                  <span>{formatDateTime(report.deadline.dueAt, language)}</span>
                  {report.deadline.toBeConfirmed ? (
                    <Tag color="orange">{t('regulatoryReports.deadline.toBeConfirmed')}</Tag>
                  ) : null}
                </Space>
              ) : (
                <Typography.Text type="secondary">
                  {report.kind === 'summary' && report.deadline.hours !== null
                    ? t('regulatoryReports.deadline.notStarted')
                    : t('regulatoryReports.deadline.none')}
                </Typography.Text>
              ),
          },
          {
            title: t('regulatoryReports.columns.countdown'),
            key: 'countdown',
            render: (_, report) => {
              const urgency = urgencyOf(report, serverNow, warnFraction);
              if (urgency === 'done')
                return report.deadline.state === 'met' || report.deadline.state === 'late' ? (
                  <Tag color={report.deadline.state === 'met' ? 'green' : 'red'}>
                    {t(`regulatoryReports.deadline.${report.deadline.state}`)}
                  </Tag>
                ) : null;
              if (urgency === 'none' || !report.deadline.dueAt) return null;
              const left = new Date(report.deadline.dueAt).getTime() - serverNow;
              return (
                <Tag
                  color={URGENCY_COLOURS[urgency]}
                  data-urgency={urgency}
                  style={{ fontVariantNumeric: 'tabular-nums' }}
                >
                  {formatCountdown(left, language)}
                </Tag>
              );
            },
          },
          {
            title: t('regulatoryReports.columns.actions'),
            key: 'actions',
            render: (_, report) => {
              const open = report.status === 'draft' || report.status === 'ready';
              return (
                <Space size={4} wrap>
                  <Button size="small" onClick={() => setEditing(report.id)}>
                    {t('regulatoryReports.actions.edit')}
                  </Button>
                  <Dropdown
                    menu={{
                      items: EXPORT_FORMATS.map((format) => ({ key: format, label: format.toUpperCase() })),
                      onClick: ({ key }) => download.mutate({ id: report.id, format: key as ExportFormat }),
                    }}
                  >
                    <Button size="small" icon={<DownloadOutlined />} loading={download.isPending}>
                      {t('regulatoryReports.actions.download')}
                    </Button>
                  </Dropdown>
                  {mayEdit && report.status === 'ready' ? (
                    <Button size="small" type="primary" onClick={() => setSubmitting(report)}>
                      {t('regulatoryReports.actions.submit')}
                    </Button>
                  ) : null}
                  {mayCreate && report.updatesAllowed ? (
                    <Button size="small" loading={update.isPending} onClick={() => update.mutate(report.id)}>
                      {t('regulatoryReports.actions.update')}
                    </Button>
                  ) : null}
                  {mayEdit && open ? (
                    <Button size="small" type="text" onClick={() => setWaiving(report)}>
                      {t('regulatoryReports.actions.waive')}
                    </Button>
                  ) : null}
                </Space>
              );
            },
          },
        ]}
      />
      {reports.data ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('regulatoryReports.card.serverTime')}
        </Typography.Text>
      ) : null}
      <ReportEditor
        report={editingReport}
        editable={mayEdit}
        onClose={() => setEditing(null)}
        onSaved={() => void refresh()}
      />
      <SubmissionDialog
        report={submitting}
        onClose={() => setSubmitting(null)}
        onSaved={() => void refresh()}
      />
      <WaiverDialog report={waiving} onClose={() => setWaiving(null)} onSaved={() => void refresh()} />
    </Card>
  );
}

/** What a person writes into a report, item by item, beside the facts the incident supplied. */
function ReportEditor({
  report,
  editable,
  onClose,
  onSaved,
}: {
  report: RegulatoryReport | null;
  editable: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const [form] = Form.useForm<Record<string, string>>();
  const final = report ? report.status === 'submitted' || report.status === 'waived' : true;
  const writable = editable && !final;

  useEffect(() => {
    if (report)
      form.setFieldsValue(Object.fromEntries(report.items.map((item) => [item.id, item.text ?? ''])));
  }, [report, form]);

  const save = useMutation({
    mutationFn: (input: { status?: 'draft' | 'ready'; refreshFacts?: boolean }) => {
      if (!report) throw new Error('no report');
      const values = form.getFieldsValue();
      const fields = Object.fromEntries(
        report.items.filter((item) => item.person !== 'none').map((item) => [item.id, values[item.id] ?? '']),
      );
      return updateReport(report.id, { expectedVersion: report.version, fields, ...input });
    },
    onSuccess: () => {
      void message.success(t('regulatoryReports.editor.saved'));
      onSaved();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  const labelOf = (id: string) => report?.items.find((item) => item.id === id)?.label[language] ?? id;

  return (
    <Drawer
      open={report !== null}
      onClose={onClose}
      size="large"
      title={
        report
          ? t('regulatoryReports.editor.title', {
              regime: report.regimeShortName[language],
              kind: t(`regulatoryReports.kinds.${report.kind}`, { sequence: report.sequence }),
            })
          : ''
      }
      extra={
        writable && report ? (
          <Space wrap>
            <Button loading={save.isPending} onClick={() => save.mutate({ refreshFacts: true })}>
              {t('regulatoryReports.editor.refreshFacts')}
            </Button>
            <Button loading={save.isPending} onClick={() => save.mutate({ status: 'draft' })}>
              {report.status === 'ready'
                ? t('regulatoryReports.editor.backToDraft')
                : t('regulatoryReports.editor.saveDraft')}
            </Button>
            <Button type="primary" loading={save.isPending} onClick={() => save.mutate({ status: 'ready' })}>
              {t('regulatoryReports.editor.markReady')}
            </Button>
          </Space>
        ) : null
      }
    >
      {report ? (
        <Flex vertical gap="middle">
          <Typography.Text type="secondary">{report.regimeName[language]}</Typography.Text>
          <div>
            <Typography.Text strong>{t('regulatoryReports.editor.recipients')}: </Typography.Text>
            {report.recipients
              .map((recipient) => recipient[language])
              .join(language === 'zh-CN' ? '；' : '; ')}
          </div>
          <div>
            <Typography.Text strong>{t('regulatoryReports.editor.language')}: </Typography.Text>
            {t(`languages.${report.language}`)}
          </div>
          {report.deadline.note ? (
            <Alert type="info" showIcon title={report.deadline.note[language]} />
          ) : null}
          {final ? <Alert type="success" showIcon title={t('regulatoryReports.editor.final')} /> : null}
          {report.waivedReason ? (
            <Alert
              type="warning"
              showIcon
              title={t('regulatoryReports.editor.waived', { reason: report.waivedReason })}
            />
          ) : null}
          {writable ? <Alert type="warning" showIcon title={t('regulatoryReports.editor.notice')} /> : null}
          {writable && report.missing.length > 0 ? (
            <Alert
              type="error"
              showIcon
              title={t('regulatoryReports.editor.missing', {
                items: report.missing.map(labelOf).join(language === 'zh-CN' ? '、' : ', '),
              })}
            />
          ) : null}
          <Form form={form} layout="vertical" disabled={!writable}>
            {report.items.map((item, index) => (
              <Card key={item.id} size="small" style={{ marginBottom: 12 }}>
                <Typography.Text strong>
                  {index + 1}. {item.label[language]}
                </Typography.Text>{' '}
                {item.person === 'required' ? (
                  <Tag color="red">{t('regulatoryReports.editor.required')}</Tag>
                ) : null}
                {item.citation ? (
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {item.citation}
                    </Typography.Text>
                  </div>
                ) : null}
                {item.facts.length > 0 ? (
                  <div style={{ marginTop: 8 }}>
                    <Typography.Text type="secondary">{t('regulatoryReports.editor.facts')}</Typography.Text>
                    <pre style={{ whiteSpace: 'pre-wrap', margin: '4px 0 0', fontFamily: 'inherit' }}>
                      {item.facts.join('\n')}
                    </pre>
                  </div>
                ) : null}
                {item.person !== 'none' ? (
                  <Form.Item
                    name={item.id}
                    label={`${t('regulatoryReports.editor.text')} (${t(
                      item.person === 'required'
                        ? 'regulatoryReports.editor.required'
                        : 'regulatoryReports.editor.optional',
                    )})`}
                    style={{ marginTop: 8, marginBottom: 0 }}
                  >
                    <Input.TextArea rows={3} maxLength={20_000} />
                  </Form.Item>
                ) : null}
              </Card>
            ))}
          </Form>
        </Flex>
      ) : null}
    </Drawer>
  );
}

/** A local date-time for `<input type="datetime-local">`. */
function localDateTime(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

function SubmissionDialog({
  report,
  onClose,
  onSaved,
}: {
  report: RegulatoryReport | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const [form] = Form.useForm<{ at: string; channel: string; reference: string }>();
  useEffect(() => {
    if (report) form.setFieldsValue({ at: localDateTime(new Date()), channel: '', reference: '' });
  }, [report, form]);
  const submit = useMutation({
    mutationFn: (values: { at: string; channel: string; reference: string }) => {
      if (!report) throw new Error('no report');
      return recordSubmission(report.id, {
        expectedVersion: report.version,
        submittedAt: new Date(values.at).toISOString(),
        channel: values.channel,
        reference: values.reference?.trim() ? values.reference.trim() : null,
      });
    },
    onSuccess: () => {
      void message.success(t('regulatoryReports.submission.recorded'));
      onSaved();
      onClose();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  return (
    <Modal
      open={report !== null}
      title={t('regulatoryReports.submission.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={submit.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(values) => submit.mutate(values)}>
        <Form.Item name="at" label={t('regulatoryReports.submission.at')} rules={[{ required: true }]}>
          <Input type="datetime-local" />
        </Form.Item>
        <Form.Item
          name="channel"
          label={t('regulatoryReports.submission.channel')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input maxLength={200} placeholder={t('regulatoryReports.submission.channelPlaceholder')} />
        </Form.Item>
        <Form.Item name="reference" label={t('regulatoryReports.submission.reference')}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function WaiverDialog({
  report,
  onClose,
  onSaved,
}: {
  report: RegulatoryReport | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const [form] = Form.useForm<{ reason: string }>();
  const waive = useMutation({
    mutationFn: (values: { reason: string }) => {
      if (!report) throw new Error('no report');
      return waiveReport(report.id, { expectedVersion: report.version, reason: values.reason });
    },
    onSuccess: () => {
      void message.success(t('regulatoryReports.waiver.done'));
      onSaved();
      onClose();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  return (
    <Modal
      open={report !== null}
      title={t('regulatoryReports.waiver.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={waive.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(values) => waive.mutate(values)}>
        <Form.Item
          name="reason"
          label={t('regulatoryReports.waiver.reason')}
          extra={t('regulatoryReports.waiver.reasonHint')}
          rules={[{ required: true, min: 10, whitespace: true }]}
        >
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
