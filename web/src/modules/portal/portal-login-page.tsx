import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiProblem } from '../../api/api-client';
import { routePaths } from '../../app/route-paths';
import { AuthFrame } from '../auth/auth-frame';
import { CodeInput, sixDigits } from '../auth/code-input';
import { useCountdown } from '../auth/use-countdown';
import { portalApi } from './portal-api';
import { usePortalProblemMessage } from './portal-common';
import { portalPaths } from './portal-paths';

/** Customer sign-in, separate from the staff one: password, then the code sent to the contact on file. */
export function PortalLoginPage() {
  const { t } = useTranslation();
  const problemMessage = usePortalProblemMessage();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const from = (location.state as { from?: unknown } | null)?.from;
  const returnTo = typeof from === 'string' && from.startsWith('/portal/') ? from : portalPaths.claims;

  const [pending, setPending] = useState<{ channel: 'sms' | 'email'; minutes: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const lockedSeconds = useCountdown(lockedUntil);

  const run = async (work: () => Promise<void>) => {
    setSubmitting(true);
    setError(null);
    try {
      await work();
    } catch (caught) {
      if (caught instanceof ApiProblem && caught.code === 'too-many-attempts' && caught.retryAfterSeconds)
        setLockedUntil(Date.now() + caught.retryAfterSeconds * 1000);
      // A pending session that ended (too many wrong codes, or expired) starts over at the password.
      if (caught instanceof ApiProblem && caught.code === 'unauthenticated') setPending(null);
      setError(caught);
    } finally {
      setSubmitting(false);
    }
  };

  const submitPassword = (values: { login: string; password: string }) =>
    run(async () => {
      const result = await portalApi.login(values);
      const minutes = Math.max(
        1,
        Math.round((new Date(result.codeExpiresAt).getTime() - Date.now()) / 60_000),
      );
      setPending({ channel: result.channel, minutes });
    });

  const submitCode = (values: { code: string }) =>
    run(async () => {
      await portalApi.verifyCode(values.code.trim());
      queryClient.removeQueries({ queryKey: ['portal'] });
      await navigate(returnTo, { replace: true });
    });

  const errorText =
    error === null
      ? null
      : lockedSeconds > 0
        ? t('portal.login.locked', { seconds: lockedSeconds })
        : problemMessage(error);

  return (
    <AuthFrame>
      <Flex vertical gap="middle">
        <div>
          <Typography.Title level={3} style={{ marginTop: 0 }}>
            {pending ? t('portal.login.codeTitle') : t('portal.login.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">
            {pending
              ? t('portal.login.codeHint', {
                  channel: t(`portal.channel.${pending.channel}`),
                  minutes: pending.minutes,
                })
              : t('portal.login.subtitle')}
          </Typography.Paragraph>
        </div>
        {errorText ? <Alert type="error" showIcon title={errorText} /> : null}
        {pending ? (
          <Form layout="vertical" onFinish={submitCode} requiredMark={false}>
            <Form.Item
              name="code"
              label={t('portal.login.code')}
              rules={[{ required: true, pattern: sixDigits, message: t('portal.login.codeRequired') }]}
            >
              <CodeInput autoFocus />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting}>
              {t('portal.login.verify')}
            </Button>
            <Button type="link" block onClick={() => setPending(null)}>
              {t('portal.login.back')}
            </Button>
          </Form>
        ) : (
          <Form layout="vertical" onFinish={submitPassword} requiredMark={false}>
            <Form.Item
              name="login"
              label={t('portal.login.login')}
              rules={[{ required: true, whitespace: true, message: t('portal.login.loginRequired') }]}
            >
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('portal.login.password')}
              rules={[{ required: true, message: t('portal.login.passwordRequired') }]}
            >
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting} disabled={lockedSeconds > 0}>
              {t('portal.login.submit')}
            </Button>
          </Form>
        )}
        <Flex justify="space-between" wrap>
          <Link to={portalPaths.register}>{t('portal.login.register')}</Link>
          <Link to={routePaths.login}>
            <Typography.Text type="secondary">{t('portal.login.staff')}</Typography.Text>
          </Link>
        </Flex>
      </Flex>
    </AuthFrame>
  );
}
