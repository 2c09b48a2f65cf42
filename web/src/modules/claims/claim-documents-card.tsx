import { DownloadOutlined, FileOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Form,
  Modal,
  Segmented,
  Select,
  Table,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { saveBlob } from '../audit/audit-api';
import { useProblemMessage } from '../auth/problem-messages';
import { useRoleLabels } from '../auth/role-labels';
import { formatBytes } from './claim-format';
import { useClaimLabels } from './claim-labels';
import {
  type ClaimDocument,
  claimDocumentsQueryKey,
  claimDocumentsQueryOptions,
  DOCUMENT_CATEGORIES,
  type DocumentCategory,
  downloadClaimDocument,
  uploadClaimDocument,
} from './claims-api';
import { DEFAULT_PURPOSE, usePurposeOptions } from './use-purposes';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/tiff': 'tif',
  'image/heic': 'heic',
  'image/heif': 'heic',
  'application/pdf': 'pdf',
};

/**
 * A claim's documents: metadata from `GET /claims/:id/documents`, upload as the raw body through the API
 * client (CSRF header, step-up retry), download for a chosen purpose (audited; fresh second factor).
 */
export function ClaimDocumentsCard({ claimId, mayUpload }: { claimId: string; mayUpload: boolean }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const labels = useClaimLabels();
  const { labelOf } = useRoleLabels();
  const documents = useQuery(claimDocumentsQueryOptions(claimId));
  const [category, setCategory] = useState<DocumentCategory>('photo');
  const [downloading, setDownloading] = useState<ClaimDocument | null>(null);

  return (
    <Card
      title={
        <span>
          <FileOutlined /> {t('claims.documents.title')}
        </span>
      }
      extra={
        mayUpload && (
          <Flex gap="small" align="center" wrap>
            <Segmented<DocumentCategory>
              size="small"
              value={category}
              onChange={setCategory}
              options={DOCUMENT_CATEGORIES.map((value) => ({ value, label: labels.category(value) }))}
              aria-label={t('claims.documents.category')}
            />
            <Upload
              showUploadList={false}
              multiple
              accept="image/jpeg,image/png,image/webp,image/tiff,image/heic,image/heif,application/pdf"
              customRequest={({ file, onSuccess, onError }) => {
                const upload = file as File;
                uploadClaimDocument(claimId, category, upload)
                  .then((created) => {
                    onSuccess?.(created);
                    void message.success(t('claims.documents.uploaded', { name: upload.name }));
                    void queryClient.invalidateQueries({ queryKey: claimDocumentsQueryKey(claimId) });
                  })
                  .catch((error: unknown) => {
                    onError?.(error as Error);
                    void message.error(
                      t('claims.documents.uploadFailed', {
                        name: upload.name,
                        message: problemMessage(error),
                      }),
                    );
                  });
              }}
            >
              <Button size="small" icon={<UploadOutlined />} data-testid="document-upload">
                {t('claims.documents.upload')}
              </Button>
            </Upload>
          </Flex>
        )
      }
      styles={{ body: { padding: 0 } }}
    >
      {documents.error && <Alert type="error" showIcon banner title={problemMessage(documents.error)} />}
      <Table<ClaimDocument>
        rowKey="id"
        size="small"
        loading={documents.isPending}
        dataSource={documents.data?.items ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('claims.documents.empty') }}
        data-testid="documents-table"
        columns={[
          {
            title: t('claims.documents.columns.category'),
            dataIndex: 'category',
            render: (value: string) => labels.category(value),
          },
          { title: t('claims.documents.columns.type'), dataIndex: 'contentType' },
          {
            title: t('claims.documents.columns.size'),
            dataIndex: 'size',
            align: 'right',
            render: (size: number) => formatBytes(size),
          },
          {
            title: t('claims.documents.columns.uploadedAt'),
            dataIndex: 'createdAt',
            render: (at: string) => formatDateTime(at, language),
          },
          {
            title: t('claims.documents.columns.uploader'),
            key: 'uploader',
            render: (_, document) =>
              // A customer's upload (portal) by kind: the roles list holds staff roles only.
              document.uploader.role && document.uploader.type !== 'customer'
                ? labelOf(document.uploader.role) || document.uploader.role
                : labels.actorType(document.uploader.type),
          },
          {
            title: t('claims.documents.columns.actions'),
            key: 'actions',
            render: (_, document) => (
              <Button size="small" icon={<DownloadOutlined />} onClick={() => setDownloading(document)}>
                {t('claims.documents.download')}
              </Button>
            ),
          },
        ]}
      />
      <DownloadDialog document={downloading} onClose={() => setDownloading(null)} />
    </Card>
  );
}

function DownloadDialog({ document, onClose }: { document: ClaimDocument | null; onClose: () => void }) {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const purposes = usePurposeOptions();
  const [form] = Form.useForm<{ purpose: string }>();
  const download = useMutation({
    mutationFn: async ({
      id,
      contentType,
      purpose,
    }: {
      id: string;
      contentType: string;
      purpose: string;
    }) => {
      const { blob, fileName } = await downloadClaimDocument(id, purpose);
      saveBlob(blob, fileName ?? `${id}.${EXTENSIONS[contentType] ?? 'bin'}`);
    },
    onSuccess: onClose,
  });

  return (
    <Modal
      open={document !== null}
      title={t('claims.documents.downloadTitle')}
      okText={t('claims.documents.download')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={download.isPending}
      destroyOnHidden
      afterOpenChange={(visible) => {
        if (visible) download.reset();
      }}
    >
      <Form<{ purpose: string }>
        form={form}
        layout="vertical"
        initialValues={{ purpose: DEFAULT_PURPOSE }}
        preserve={false}
        onFinish={({ purpose }) =>
          document && download.mutate({ id: document.id, contentType: document.contentType, purpose })
        }
      >
        <Typography.Paragraph type="secondary">{t('claims.documents.downloadWarning')}</Typography.Paragraph>
        <Form.Item name="purpose" label={t('claims.documents.purpose')} rules={[{ required: true }]}>
          <Select options={purposes.options} loading={purposes.loading} />
        </Form.Item>
        {download.error && <Alert type="error" showIcon title={problemMessage(download.error)} />}
      </Form>
    </Modal>
  );
}
