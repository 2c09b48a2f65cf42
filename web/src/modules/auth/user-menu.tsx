import { DownOutlined, LogoutOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Avatar, Button, Dropdown, Flex, type MenuProps, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { routePaths } from '../../app/route-paths';
import { logout } from './auth-api';
import { useRoleLabels } from './role-labels';
import { useMe } from './use-me';

/** Ends the session on the server, forgets everything cached for it, and goes to the sign-in page. */
export function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    try {
      await logout();
    } catch {
      // Signed out or not, this browser forgets the session and shows the sign-in page.
    }
    queryClient.clear();
    await navigate(routePaths.login, { replace: true });
  };
}

/** The header's user area: display name and role, with My security and Sign out. */
export function UserMenu({ compact }: { compact: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const { labelOf } = useRoleLabels();
  const signOut = useSignOut();
  if (!me) return null;

  const items: MenuProps['items'] = [
    { key: 'account', icon: <SafetyOutlined />, label: t('header.mySecurity') },
    { type: 'divider' },
    { key: 'sign-out', icon: <LogoutOutlined />, label: t('header.signOut'), danger: true },
  ];
  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key === 'account') void navigate(routePaths.account);
    if (key === 'sign-out') void signOut();
  };
  const role = labelOf(me.user.role);

  return (
    <Dropdown menu={{ items, onClick }} trigger={['click']} placement="bottomRight">
      <Button type="text" aria-label={t('header.userMenu')} data-testid="user-menu" style={{ height: 40 }}>
        <Flex align="center" gap={8}>
          <Avatar size="small" icon={<UserOutlined />} />
          {!compact && (
            <Flex vertical align="flex-start" style={{ lineHeight: 1.25 }}>
              <Typography.Text strong style={{ whiteSpace: 'nowrap' }} data-testid="user-display-name">
                {me.user.displayName}
              </Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
                {role}
              </Typography.Text>
            </Flex>
          )}
          <DownOutlined style={{ fontSize: 10 }} />
        </Flex>
      </Button>
    </Dropdown>
  );
}
