import { CopyOutlined, FilePdfOutlined, NotificationOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Flex,
  Form,
  Input,
  Modal,
  Progress,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiProblem } from '../../api/api-client';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { saveBlob } from '../audit/audit-api';
import { useProblemMessage } from '../auth/problem-messages';
import { useMe } from '../auth/use-me';
import { catalogueQueryOptions } from '../catalogue/catalogue-api';
import {
  approveCampaign,
  type Campaign,
  type CampaignState,
  type CampaignTexts,
  type ChannelDelivery,
  campaignQueryOptions,
  createCampaign,
  deliveryQueryOptions,
  downloadLetters,
  editCampaign,
  emptyTexts,
  fetchPublicNotice,
  findingsOf,
  mayApprove,
  NOTICE_CHANNELS,
  type NoticeChannel,
  type NoticeLanguage,
  type PublicNotice,
  pauseCampaign,
  progressPercent,
  retryOnChannel,
  retryTargets,
  startCampaign,
  TEXT_FIELDS,
  TEXT_LIMITS,
} from './breach-notices-api';

const STATE_COLOURS: Record<CampaignState, string> = {
  draft: 'default',
  approved: 'blue',
  sending: 'processing',
  paused: 'warning',
  done: 'success',
};
const LANGUAGES: NoticeLanguage[] = ['zh-CN', 'en-US'];

type EditorValues = { channels: NoticeChannel[]; texts: CampaignTexts };

/**
 * An incident's notices to customers (S4.2), for the incident page: write the texts in both languages and
 * choose channels; a second security officer approves; start, pause and resume the sending job with its
 * progress; delivery per channel with "retry on another channel"; letters for the unreached; the public
 * notice. The server enforces all of it (maker-checker, step-up, no personal data in the texts).
 */
