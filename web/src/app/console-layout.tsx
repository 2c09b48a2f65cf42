import {
  AlertOutlined,
  AuditOutlined,
  BugOutlined,
  ContactsOutlined,
  DashboardOutlined,
  DatabaseOutlined,
  FileProtectOutlined,
  FileSearchOutlined,
  FundOutlined,
  MenuOutlined,
  PayCircleOutlined,
  ProfileOutlined,
  RadarChartOutlined,
  SafetyCertificateFilled,
  SafetyOutlined,
  SlidersOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { Button, Flex, Grid, Layout, Menu, type MenuProps, Typography, theme } from 'antd';
import { type CSSProperties, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { can } from '../modules/auth/permissions';
import { useMe } from '../modules/auth/use-me';
import { UserMenu } from '../modules/auth/user-menu';
import { LanguageSwitch } from './language-switch';
import { routePaths } from './route-paths';
import { useApplyServerDefaultLanguage } from './use-apply-server-default-language';

const { Header, Sider, Content } = Layout;

const headerHeight = 56;

export function ConsoleLayout() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const { pathname } = useLocation();
  const screens = Grid.useBreakpoint();
  const isPhone = screens.sm === false;
  const [collapsed, setCollapsed] = useState(false);
  useApplyServerDefaultLanguage();
  const { data: me } = useMe();

  // Only pages that work and that the caller may use (the server refuses the rest anyway).
  const navItems: NonNullable<MenuProps['items']> = [
    {
      key: routePaths.systemStatus,
      icon: <DashboardOutlined />,
      label: <Link to={routePaths.systemStatus}>{t('nav.systemStatus')}</Link>,
    },
    ...(can(me?.permissions, 'read', 'Claim')
      ? [
          {
            key: routePaths.claims,
            icon: <FileProtectOutlined />,
            label: <Link to={routePaths.claims}>{t('nav.claims')}</Link>,
          },
        ]
      : []),
    ...(can(me?.permissions, 'update', 'Customer')
      ? [
          {
            key: routePaths.customerContact,
            icon: <ContactsOutlined />,
            label: <Link to={routePaths.customerContact}>{t('nav.customerContact')}</Link>,
          },
        ]
      : []),
    ...(can(me?.permissions, 'read', 'Payout')
      ? [
          {
            key: routePaths.payouts,
            icon: <PayCircleOutlined />,
            label: <Link to={routePaths.payouts}>{t('nav.payouts')}</Link>,
          },
        ]
      : []),
    ...(can(me?.permissions, 'read', 'Catalogue')
      ? [
          {
            key: routePaths.catalogue,
            icon: <DatabaseOutlined />,
            label: <Link to={routePaths.catalogue}>{t('nav.catalogue')}</Link>,
          },
        ]
      : []),
    ...(can(me?.permissions, 'read', 'AuditLog')
      ? [
          {
            key: routePaths.audit,
            icon: <AuditOutlined />,
            label: <Link to={routePaths.audit}>{t('nav.audit')}</Link>,
          },
        ]
      : []),
    ...(can(me?.permissions, 'read', 'SecurityAlert')
      ? [
          {
            key: routePaths.securityAlerts,
            icon: <AlertOutlined />,
            label: <Link to={routePaths.securityAlerts}>{t('nav.securityAlerts')}</Link>,
          },
        ]
      : []),
    // Leak detection (S2.3, S13.5): security officers, and internal auditors for rules and alerts.
    ...(can(me?.permissions, 'read', 'DetectionAlert')
      ? [
          {
            key: 'detection',
            icon: <RadarChartOutlined />,
            label: t('detection.nav.group'),
            children: [
              {
                key: routePaths.detectionRisk,
                icon: <FundOutlined />,
                label: <Link to={routePaths.detectionRisk}>{t('detection.nav.risk')}</Link>,
              },
              {
                key: routePaths.detectionAlerts,
                icon: <AlertOutlined />,
                label: <Link to={routePaths.detectionAlerts}>{t('detection.nav.alerts')}</Link>,
              },
              ...(can(me?.permissions, 'read', 'DetectionRule')
                ? [
                    {
                      key: routePaths.detectionRules,
                      icon: <SlidersOutlined />,
                      label: <Link to={routePaths.detectionRules}>{t('detection.nav.rules')}</Link>,
                    },
                  ]
                : []),
              ...(can(me?.permissions, 'read', 'Honeytoken')
                ? [
                    {
                      key: routePaths.detectionHoneytokens,
                      icon: <BugOutlined />,
                      label: (
                        <Link to={routePaths.detectionHoneytokens}>{t('detection.nav.honeytokens')}</Link>
                      ),
                    },
                  ]
                : []),
            ],
          },
        ]
      : []),
    ...(can(me?.permissions, 'read', 'Incident')
      ? [
          {
            key: routePaths.incidents,
            icon: <BugOutlined />,
            label: <Link to={routePaths.incidents}>{t('nav.incidents')}</Link>,
          },
          {
            key: routePaths.incidentPlaybooks,
            icon: <ProfileOutlined />,
            label: <Link to={routePaths.incidentPlaybooks}>{t('incidents.playbooks.nav')}</Link>,
          },
        ]
      : []),
    ...(can(me?.permissions, 'read', 'RegulatoryRegime')
      ? [
          {
            key: routePaths.regulatoryReports,
            icon: <FileSearchOutlined />,
            label: <Link to={routePaths.regulatoryReports}>{t('nav.regulatoryReports')}</Link>,
          },
        ]
      : []),
    ...(can(me?.permissions, 'read', 'User')
      ? [
          {
            key: routePaths.users,
            icon: <TeamOutlined />,
            label: <Link to={routePaths.users}>{t('nav.users')}</Link>,
          },
        ]
      : []),
    {
      key: routePaths.account,
      icon: <SafetyOutlined />,
      label: <Link to={routePaths.account}>{t('nav.account')}</Link>,
    },
  ];
  // The longest matching path only: /incidents/playbooks selects Playbooks, not Incidents as well.
  const selectedKeys = Object.values(routePaths)
    .filter((path) => pathname === path || pathname.startsWith(`${path}/`))
    .sort((a, b) => b.length - a.length)
    .slice(0, 1);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header
        style={{
          position: 'sticky',
          top: 0,
          zIndex: 10,
          display: 'flex',
          alignItems: 'center',
          gap: token.margin,
          height: headerHeight,
          paddingInline: isPhone ? token.padding : token.paddingLG,
          lineHeight: `${headerHeight}px`,
          background: token.colorBgContainer,
          borderBottom: `1px solid ${token.colorBorderSecondary}`,
        }}
      >
        {isPhone && (
          <Button
            type="text"
            icon={<MenuOutlined />}
            aria-label={t('nav.toggle')}
            aria-expanded={!collapsed}
            onClick={() => setCollapsed((current) => !current)}
          />
        )}
        <Link to={routePaths.systemStatus} aria-label="ClaimGuard">
          <Flex align="center" gap={token.marginXS}>
            <SafetyCertificateFilled style={{ fontSize: 24, color: token.colorPrimary }} />
            {/* On a phone the mark alone leaves room for the language switch and the user menu. */}
            {!isPhone && (
              <Typography.Text strong style={{ fontSize: token.fontSizeLG, whiteSpace: 'nowrap' }}>
                ClaimGuard
              </Typography.Text>
            )}
          </Flex>
        </Link>
        <Flex
          align="center"
          gap={isPhone ? token.margin : token.marginLG}
          style={{ marginInlineStart: 'auto' }}
        >
          <LanguageSwitch />
          <div data-testid="user-area">
            <UserMenu compact={isPhone} />
          </div>
        </Flex>
      </Header>
      <Layout>
        <Sider
          theme="light"
          collapsible
          collapsed={collapsed}
          onCollapse={setCollapsed}
          breakpoint="lg"
          // On phones the sider folds away completely, opens over the content, and the header's menu
          // button replaces its trigger.
          collapsedWidth={isPhone ? 0 : 80}
          trigger={isPhone ? null : undefined}
          width={216}
          style={
            isPhone
              ? phoneSiderStyle(collapsed, token.boxShadowSecondary)
              : siderBorder(token.colorBorderSecondary)
          }
        >
          <nav aria-label={t('nav.label')}>
            <Menu
              mode="inline"
              selectedKeys={selectedKeys}
              defaultOpenKeys={pathname.startsWith('/detection/') ? ['detection'] : []}
              items={navItems}
              onClick={() => isPhone && setCollapsed(true)}
              style={{ borderInlineEnd: 0 }}
            />
          </nav>
        </Sider>
        <Content style={{ padding: isPhone ? token.padding : token.paddingLG, minWidth: 0 }}>
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}

function siderBorder(color: string): CSSProperties {
  return { borderInlineEnd: `1px solid ${color}` };
}

function phoneSiderStyle(collapsed: boolean, shadow: string): CSSProperties {
  return {
    position: 'fixed',
    insetBlock: `${headerHeight}px 0`,
    insetInlineStart: 0,
    zIndex: 20,
    boxShadow: collapsed ? 'none' : shadow,
  };
}
