import { DashboardOutlined, SafetyCertificateFilled, UserOutlined } from '@ant-design/icons';
import { Avatar, Flex, Layout, Menu, type MenuProps, Segmented, Typography, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { type AppLanguage, languageSwitchLabels, supportedLanguages } from '../i18n/app-language';
import { useLanguage } from '../i18n/language-provider';
import { routePaths } from './route-paths';
import { useApplyServerDefaultLanguage } from './use-apply-server-default-language';

const { Header, Sider, Content } = Layout;

const headerHeight = 56;

const languageOptions = supportedLanguages.map((language) => ({
  value: language,
  label: languageSwitchLabels[language],
}));

export function ConsoleLayout() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const { pathname } = useLocation();
  const { language, chooseLanguage } = useLanguage();
  const [collapsed, setCollapsed] = useState(false);
  useApplyServerDefaultLanguage();

  const navItems: NonNullable<MenuProps['items']> = [
    {
      key: routePaths.systemStatus,
      icon: <DashboardOutlined />,
      label: <Link to={routePaths.systemStatus}>{t('nav.systemStatus')}</Link>,
    },
  ];
  const selectedKeys = Object.values(routePaths).filter(
    (path) => pathname === path || pathname.startsWith(`${path}/`),
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header
        style={{
          position: 'sticky',
          top: 0,
          zIndex: 10,
          display: 'flex',
          alignItems: 'center',
          gap: token.marginLG,
          height: headerHeight,
          paddingInline: token.paddingLG,
          lineHeight: `${headerHeight}px`,
          background: token.colorBgContainer,
          borderBottom: `1px solid ${token.colorBorderSecondary}`,
        }}
      >
        <Link to={routePaths.systemStatus} aria-label="ClaimGuard">
          <Flex align="center" gap={token.marginXS}>
            <SafetyCertificateFilled style={{ fontSize: 24, color: token.colorPrimary }} />
            <Typography.Text strong style={{ fontSize: token.fontSizeLG }}>
              ClaimGuard
            </Typography.Text>
          </Flex>
        </Link>
        <Flex align="center" gap={token.marginLG} style={{ marginInlineStart: 'auto' }}>
          <Segmented<AppLanguage>
            data-testid="language-switch"
            aria-label={t('header.languageSwitch')}
            options={languageOptions}
            value={language}
            onChange={chooseLanguage}
          />
          <Flex align="center" gap={token.marginXS} data-testid="user-area">
            <Avatar size="small" icon={<UserOutlined />} />
            <Typography.Text type="secondary">{t('header.notSignedIn')}</Typography.Text>
          </Flex>
        </Flex>
      </Header>
      <Layout>
        <Sider
          theme="light"
          collapsible
          collapsed={collapsed}
          onCollapse={setCollapsed}
          breakpoint="lg"
          width={216}
          style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }}
        >
          <nav aria-label={t('nav.label')}>
            <Menu mode="inline" selectedKeys={selectedKeys} items={navItems} style={{ borderInlineEnd: 0 }} />
          </nav>
        </Sider>
        <Content style={{ padding: token.paddingLG }}>
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