export function BreachNoticesCard({ incidentId }: { incidentId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const me = useMe();
  const campaignQuery = useQuery(campaignQueryOptions(incidentId));
  const campaign = campaignQuery.data?.campaign ?? null;
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<PublicNotice | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['breach-notices'] });
  const onError = (error: unknown) => message.error(problemMessage(error));

  const save = useMutation({
    mutationFn: (values: EditorValues) =>
      campaign
        ? editCampaign(campaign, values.channels, values.texts)
        : createCampaign(incidentId, values.channels, values.texts),
    onSuccess: () => {
      setEditing(false);
      message.success(t('breachNotices.card.saved'));
      void refresh();
    },
    onError: (error) => {
      // Name where the server found what looks like personal data (it never echoes the value).
      const findings = isApiProblem(error, 'personal-data-in-text')
        ? findingsOf(error.extensions.findings)
        : [];
      const where = findings.map(({ language, field, kinds }) =>
        t('breachNotices.editor.finding', {
          language: t(`breachNotices.editor.languages.${language}`),
          field: t(`breachNotices.editor.fields.${field}`),
          kinds: kinds.map((kind) => t(`breachNotices.editor.kinds.${kind}`)).join(', '),
        }),
      );
      message.error([problemMessage(error), ...where].join(' '));
    },
  });
  const act = useMutation({
    mutationFn: async (action: 'approve' | 'start' | 'pause') => {
      if (!campaign) throw new Error('no campaign');
      if (action === 'approve') return approveCampaign(campaign);
      return action === 'start' ? startCampaign(campaign.id) : pauseCampaign(campaign.id);
    },
    onSuccess: (_result, action) => {
      const done = { approve: 'approved', start: 'started', pause: 'paused' } as const;
      message.success(t(`breachNotices.card.${done[action]}`));
      void refresh();
    },
    onError,
  });
  const letters = useMutation({
    mutationFn: (id: string) => downloadLetters(id),
    onSuccess: ({ blob, fileName }) => saveBlob(blob, fileName),
    onError,
  });
  const publicNotice = useMutation({ mutationFn: fetchPublicNotice, onSuccess: setNotice, onError });

  return (
    <Card
      size="small"
      loading={campaignQuery.isLoading}
      title={
        <Space>
          <NotificationOutlined />
          {t('breachNotices.card.title')}
          {campaign ? (
            <Tag color={STATE_COLOURS[campaign.state]}>{t(`breachNotices.states.${campaign.state}`)}</Tag>
          ) : null}
          {campaign?.isDrill ? <Tag color="purple">{t('breachNotices.card.drill')}</Tag> : null}
        </Space>
      }
      extra={
        !campaign ? (
          <Button size="small" type="primary" onClick={() => setEditing(true)}>
            {t('breachNotices.card.write')}
          </Button>
        ) : null
      }
    >
      <Typography.Paragraph type="secondary">{t('breachNotices.card.intro')}</Typography.Paragraph>
      {campaignQuery.isError ? (
        <Alert type="error" showIcon message={problemMessage(campaignQuery.error)} />
      ) : null}
      {!campaign && !campaignQuery.isLoading ? (
        <Typography.Text type="secondary">{t('breachNotices.card.none')}</Typography.Text>
      ) : null}
      {campaign ? (
        <CampaignBody
          campaign={campaign}
          userId={me.data?.user.id}
          busy={act.isPending}
          onEdit={() => setEditing(true)}
          onAction={(action) => act.mutate(action)}
          onLetters={() => letters.mutate(campaign.id)}
          lettersBusy={letters.isPending}
          onPublicNotice={() => publicNotice.mutate(campaign.id)}
        />
      ) : null}
      <CampaignEditor
        open={editing}
        initial={campaign ? { channels: campaign.channels, texts: campaign.texts } : undefined}
        saving={save.isPending}
        onCancel={() => setEditing(false)}
        onSave={(values) => save.mutate(values)}
      />
      <Modal
        open={notice !== null}
        title={t('breachNotices.card.publicNotice')}
        footer={null}
        width={720}
        onCancel={() => setNotice(null)}
      >
        {notice ? (
          <Tabs
            items={LANGUAGES.map((noticeLanguage) => ({
              key: noticeLanguage,
              label: t(`breachNotices.editor.languages.${noticeLanguage}`),
              children: (
                <>
                  <Typography.Title level={5}>{notice[noticeLanguage].title}</Typography.Title>
                  <Typography.Paragraph
                    style={{ whiteSpace: 'pre-wrap' }}
                    copyable={{
                      text: `${notice[noticeLanguage].title}\n\n${notice[noticeLanguage].body}`,
                      icon: [<CopyOutlined key="copy" />, <CopyOutlined key="copied" />],
                    }}
                  >
                    {notice[noticeLanguage].body}
                  </Typography.Paragraph>
                </>
              ),
            }))}
          />
        ) : null}
      </Modal>
    </Card>
  );
}

