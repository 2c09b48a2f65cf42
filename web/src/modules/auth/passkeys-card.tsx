import { DeleteOutlined, PlusOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Modal, Popconfirm, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { meQueryKey } from './auth-api';
import { deletePasskey, myPasskeysQueryOptions, type Passkey } from './passkey-api';
import { PasskeyEnrolmentPanel } from './passkey-enrolment-panel';
import { useProblemMessage } from './problem-messages';

/**
 * My passkeys on My security: the list, "Add a passkey" and delete. Adding and deleting are key
 * operations: the server asks for a step-up, which the API client answers with the step-up modal.
 */
export function PasskeysCard() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const passkeys = useQuery(myPasskeysQueryOptions);
  const [adding, setAdding] = useState(false);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: myPasskeysQueryOptions.queryKey });
    void queryClient.invalidateQueries({ queryKey: meQueryKey });
  };
  const remove = useMutation({
    mutationFn: deletePasskey,
    onSuccess: () => {
      void message.success(t('passkeys.deleted'));
      refresh();
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  return (
    <Card
      title={
        <span>
          <SafetyCertificateOutlined /> {t('passkeys.title')}
        </span>
      }
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="passkey-add">
          {t('passkeys.add')}
        </Button>
      }
    >
      {passkeys.error && <Alert type="error" showIcon title={problemMessage(passkeys.error)} />}
      <Table<Passkey>
        rowKey="id"
        size="middle"
        loading={passkeys.isPending}
        dataSource={passkeys.data ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('passkeys.empty') }}
        data-testid="passkeys-table"
        columns={[
          { title: t('passkeys.name'), dataIndex: 'deviceName' },
          {
            title: t('passkeys.createdAt'),
            dataIndex: 'createdAt',
            render: (value: string) => formatDateTime(value, language),
          },
          {
            title: t('passkeys.lastUsedAt'),
            dataIndex: 'lastUsedAt',
            render: (value: string | null) => (value ? formatDateTime(value, language) : t('passkeys.never')),
          },
          {
            key: 'actions',
            render: (_, row) => (
              <Popconfirm
                title={t('passkeys.deleteConfirm')}
                okText={t('common.yes')}
                cancelText={t('common.no')}
                onConfirm={() => remove.mutateAsync(row.id).catch(() => {})}
              >
                <Button danger size="small" icon={<DeleteOutlined />}>
                  {t('passkeys.delete')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      <Modal
        open={adding}
        title={t('passkeys.addTitle')}
        footer={null}
        onCancel={() => setAdding(false)}
        destroyOnHidden
        width={560}
      >
        <PasskeyEnrolmentPanel
          onAdded={() => {
            setAdding(false);
            void message.success(t('passkeys.added'));
            refresh();
          }}
        />
      </Modal>
    </Card>
  );
}
