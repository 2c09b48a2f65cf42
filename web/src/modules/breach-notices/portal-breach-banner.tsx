import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Flex, Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useLanguage } from '../../i18n/language-provider';
import { portalRequest } from '../portal/portal-api';

/** The body of `GET /api/v1/portal/breach-notices`. */
export type PortalBreachBanner = {
  affected: boolean;
  items: {
    incidentReference: string;
    isDrill: boolean;
    headline: Record<'zh-CN' | 'en-US', string>;
    noticePath: string;
    compensationPath: string;
  }[];
};

/**
 * The portal banner for a customer affected by a breach (S4.2): one line per incident whose notice reached
 * them, with links to the notice (their in-app messages) and to claim compensation with the incident's
 * reference. Shown on every portal page; nothing when the customer is not affected.
 */
export function PortalBreachBanner() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const banner = useQuery({
    queryKey: ['portal', 'breach-notices'] as const,
    queryFn: () => portalRequest<PortalBreachBanner>('GET', '/breach-notices'),
    staleTime: 5 * 60_000,
  });
  if (!banner.data?.affected) return null;
  return (
    <Flex vertical gap={8} style={{ marginBottom: 16 }}>
      {banner.data.items.map((item) => (
        <Alert
          key={item.incidentReference}
          type="warning"
          showIcon
          title={
            <Space wrap>
              {item.isDrill ? <Tag color="purple">{t('breachNotices.card.drill')}</Tag> : null}
              {t('breachNotices.banner.affected', { reference: item.incidentReference })}
              {item.headline[language]}
            </Space>
          }
          action={
            <Space>
              <Button size="small">
                <Link to={item.noticePath}>{t('breachNotices.banner.readNotice')}</Link>
              </Button>
              <Button size="small" type="primary">
                <Link to={item.compensationPath}>{t('breachNotices.banner.claimCompensation')}</Link>
              </Button>
            </Space>
          }
        />
      ))}
    </Flex>
  );
}
