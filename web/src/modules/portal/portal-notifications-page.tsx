import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Badge, Button, Card, Empty, Flex, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { portalApi, portalKeys } from './portal-api';
import { usePortalProblemMessage } from './portal-common';

/** My in-app messages (claim steps), newest first; read ones are marked. */
export function PortalNotificationsPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { token } = theme.useToken();
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
      <Card loading={inbox.isPending} styles={{ body: { paddingBlock: 4 } }}>
        {(inbox.data?.items ?? []).length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('portal.notifications.empty')} />
        ) : (
          <Flex vertical data-testid="portal-notifications">
            {(inbox.data?.items ?? []).map((item, index) => (
              <Flex
                key={item.id}
                justify="space-between"
                align="flex-start"
                gap="middle"
                style={{
                  paddingBlock: 12,
                  borderTop: index === 0 ? undefined : `1px solid ${token.colorSplit}`,
                }}
              >
                <Flex vertical gap={2}>
                  <Flex gap="small" align="center">
                    {item.readAt ? null : (
                      <Badge status="processing" text={t('portal.notifications.unread')} />
                    )}
                    <Typography.Text strong={!item.readAt}>{item.subject}</Typography.Text>
                  </Flex>
                  <Typography.Text>{item.body}</Typography.Text>
                  <Typography.Text type="secondary">
                    {formatDateTime(item.createdAt, language)}
                  </Typography.Text>
                </Flex>
                {item.readAt ? null : (
                  <Button type="link" onClick={() => markRead.mutate([item.id])}>
                    {t('portal.notifications.markRead')}
                  </Button>
                )}
              </Flex>
            ))}
          </Flex>
        )}
      </Card>
    </Flex>
  );
}
