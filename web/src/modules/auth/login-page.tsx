import { KeyOutlined, LockOutlined, SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Flex, Form, Input, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { ApiProblem } from '../../api/api-client';
import { routePaths } from '../../app/route-paths';
import {
  login,
  logout,
  type Me,
  meQueryKey,
  meQueryOptions,
  redeemRecoveryCode,
  verifySecondFactor,
} from './auth-api';
import { AuthFrame } from './auth-frame';
import { CodeInput, sixDigits } from './code-input';
import { confirmWithPasskey, passkeyErrorMessage } from './passkey-api';
import { useProblemMessage } from './problem-messages';
import { pendingSetup, safeReturnPath } from './route-guard';
import { useCountdown } from './use-countdown';

type Step = 'password' | 'second-factor';

/**
 * Sign-in: login name and password, then (on the same page) the second factor, with a recovery code as
 * the alternative. A person who still has to change their password or add an authenticator goes on to
 * the guided set-up.
 */
export function LoginPage() {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const returnTo = safeReturnPath(
    (location.state as { from?: unknown } | null)?.from,
    routePaths.systemStatus,
  );

  const [step, setStep] = useState<Step>('password');
  const [useRecovery, setUseRecovery] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const lockedSeconds = useCountdown(lockedUntil);
  const [codeForm] = Form.useForm<{ code: string }>();
  // What the person has enrolled (from /auth/me): a passkey button, and a code field only with an app.
  const [factors, setFactors] = useState<Me['secondFactor'] | null>(null);
  const hasPasskey = (factors?.passkeys ?? 0) > 0;
  const passkeyOnly = hasPasskey && factors?.totp === false;
  const [passkeyError, setPasskeyError] = useState<string | null>(null);

  /** Shows the second-factor step, offering a passkey when the person has one. */
  const askSecondFactor = (me?: Me) => {
    setStep('second-factor');
    if (me) setFactors(me.secondFactor);
    else
      void queryClient
        .fetchQuery({ ...meQueryOptions, staleTime: 0 })
        .then((fetched) => setFactors(fetched.secondFactor))
        .catch(() => {});
  };

  /** Where to go once the server has answered: the console, the set-up, or the second-factor step. */
  const proceed = async () => {
    const me: Me = await queryClient.fetchQuery({ ...meQueryOptions, staleTime: 0 });
    const pending = pendingSetup(me);
    if (pending === 'second-factor') {
      askSecondFactor(me);
      return;
    }
    await navigate(pending === null ? returnTo : routePaths.setup, { replace: true });
  };

  // Arriving with a session that only lacks its second factor (e.g. after a reload) resumes at that step.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once on arrival
  useEffect(() => {
    let active = true;
    queryClient
      .fetchQuery({ ...meQueryOptions, staleTime: 0 })
      .then((me) => {
        if (!active) return;
        const pending = pendingSetup(me);
        if (pending === 'second-factor') askSecondFactor(me);
        else void navigate(pending === null ? returnTo : routePaths.setup, { replace: true });
      })
      .catch(() => {
        // Not signed in: stay on the form.
      });
    return () => {
      active = false;
    };
  }, []);

  const fail = (caught: unknown) => {
    setError(caught);
    if (caught instanceof ApiProblem && caught.code === 'too-many-attempts') {
      setLockedUntil(Date.now() + (caught.retryAfterSeconds ?? 60) * 1000);
    }
  };

  const submitPassword = async (values: { username: string; password: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      const result = await login(values.username.trim(), values.password);
      queryClient.removeQueries({ queryKey: meQueryKey });
      if (result.next === 'verify-second-factor') askSecondFactor();
      else await proceed();
    } catch (caught) {
      fail(caught);
    } finally {
      setSubmitting(false);
    }
  };

  const submitCode = async ({ code }: { code: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      if (useRecovery) await redeemRecoveryCode(code.trim());
      else await verifySecondFactor(code.trim());
      await proceed();
    } catch (caught) {
      fail(caught);
      codeForm.setFieldValue('code', '');
    } finally {
      setSubmitting(false);
    }
  };

  const submitPasskey = async () => {
    setSubmitting(true);
    setError(null);
    setPasskeyError(null);
    try {
      await confirmWithPasskey();
      await proceed();
    } catch (caught) {
      if (caught instanceof ApiProblem) fail(caught);
      else setPasskeyError(passkeyErrorMessage(t, caught));
    } finally {
      setSubmitting(false);
    }
  };

  const locked = lockedSeconds > 0;
  const errorText =
    error instanceof ApiProblem && error.code === 'too-many-attempts' && locked
      ? t('login.locked', { seconds: lockedSeconds })
      : error && !(error instanceof ApiProblem && error.code === 'too-many-attempts')
        ? problemMessage(error)
        : null;

  return (
    <AuthFrame>
      <Typography.Title level={3} style={{ marginTop: 0, marginBottom: 4 }}>
        {step === 'password' ? t('login.title') : t('login.secondFactorTitle')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {step === 'password'
          ? t('login.subtitle')
          : useRecovery
            ? t('login.recoveryCodeHint')
            : passkeyOnly
              ? t('passkeys.signInOnlyHint')
              : t('login.secondFactorHint')}
      </Typography.Paragraph>
      {errorText && (
        <Alert
          type="error"
          showIcon
          title={errorText}
          style={{ marginBottom: 16 }}
          data-testid="login-error"
        />
      )}

      {passkeyError && step === 'second-factor' && (
        <Alert
          type="error"
          showIcon
          title={passkeyError}
          style={{ marginBottom: 16 }}
          data-testid="passkey-error"
        />
      )}
      {step === 'second-factor' && hasPasskey && !useRecovery && (
        <Flex vertical gap="small" style={{ marginBottom: 16 }}>
          <Button
            block
            size="large"
            icon={<SafetyCertificateOutlined />}
            loading={submitting}
            disabled={locked}
            onClick={() => void submitPasskey()}
            data-testid="use-passkey"
          >
            {t('passkeys.usePasskey')}
          </Button>
          {!passkeyOnly && <Typography.Text type="secondary">{t('passkeys.signInHint')}</Typography.Text>}
        </Flex>
      )}

      {step === 'password' ? (
        <Form layout="vertical" onFinish={submitPassword} requiredMark={false} data-testid="login-form">
          <Form.Item
            name="username"
            label={t('login.username')}
            rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[{ required: true, message: t('login.passwordRequired') }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submitting} disabled={locked}>
            {t('login.submit')}
          </Button>
        </Form>
      ) : (
        <Form
          form={codeForm}
          layout="vertical"
          onFinish={submitCode}
          requiredMark={false}
          data-testid="second-factor-form"
        >
          {!(passkeyOnly && !useRecovery) && (
            <>
              <Form.Item
                name="code"
                label={useRecovery ? t('login.recoveryCode') : t('login.code')}
                rules={
                  useRecovery
                    ? [{ required: true, whitespace: true, message: t('login.recoveryCodeRequired') }]
                    : [{ required: true, pattern: sixDigits, message: t('login.codeRequired') }]
                }
              >
                {useRecovery ? (
                  <Input prefix={<KeyOutlined />} autoComplete="off" autoFocus spellCheck={false} />
                ) : (
                  <CodeInput autoFocus />
                )}
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={submitting} disabled={locked}>
                {t('login.verify')}
              </Button>
            </>
          )}
          <Flex justify="space-between" wrap style={{ marginTop: 16 }}>
            <Button
              type="link"
              style={{ paddingInline: 0 }}
              onClick={() => {
                setUseRecovery((current) => !current);
                setError(null);
                codeForm.resetFields();
              }}
            >
              {useRecovery
                ? passkeyOnly
                  ? t('passkeys.usePasskey')
                  : t('login.useAuthenticator')
                : t('login.useRecoveryCode')}
            </Button>
            <Button
              type="link"
              style={{ paddingInline: 0 }}
              onClick={async () => {
                await logout().catch(() => {});
                queryClient.removeQueries({ queryKey: meQueryKey });
                setStep('password');
                setUseRecovery(false);
                setError(null);
                setPasskeyError(null);
                setFactors(null);
              }}
            >
              {t('login.backToPassword')}
            </Button>
          </Flex>
        </Form>
      )}
    </AuthFrame>
  );
}
