import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Badge, Button, Flex, List, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { portalApi, portalKeys } from './portal-api';
import { usePortalProblemMessage } from './portal-common';

/** My in-app messages (claim steps), newest first; read ones are marked. */
export function PortalNotificationsPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const problemMessage = usePortalProblemMessage();
  const queryClient = useQueryClient();
  const inbox = useQuery({ queryKey: portalKeys.notifications, queryFn: portalApi.notifications });
  const markRead = useMutation({
    mutationFn: (ids: string[]) => portalApi.markRead(ids),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: portalKeys.notifications }),
  });
  const unreadIds = (inbox.data?.items ?? []).filter((item) => !item.readAt).map((item) => item.id);

  return (
    <Flex vertical gap="middle">
      <Flex justify="space-between" align="center">
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('portal.notifications.title')}
        </Typography.Title>
        <Button disabled={unreadIds.length === 0} onClick={() => markRead.mutate(unreadIds.slice(0, 100))}>
          {t('portal.notifications.markAllRead')}
        </Button>
      </Flex>
      {inbox.isError ? <Alert type="error" showIcon title={problemMessage(inbox.error)} /> : null}
      <List
        loading={inbox.isPending}
        dataSource={inbox.data?.items ?? []}
        locale={{ emptyText: t('portal.notifications.empty') }}
        renderItem={(item) => (
          <List.Item
            key={item.id}
            actions={
              item.readAt
                ? []
                : [
                    <Button key="read" type="link" onClick={() => markRead.mutate([item.id])}>
                      {t('portal.notifications.markRead')}
                    </Button>,
                  ]
            }
          >
            <List.Item.Meta
              title={
                <Flex gap="small" align="center">
                  {item.readAt ? null : <Badge status="processing" text={t('portal.notifications.unread')} />}
                  <Typography.Text strong={!item.readAt}>{item.subject}</Typography.Text>
                </Flex>
              }
              description={
                <Flex vertical>
                  <Typography.Text>{item.body}</Typography.Text>
                  <Typography.Text type="secondary">
                    {formatDateTime(item.createdAt, language)}
                  </Typography.Text>
                </Flex>
              }
            />
          </List.Item>
        )}
      />
    </Flex>
  );
}
