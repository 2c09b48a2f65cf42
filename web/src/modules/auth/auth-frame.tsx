import { SafetyCertificateFilled } from '@ant-design/icons';
import { Card, Flex, Typography, theme } from 'antd';
import type { ReactNode } from 'react';
import { LanguageSwitch } from '../../app/language-switch';

/** The frame of the pages outside the console (sign-in, set-up): a centred card with the language switch. */
export function AuthFrame({ width = 420, children }: { width?: number; children: ReactNode }) {
  const { token } = theme.useToken();
  return (
    <Flex vertical style={{ minHeight: '100vh', background: token.colorBgLayout }}>
      <Flex
        justify="space-between"
        align="center"
        style={{ padding: `${token.paddingSM}px ${token.paddingLG}px` }}
      >
        <Flex align="center" gap={token.marginXS}>
          <SafetyCertificateFilled style={{ fontSize: 24, color: token.colorPrimary }} />
          <Typography.Text strong style={{ fontSize: token.fontSizeLG }}>
            ClaimGuard
          </Typography.Text>
        </Flex>
        <LanguageSwitch />
      </Flex>
      <Flex flex={1} justify="center" align="flex-start" style={{ padding: token.padding }}>
        <Card style={{ width: '100%', maxWidth: width, marginTop: '6vh' }}>{children}</Card>
      </Flex>
    </Flex>
  );
}