function CampaignBody(props: {
  campaign: Campaign;
  userId: string | undefined;
  busy: boolean;
  onEdit: () => void;
  onAction: (action: 'approve' | 'start' | 'pause') => void;
  onLetters: () => void;
  lettersBusy: boolean;
  onPublicNotice: () => void;
}) {
  const { campaign } = props;
  const { t } = useTranslation();
  const { language } = useLanguage();
  const catalogue = useQuery(catalogueQueryOptions);
  const sent = campaign.state === 'sending' || campaign.state === 'paused' || campaign.state === 'done';
  const categoryName = (id: string) =>
    catalogue.data?.categories.find((category) => category.id === id)?.labels[language] ?? id;
  const { progress } = campaign;

  return (
    <Flex vertical gap={12}>
      <Descriptions size="small" column={2}>
        <Descriptions.Item label={t('breachNotices.card.reference')}>
          {campaign.incidentReference}
        </Descriptions.Item>
        <Descriptions.Item label={t('breachNotices.card.channels')}>
          {campaign.channels.map((channel) => (
            <Tag key={channel}>{t(`breachNotices.channels.${channel}`)}</Tag>
          ))}
        </Descriptions.Item>
        {campaign.approvedAt ? (
          <Descriptions.Item label={t('breachNotices.card.approvedAt')}>
            {formatDateTime(campaign.approvedAt, language)}
          </Descriptions.Item>
        ) : null}
        {campaign.categories.length > 0 ? (
          <Descriptions.Item label={t('breachNotices.card.categories')}>
            {campaign.categories.map((id) => (
              <Tag key={id}>{categoryName(id)}</Tag>
            ))}
          </Descriptions.Item>
        ) : null}
      </Descriptions>
      <Typography.Text strong>{campaign.texts[language].headline}</Typography.Text>

      <Space wrap>
        {campaign.state === 'draft' || campaign.state === 'approved' ? (
          <Button onClick={props.onEdit}>{t('breachNotices.card.edit')}</Button>
        ) : null}
        {campaign.state === 'draft' ? (
          <Tooltip title={t('breachNotices.card.approveHint')}>
            <Button
              type="primary"
              disabled={!mayApprove(campaign, props.userId)}
              loading={props.busy}
              onClick={() => props.onAction('approve')}
            >
              {t('breachNotices.card.approve')}
            </Button>
          </Tooltip>
        ) : null}
        {campaign.state === 'approved' ? (
          <Button type="primary" loading={props.busy} onClick={() => props.onAction('start')}>
            {t('breachNotices.card.start')}
          </Button>
        ) : null}
        {campaign.state === 'sending' ? (
          <Button loading={props.busy} onClick={() => props.onAction('pause')}>
            {t('breachNotices.card.pause')}
          </Button>
        ) : null}
        {campaign.state === 'paused' ? (
          <Button type="primary" loading={props.busy} onClick={() => props.onAction('start')}>
            {t('breachNotices.card.resume')}
          </Button>
        ) : null}
        {campaign.state === 'done' ? (
          <Tooltip title={t('breachNotices.card.sweepAgainHint')}>
            <Button loading={props.busy} onClick={() => props.onAction('start')}>
              {t('breachNotices.card.sweepAgain')}
            </Button>
          </Tooltip>
        ) : null}
        {campaign.state !== 'draft' ? (
          <Tooltip title={t('breachNotices.card.publicNoticeHint')}>
            <Button onClick={props.onPublicNotice}>{t('breachNotices.card.publicNotice')}</Button>
          </Tooltip>
        ) : null}
        {sent ? (
          <Tooltip title={t('breachNotices.card.lettersHint')}>
            <Button icon={<FilePdfOutlined />} loading={props.lettersBusy} onClick={props.onLetters}>
              {t('breachNotices.card.letters')}
            </Button>
          </Tooltip>
        ) : null}
      </Space>

      {sent ? (
        <div>
          <Typography.Text type="secondary">{t('breachNotices.card.progress')}</Typography.Text>
          <Progress
            percent={progressPercent(progress)}
            status={
              campaign.state === 'sending' ? 'active' : campaign.state === 'paused' ? 'exception' : 'success'
            }
            aria-label={t('breachNotices.card.progress')}
          />
          <Typography.Text type="secondary">
            {t('breachNotices.card.progressText', {
              done: progress.done.toLocaleString(language),
              total: (progress.total ?? progress.done).toLocaleString(language),
              queued: progress.queued.toLocaleString(language),
            })}
          </Typography.Text>
        </div>
      ) : null}
      {sent ? <DeliveryTable campaign={campaign} /> : null}
    </Flex>
  );
}

