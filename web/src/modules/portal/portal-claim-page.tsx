import { ArrowLeftOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Flex,
  Form,
  Input,
  Modal,
  Radio,
  Spin,
  Steps,
  Tag,
  Timeline,
  Typography,
  theme,
  Upload,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { formatDate, formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { formatAmount } from '../claims/claim-format';
import {
  CLAIM_PATH,
  type PortalClaimDetail,
  portalApi,
  portalKeys,
  progressOf,
  type TimelineStep,
} from './portal-api';
import { STATE_COLOURS } from './portal-claims-page';
import { useLabel, usePortalProblemMessage } from './portal-common';
import { portalPaths } from './portal-paths';

const PAYOUT_COLOURS = { proposed: 'gold', approved: 'blue', paid: 'green' } as const;

/** One of my claims: its progress, payout, history, documents (upload) and, while allowed, withdrawal. */
export function PortalClaimPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { token } = theme.useToken();
  const label = useLabel();
  const problemMessage = usePortalProblemMessage();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const claim = useQuery({ queryKey: portalKeys.claim(id), queryFn: () => portalApi.claim(id) });
  const [category, setCategory] = useState<'photo' | 'medical'>('photo');
  const [withdrawing, setWithdrawing] = useState(false);
  const [withdrawForm] = Form.useForm<{ reason: string }>();

  const refresh = (detail?: PortalClaimDetail) => {
    if (detail) queryClient.setQueryData(portalKeys.claim(id), detail);
    else void queryClient.invalidateQueries({ queryKey: portalKeys.claim(id) });
    void queryClient.invalidateQueries({ queryKey: portalKeys.claims });
  };

  const upload = useMutation({
    mutationFn: (file: File) => portalApi.upload(id, category, file),
    onSuccess: () => {
      void message.success(t('portal.detail.uploaded'));
      refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  const withdraw = useMutation({
    mutationFn: (reason: string) => portalApi.withdraw(id, { reason, version: claim.data?.version ?? 0 }),
    onSuccess: (detail) => {
      setWithdrawing(false);
      void message.success(t('portal.detail.withdrawn'));
      refresh(detail);
    },
  });

  if (claim.isPending) return <Spin />;
  if (claim.isError) return <Alert type="error" showIcon title={problemMessage(claim.error)} />;
  const detail = claim.data;
  const progress = progressOf(detail.state, detail.timeline);
  const canWithdraw = detail.allowedTransitions.some((move) => move.to === 'withdrawn');
  const masked = (value: PortalClaimDetail['description']) =>
    value ? value.value : <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;
  const who = (step: TimelineStep) =>
    step.actorType === 'customer'
      ? t('portal.history.you')
      : step.actorType === 'system'
        ? t('portal.history.system')
        : label('roles', step.actorRole);

  return (
    <Flex vertical gap="middle">
      <Link to={portalPaths.claims}>
        <ArrowLeftOutlined /> {t('portal.detail.back')}
      </Link>
      <Flex justify="space-between" align="center" wrap gap="small">
        <Typography.Title level={3} style={{ margin: 0 }}>
          {detail.number} <Tag color={STATE_COLOURS[detail.state]}>{label('states', detail.state)}</Tag>
        </Typography.Title>
        {canWithdraw ? (
          <Button danger onClick={() => setWithdrawing(true)}>
            {t('portal.detail.withdraw')}
          </Button>
        ) : null}
      </Flex>

      <Card title={t('portal.detail.progress')}>
        <Steps
          size="small"
          current={progress.current}
          status={progress.off === 'rejected' ? 'error' : progress.off === 'withdrawn' ? 'wait' : 'process'}
          items={CLAIM_PATH.map((state) => ({ key: state, title: label('states', state) }))}
          responsive
        />
        {progress.off ? (
          <Alert
            style={{ marginTop: 16 }}
            type={progress.off === 'rejected' ? 'error' : 'info'}
            showIcon
            title={label('states', progress.off)}
            description={
              detail.resolutionReason
                ? `${t('portal.detail.resolutionReason')}: ${detail.resolutionReason}`
                : undefined
            }
          />
        ) : null}
      </Card>

      <Card>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('portal.detail.policy')}>
            {detail.policy.number} · {label('productLines', detail.policy.productLine)}
          </Descriptions.Item>
          <Descriptions.Item label={t('portal.detail.period')}>
            {formatDate(detail.policy.startsOn, language)} – {formatDate(detail.policy.endsOn, language)}
          </Descriptions.Item>
          <Descriptions.Item label={t('portal.detail.incidentDate')}>
            {formatDate(detail.incidentDate, language)}
          </Descriptions.Item>
          <Descriptions.Item label={t('portal.detail.amountClaimed')}>
            {formatAmount(detail.amountClaimed, language) || t('common.empty')}
          </Descriptions.Item>
          <Descriptions.Item label={t('portal.detail.description')} span="filled">
            {masked(detail.description)}
          </Descriptions.Item>
          <Descriptions.Item label={t('portal.detail.incidentLocation')} span="filled">
            {masked(detail.incidentLocation)}
          </Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t('portal.detail.maskedNote')}
        </Typography.Paragraph>
      </Card>

      {detail.payouts.length > 0 ? (
        <Card title={t('portal.detail.payouts')} data-testid="portal-payouts">
          <Flex vertical gap="middle">
            {detail.payouts.map((payout) => (
              <Descriptions key={payout.proposedAt} column={{ xs: 1, md: 2 }} size="small">
                <Descriptions.Item label={t('portal.detail.payoutAmount')}>
                  <Flex gap="small" align="center">
                    <Typography.Text strong>
                      {formatAmount(payout.amount, language, payout.currency)}
                    </Typography.Text>
                    <Tag color={PAYOUT_COLOURS[payout.state]}>
                      {t(`portal.detail.payoutState.${payout.state}`)}
                    </Tag>
                  </Flex>
                </Descriptions.Item>
                <Descriptions.Item label={t('portal.detail.payee')}>
                  {payout.payee ? `${payout.payee.bankName} ${payout.payee.number.value}` : t('common.empty')}
                </Descriptions.Item>
                <Descriptions.Item label={t('portal.detail.proposedAt')}>
                  {formatDateTime(payout.proposedAt, language)}
                </Descriptions.Item>
                <Descriptions.Item label={t('portal.detail.paidAt')}>
                  {payout.paidAt ? formatDateTime(payout.paidAt, language) : t('common.empty')}
                </Descriptions.Item>
              </Descriptions>
            ))}
          </Flex>
        </Card>
      ) : null}

      <Card title={t('portal.detail.timeline')}>
        <Timeline
          items={detail.timeline.map((step) => ({
            key: `${step.at}-${step.to}`,
            color: step.to === 'rejected' ? 'red' : step.to === 'withdrawn' ? 'gray' : 'blue',
            content: (
              <Flex vertical>
                <Typography.Text strong>{label('states', step.to)}</Typography.Text>
                <Typography.Text type="secondary">
                  {formatDateTime(step.at, language)} · {t('portal.detail.by', { who: who(step) })}
                </Typography.Text>
                {step.reason ? (
                  <Typography.Text>{t('portal.detail.reason', { reason: step.reason })}</Typography.Text>
                ) : null}
              </Flex>
            ),
          }))}
        />
      </Card>

      <Card title={t('portal.detail.documents')}>
        {detail.documents.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('portal.detail.noDocuments')} />
        ) : (
          <Flex vertical data-testid="portal-documents">
            {detail.documents.map((document) => (
              <Flex
                key={document.id}
                justify="space-between"
                wrap
                gap="small"
                style={{ padding: '8px 0', borderBottom: `1px solid ${token.colorSplit}` }}
              >
                <span>{t(`portal.detail.category.${document.category}`)}</span>
                <Typography.Text type="secondary">
                  {document.contentType} · {Math.ceil(document.size / 1024)} KB ·{' '}
                  {formatDateTime(document.createdAt, language)}
                </Typography.Text>
              </Flex>
            ))}
          </Flex>
        )}
        {detail.state !== 'closed' && detail.state !== 'rejected' && detail.state !== 'withdrawn' ? (
          <Flex vertical gap="small" style={{ marginTop: 16 }}>
            <Typography.Text strong>{t('portal.detail.upload')}</Typography.Text>
            <Radio.Group
              value={category}
              onChange={(event) => setCategory(event.target.value as 'photo' | 'medical')}
              optionType="button"
              options={[
                { value: 'photo', label: t('portal.detail.category.photo') },
                { value: 'medical', label: t('portal.detail.category.medical') },
              ]}
              aria-label={t('portal.detail.uploadCategory')}
            />
            <Upload
              accept={category === 'photo' ? 'image/*' : 'image/*,application/pdf'}
              showUploadList={false}
              beforeUpload={(file) => {
                upload.mutate(file);
                return false;
              }}
            >
              <Button icon={<UploadOutlined />} loading={upload.isPending}>
                {t('portal.detail.upload')}
              </Button>
            </Upload>
            <Typography.Text type="secondary">{t('portal.detail.uploadHint')}</Typography.Text>
          </Flex>
        ) : null}
      </Card>

      <Modal
        open={withdrawing}
        title={t('portal.detail.withdrawTitle')}
        okText={t('portal.detail.withdraw')}
        okButtonProps={{ danger: true, loading: withdraw.isPending }}
        cancelText={t('common.cancel')}
        onCancel={() => setWithdrawing(false)}
        onOk={() =>
          void withdrawForm.validateFields().then((values) => withdraw.mutate(values.reason.trim()))
        }
        destroyOnHidden
      >
        {withdraw.isError ? <Alert type="error" showIcon title={problemMessage(withdraw.error)} /> : null}
        <Form form={withdrawForm} layout="vertical" requiredMark={false}>
          <Form.Item
            name="reason"
            label={t('portal.detail.withdrawReason')}
            rules={[{ required: true, whitespace: true, message: t('portal.detail.withdrawReasonRequired') }]}
          >
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  );
}
