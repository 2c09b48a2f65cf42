import { SafetyCertificateFilled } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Flex, Layout, Menu, Result, Spin, Typography, theme } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { isApiProblem } from '../../api/api-client';
import { LanguageSwitch } from '../../app/language-switch';
import { PortalBreachBanner } from '../breach-notices/portal-breach-banner';
import { portalApi, portalKeys } from './portal-api';
import { portalPaths } from './portal-paths';

/**
 * The portal's own frame: its brand, its four pages and sign-out, and nothing of the staff console (no
 * staff navigation, no staff session). Every page inside needs a signed-in customer; otherwise, sign-in.
 */
export function PortalLayout() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: portalKeys.me, queryFn: portalApi.me, retry: false });
  const inbox = useQuery({
    queryKey: portalKeys.notifications,
    queryFn: portalApi.notifications,
    enabled: me.isSuccess,
  });

  useEffect(() => {
    document.title = `ClaimGuard · ${t('portal.brand')}`;
  }, [t]);

  if (me.isPending) return <Spin fullscreen />;
  if (me.isError) {
    if (isApiProblem(me.error) && me.error.status === 401)
      return <Navigate to={portalPaths.login} replace state={{ from: location.pathname }} />;
    return <Result status="error" title={t('errors.unreachable')} />;
  }

  const signOut = async () => {
    await portalApi.logout().catch(() => {});
    queryClient.removeQueries({ queryKey: ['portal'] });
    await navigate(portalPaths.login, { replace: true });
  };
  const selected = [
    portalPaths.claims,
    portalPaths.report,
    portalPaths.notifications,
    portalPaths.accessHistory,
    portalPaths.contact,
  ].filter((path) => location.pathname.startsWith(path));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header
        style={{
          background: token.colorBgContainer,
          display: 'flex',
          alignItems: 'center',
          gap: token.margin,
          paddingInline: token.paddingLG,
        }}
      >
        <Flex align="center" gap={token.marginXS}>
          <SafetyCertificateFilled style={{ fontSize: 22, color: token.colorPrimary }} />
          <Typography.Text strong>ClaimGuard · {t('portal.brand')}</Typography.Text>
        </Flex>
        <Menu
          mode="horizontal"
          selectedKeys={selected}
          style={{ flex: 1, minWidth: 0, borderBottom: 'none' }}
          items={[
            { key: portalPaths.claims, label: <Link to={portalPaths.claims}>{t('portal.nav.claims')}</Link> },
            { key: portalPaths.report, label: <Link to={portalPaths.report}>{t('portal.nav.report')}</Link> },
            {
              key: portalPaths.notifications,
              label: (
                <Link to={portalPaths.notifications}>
                  <Badge count={inbox.data?.unread ?? 0} size="small" offset={[8, -2]}>
                    {t('portal.nav.notifications')}
                  </Badge>
                </Link>
              ),
            },
            {
              key: portalPaths.accessHistory,
              label: <Link to={portalPaths.accessHistory}>{t('portal.nav.accessHistory')}</Link>,
            },
            {
              key: portalPaths.contact,
              label: <Link to={portalPaths.contact}>{t('portal.nav.contact')}</Link>,
            },
          ]}
        />
        <Typography.Text type="secondary">{me.data.name}</Typography.Text>
        <LanguageSwitch />
        <Button onClick={() => void signOut()}>{t('portal.nav.signOut')}</Button>
      </Layout.Header>
      <Layout.Content style={{ padding: token.paddingLG, maxWidth: 1100, width: '100%', margin: '0 auto' }}>
        <PortalBreachBanner />
        <Outlet />
      </Layout.Content>
    </Layout>
  );
}