function DeliveryTable({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const delivery = useQuery(deliveryQueryOptions(campaign.id, campaign.state === 'sending'));
  const [targets, setTargets] = useState<Partial<Record<NoticeChannel, NoticeChannel>>>({});
  const retry = useMutation({
    mutationFn: ({ from, to }: { from: NoticeChannel; to: NoticeChannel }) =>
      retryOnChannel(campaign.id, from, to),
    onSuccess: (result) => {
      message.success(t('breachNotices.card.retryDone', { queued: result.queued }));
      void queryClient.invalidateQueries({ queryKey: ['breach-notices'] });
    },
    onError: (error) => message.error(problemMessage(error)),
  });
  const count = (value: number) => value.toLocaleString();

  return (
    <div>
      <Typography.Text type="secondary">{t('breachNotices.card.delivery')}</Typography.Text>
      <Table<ChannelDelivery>
        size="small"
        rowKey="channel"
        pagination={false}
        loading={delivery.isLoading}
        dataSource={delivery.data?.channels ?? []}
        columns={[
          {
            title: t('breachNotices.columns.channel'),
            dataIndex: 'channel',
            render: (channel: NoticeChannel) => t(`breachNotices.channels.${channel}`),
          },
          { title: t('breachNotices.columns.sent'), dataIndex: 'sent', align: 'right', render: count },
          { title: t('breachNotices.columns.pending'), dataIndex: 'pending', align: 'right', render: count },
          { title: t('breachNotices.columns.failed'), dataIndex: 'failed', align: 'right', render: count },
          { title: t('breachNotices.columns.skipped'), dataIndex: 'skipped', align: 'right', render: count },
          {
            title: t('breachNotices.card.retry'),
            key: 'retry',
            render: (_value, row) => {
              if (row.failed + row.skipped === 0) return null;
              const to = targets[row.channel] ?? retryTargets(row.channel)[0];
              return (
                <Space.Compact size="small">
                  <Select<NoticeChannel>
                    size="small"
                    value={to}
                    style={{ width: 120 }}
                    aria-label={t('breachNotices.card.retryTo')}
                    options={retryTargets(row.channel).map((channel) => ({
                      value: channel,
                      label: t(`breachNotices.channels.${channel}`),
                    }))}
                    onChange={(value) => setTargets((current) => ({ ...current, [row.channel]: value }))}
                  />
                  <Button
                    size="small"
                    loading={retry.isPending}
                    onClick={() => to && retry.mutate({ from: row.channel, to })}
                  >
                    {t('breachNotices.card.retry')}
                  </Button>
                </Space.Compact>
              );
            },
          },
        ]}
      />
    </div>
  );
}

function CampaignEditor(props: {
  open: boolean;
  initial: EditorValues | undefined;
  saving: boolean;
  onCancel: () => void;
  onSave: (values: EditorValues) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<EditorValues>();
  return (
    <Modal
      open={props.open}
      title={t('breachNotices.editor.title')}
      width={760}
      okText={t('breachNotices.editor.save')}
      cancelText={t('breachNotices.editor.cancel')}
      confirmLoading={props.saving}
      destroyOnHidden
      onCancel={props.onCancel}
      onOk={() => form.submit()}
    >
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 12 }}
        message={t('breachNotices.editor.noPersonalData')}
      />
      <Form<EditorValues>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={props.initial ?? { channels: ['in-app', 'sms'], texts: emptyTexts() }}
        onFinish={props.onSave}
      >
        <Form.Item
          name="channels"
          label={t('breachNotices.card.channels')}
          rules={[
            { required: true, type: 'array', min: 1, message: t('breachNotices.editor.channelsRequired') },
          ]}
        >
          <Checkbox.Group
            options={NOTICE_CHANNELS.map((channel) => ({
              value: channel,
              label: t(`breachNotices.channels.${channel}`),
            }))}
          />
        </Form.Item>
        <Tabs
          items={LANGUAGES.map((noticeLanguage) => ({
            key: noticeLanguage,
            label: t(`breachNotices.editor.languages.${noticeLanguage}`),
            forceRender: true,
            children: TEXT_FIELDS.map((field) => (
              <Form.Item
                key={field}
                name={['texts', noticeLanguage, field]}
                label={t(`breachNotices.editor.fields.${field}`)}
                extra={t(`breachNotices.editor.hints.${field}`)}
                rules={[{ required: true, whitespace: true, message: t('breachNotices.editor.required') }]}
              >
                {field === 'headline' || field === 'contact' ? (
                  <Input maxLength={TEXT_LIMITS[field]} showCount />
                ) : (
                  <Input.TextArea maxLength={TEXT_LIMITS[field]} showCount rows={4} />
                )}
              </Form.Item>
            )),
          }))}
        />
      </Form>
    </Modal>
  );
}
