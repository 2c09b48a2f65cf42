import { AlertOutlined, CheckOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, Popconfirm, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTimestamp } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { useProblemMessage } from '../auth/problem-messages';
import { acknowledgeAlert, alertsQueryOptions, type SecurityAlert } from './alerts-api';

const SEVERITY_COLOURS: Record<SecurityAlert['severity'], string> = {
  info: 'blue',
  warning: 'orange',
  critical: 'red',
};

/** Security alerts (break-glass openings and others) for the security officer to review and acknowledge. */
export function SecurityAlertsPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const [openOnly, setOpenOnly] = useState(true);
  const alerts = useQuery(alertsQueryOptions(openOnly));

  const acknowledge = useMutation({
    mutationFn: acknowledgeAlert,
    onSuccess: () => {
      void message.success(t('alerts.acknowledgedMessage'));
      void queryClient.invalidateQueries({ queryKey: ['security-alerts'] });
    },
    onError: (error) => void message.error(problemMessage(error)),
  });

  return (
    <Flex vertical gap="large">
      <div>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {t('alerts.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('alerts.subtitle')}</Typography.Text>
      </div>
      {alerts.error && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(alerts.error)}
          action={<Button onClick={() => void alerts.refetch()}>{t('common.retry')}</Button>}
        />
      )}
      <Card
        styles={{ body: { padding: 0 } }}
        title={
          <span>
            <AlertOutlined /> {t('alerts.title')}
          </span>
        }
        extra={
          <Flex align="center" gap="small">
            <Switch
              size="small"
              checked={openOnly}
              onChange={setOpenOnly}
              aria-label={t('alerts.openOnly')}
              data-testid="alerts-open-only"
            />
            <Typography.Text>{t('alerts.openOnly')}</Typography.Text>
          </Flex>
        }
      >
        <Table<SecurityAlert>
          rowKey="id"
          loading={alerts.isPending}
          dataSource={alerts.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('alerts.empty') }}
          data-testid="alerts-table"
          columns={[
            {
              title: t('alerts.columns.severity'),
              dataIndex: 'severity',
              render: (severity: SecurityAlert['severity']) => (
                <Tag color={SEVERITY_COLOURS[severity]}>{t(`alerts.severity.${severity}`)}</Tag>
              ),
            },
            {
              title: t('alerts.columns.kind'),
              dataIndex: 'kind',
              render: (kind: string) => t(`alerts.kinds.${kind as 'break-glass'}`, { defaultValue: kind }),
            },
            {
              title: t('alerts.columns.subject'),
              dataIndex: 'subjectUserId',
              render: (value: string | null) =>
                value ? <Typography.Text code>{value}</Typography.Text> : '—',
            },
            {
              title: t('alerts.columns.createdAt'),
              dataIndex: 'createdAt',
              render: (value: string) => formatTimestamp(value, language),
            },
            {
              title: t('alerts.columns.details'),
              dataIndex: 'details',
              render: (details: SecurityAlert['details']) => (
                <Flex wrap gap={4}>
                  {Object.entries(details).map(([key, value]) => (
                    <Tag key={key}>
                      {key}: {String(value)}
                    </Tag>
                  ))}
                </Flex>
              ),
            },
            {
              title: t('alerts.columns.status'),
              key: 'status',
              render: (_, alert) =>
                alert.acknowledgedAt ? (
                  <Flex vertical gap={2} align="flex-start">
                    <Tag icon={<CheckOutlined />} color="success">
                      {t('alerts.acknowledged')}
                    </Tag>
                    <Typography.Text type="secondary">
                      {t('alerts.acknowledgedBy', {
                        who: alert.acknowledgedBy ?? '—',
                        at: formatTimestamp(alert.acknowledgedAt, language),
                      })}
                    </Typography.Text>
                  </Flex>
                ) : (
                  <Tag color="red">{t('alerts.open')}</Tag>
                ),
            },
            {
              title: t('alerts.columns.actions'),
              key: 'actions',
              fixed: 'right',
              render: (_, alert) =>
                alert.acknowledgedAt ? (
                  '—'
                ) : (
                  <Popconfirm
                    title={t('alerts.acknowledgeConfirm')}
                    okText={t('common.yes')}
                    cancelText={t('common.no')}
                    onConfirm={() => acknowledge.mutateAsync(alert.id).catch(() => {})}
                  >
                    <Button size="small" type="primary" ghost>
                      {t('alerts.acknowledge')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
    </Flex>
  );
}
