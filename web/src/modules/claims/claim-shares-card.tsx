import { CopyOutlined, ShareAltOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Select,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { useProblemMessage } from '../auth/problem-messages';
import {
  absoluteShareLink,
  type ClaimShare,
  type CreatedShare,
  claimSharesQueryKey,
  claimSharesQueryOptions,
  createShare,
  MAX_SHARE_DAYS,
  PERSONAL_SHARE_FIELDS,
  revokeShare,
  SHARE_PARTY_KINDS,
  SHAREABLE_FIELDS,
  type ShareableField,
  type SharePartyKind,
  shareExpiry,
} from './claim-shares-api';
import { type ClaimDocument, claimDocumentsQueryOptions } from './claims-api';

type ShareForm = {
  partyName: string;
  partyKind: SharePartyKind;
  fields: ShareableField[];
  documentIds: string[];
  days: number;
};

const STATUS_COLOURS: Record<ClaimShare['status'], string> = {
  active: 'green',
  expired: 'default',
  revoked: 'red',
  'claim-finished': 'default',
};

/**
 * A claim's outside-party shares (garages, hospitals, loss adjusters): what is shared with whom until when,
 * how often it was opened; create (the link is shown once) and revoke. The server audits every opening.
 */
export function ClaimSharesCard({ claimId, mayShare }: { claimId: string; mayShare: boolean }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const shares = useQuery(claimSharesQueryOptions(claimId));
  const documents = useQuery({ ...claimDocumentsQueryOptions(claimId), enabled: mayShare });
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<CreatedShare | null>(null);
  const [form] = Form.useForm<ShareForm>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: claimSharesQueryKey(claimId) });

  const create = useMutation({
    mutationFn: (values: ShareForm) =>
      createShare(claimId, {
        party: { name: values.partyName, kind: values.partyKind },
        fields: values.fields,
        documentIds: values.documentIds ?? [],
        expiresAt: shareExpiry(values.days),
      }),
    onSuccess: (share) => {
      setCreated(share);
      setOpen(false);
      form.resetFields();
      void refresh();
    },
    onError: (error) => message.error(problemMessage(error)),
  });
  const revoke = useMutation({
    mutationFn: revokeShare,
    onSuccess: () => {
      message.success(t('claimShares.revoked'));
      void refresh();
    },
    onError: (error) => message.error(problemMessage(error)),
  });

  const fieldName = (field: ShareableField) => t(`claimShares.fieldNames.${field}`);
  const link = created ? absoluteShareLink(created.link, window.location.origin) : '';

  return (
    <Card
      title={
        <span>
          <ShareAltOutlined /> {t('claimShares.title')}
        </span>
      }
      size="small"
      extra={
        mayShare ? (
          <Button size="small" onClick={() => setOpen(true)}>
            {t('claimShares.create')}
          </Button>
        ) : null
      }
    >
      <Typography.Paragraph type="secondary">{t('claimShares.intro')}</Typography.Paragraph>
      {created ? (
        <Alert
          type="success"
          showIcon
          closable
          onClose={() => setCreated(null)}
          style={{ marginBottom: 12 }}
          message={t('claimShares.created')}
          description={
            <Typography.Text
              code
              copyable={{
                text: link,
                icon: [<CopyOutlined key="copy" />, <CopyOutlined key="copied" />],
                tooltips: [t('claimShares.copy'), t('claimShares.copied')],
              }}
            >
              {link}
            </Typography.Text>
          }
        />
      ) : null}
      <Table<ClaimShare>
        size="small"
        rowKey="id"
        loading={shares.isLoading}
        dataSource={shares.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: t('claimShares.empty') }}
        columns={[
          {
            title: t('claimShares.columns.party'),
            key: 'party',
            render: (_, share) => `${share.party.name} · ${t(`claimShares.kinds.${share.party.kind}`)}`,
          },
          {
            title: t('claimShares.columns.fields'),
            key: 'fields',
            render: (_, share) => share.fields.map(fieldName).join('、') || '-',
          },
          {
            title: t('claimShares.columns.expires'),
            dataIndex: 'expiresAt',
            render: (value: string) => formatDateTime(value, language),
          },
          { title: t('claimShares.columns.openings'), dataIndex: 'openings', align: 'right' },
          {
            title: t('claimShares.columns.status'),
            dataIndex: 'status',
            render: (status: ClaimShare['status']) => (
              <Tag color={STATUS_COLOURS[status]}>{t(`claimShares.status.${status}`)}</Tag>
            ),
          },
          {
            key: 'actions',
            render: (_, share) =>
              mayShare && share.status === 'active' ? (
                <Popconfirm title={t('claimShares.revokeConfirm')} onConfirm={() => revoke.mutate(share.id)}>
                  <Button size="small" danger>
                    {t('claimShares.revoke')}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
      <Modal
        open={open}
        title={t('claimShares.create')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
        destroyOnHidden
      >
        <Form<ShareForm>
          form={form}
          layout="vertical"
          initialValues={{
            partyKind: 'garage',
            fields: ['number', 'state', 'incidentDate'],
            documentIds: [],
            days: 7,
          }}
          onFinish={(values) => create.mutate(values)}
        >
          <Form.Item
            name="partyName"
            label={t('claimShares.partyName')}
            rules={[{ required: true, max: 200 }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="partyKind" label={t('claimShares.partyKind')}>
            <Select
              options={SHARE_PARTY_KINDS.map((kind) => ({
                value: kind,
                label: t(`claimShares.kinds.${kind}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="fields" label={t('claimShares.fields')} extra={t('claimShares.personalHint')}>
            <Checkbox.Group
              options={SHAREABLE_FIELDS.map((field) => ({
                value: field,
                label: PERSONAL_SHARE_FIELDS.includes(field) ? `${fieldName(field)} *` : fieldName(field),
              }))}
            />
          </Form.Item>
          <Form.Item name="documentIds" label={t('claimShares.documents')}>
            <Select
              mode="multiple"
              options={(documents.data?.items ?? []).map((document: ClaimDocument) => ({
                value: document.id,
                label: `${document.category} · ${document.contentType} · ${formatDateTime(document.createdAt, language)}`,
              }))}
            />
          </Form.Item>
          <Form.Item name="days" label={t('claimShares.days')}>
            <InputNumber min={1} max={MAX_SHARE_DAYS} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
