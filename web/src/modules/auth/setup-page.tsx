import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Flex, Form, Input, Radio, Result, Spin, Steps, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { routePaths } from '../../app/route-paths';
import { changePassword, type Me, meQueryKey } from './auth-api';
import { AuthFrame } from './auth-frame';
import { PasskeyEnrolmentPanel } from './passkey-enrolment-panel';
import { useProblemMessage } from './problem-messages';
import { RecoveryCodesPanel } from './recovery-codes-panel';
import { needsSignIn } from './route-guard';
import { TotpEnrolmentPanel } from './totp-enrolment-panel';
import { useMe } from './use-me';
import { useSignOut } from './user-menu';

type SetupStep = 'password' | 'authenticator' | 'recoveryCodes';

const MIN_PASSWORD_LENGTH = 12;

/** The steps this person has left, fixed when the page opens so the list does not shift under them. */
export function setupStepsFor(me: Me): SetupStep[] {
  const steps: SetupStep[] = [];
  if (me.user.mustChangePassword) steps.push('password');
  if (me.session.state === 'enrolment-required') steps.push('authenticator', 'recoveryCodes');
  return steps;
}

/**
 * First sign-in (or after a password reset): change the one-time password, add an authenticator, save
 * the recovery codes; then into the console.
 */
export function SetupPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { data: me, error, isPending, refetch } = useMe();
  const problemMessage = useProblemMessage();
  const signOut = useSignOut();
  const [steps, setSteps] = useState<SetupStep[] | null>(null);
  const [current, setCurrent] = useState(0);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  useEffect(() => {
    if (me && steps === null) setSteps(setupStepsFor(me));
  }, [me, steps]);

  const enterConsole = async () => {
    await queryClient.invalidateQueries({ queryKey: meQueryKey });
    await navigate(routePaths.systemStatus, { replace: true });
  };

  const next = async () => {
    await queryClient.invalidateQueries({ queryKey: meQueryKey });
    if (steps && current + 1 < steps.length) setCurrent(current + 1);
    else await enterConsole();
  };

  if (error) {
    if (needsSignIn(error)) return <Navigate to={routePaths.login} replace />;
    return (
      <AuthFrame>
        <Result
          status="error"
          title={t('errors.sessionCheckFailed')}
          subTitle={problemMessage(error)}
          extra={<Button onClick={() => void refetch()}>{t('common.retry')}</Button>}
        />
      </AuthFrame>
    );
  }
  if (isPending || !me || steps === null) {
    return (
      <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
        <Spin size="large" />
      </Flex>
    );
  }
  if (me.session.state === 'mfa-pending') return <Navigate to={routePaths.login} replace />;
  if (steps.length === 0) return <Navigate to={routePaths.systemStatus} replace />;

  const step = steps[current];
  return (
    <AuthFrame width={720}>
      <Flex justify="space-between" align="flex-start" gap="middle">
        <div>
          <Typography.Title level={3} style={{ marginTop: 0, marginBottom: 4 }}>
            {t('setup.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('setup.subtitle')}</Typography.Paragraph>
        </div>
        <Button type="link" onClick={() => void signOut()}>
          {t('setup.signOut')}
        </Button>
      </Flex>
      <Steps
        current={current}
        items={steps.map((key) => ({ key, title: t(`setup.steps.${key}`) }))}
        style={{ marginBottom: 24 }}
        data-testid="setup-steps"
      />
      {step === 'password' && <PasswordStep username={me.user.username} onDone={() => void next()} />}
      {step === 'authenticator' && (
        <SecondFactorChoice
          onEnrolled={(codes) => {
            setRecoveryCodes(codes);
            setCurrent(current + 1);
          }}
        />
      )}
      {step === 'recoveryCodes' && recoveryCodes && (
        <RecoveryCodesPanel
          codes={recoveryCodes}
          finishLabel={t('setup.recovery.finish')}
          onFinish={() => void enterConsole()}
        />
      )}
    </AuthFrame>
  );
}

/** The first second factor: an authenticator app (the default) or a passkey on this device. */
function SecondFactorChoice({ onEnrolled }: { onEnrolled: (recoveryCodes: string[]) => void }) {
  const { t } = useTranslation();
  const [method, setMethod] = useState<'app' | 'passkey'>('app');
  return (
    <Flex vertical gap="middle">
      <Typography.Text strong>{t('passkeys.methodTitle')}</Typography.Text>
      <Radio.Group
        value={method}
        onChange={(event) => setMethod(event.target.value as 'app' | 'passkey')}
        data-testid="setup-method"
      >
        <Flex vertical gap="small">
          <Radio value="app" data-testid="setup-method-app">
            {t('passkeys.methodApp')}
            <Typography.Text type="secondary"> — {t('passkeys.methodAppHint')}</Typography.Text>
          </Radio>
          <Radio value="passkey" data-testid="setup-method-passkey">
            {t('passkeys.methodPasskey')}
            <Typography.Text type="secondary"> — {t('passkeys.methodPasskeyHint')}</Typography.Text>
          </Radio>
        </Flex>
      </Radio.Group>
      {method === 'app' ? (
        <TotpEnrolmentPanel onConfirmed={onEnrolled} />
      ) : (
        <PasskeyEnrolmentPanel onAdded={({ recoveryCodes }) => onEnrolled(recoveryCodes ?? [])} />
      )}
    </Flex>
  );
}

function PasswordStep({ username, onDone }: { username: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);

  const submit = async (values: { current: string; next: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      await changePassword(values.current, values.next);
      void message.success(t('setup.password.changed'));
      onDone();
    } catch (caught) {
      setError(caught);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Flex vertical gap="middle">
      <Typography.Paragraph style={{ marginBottom: 0 }}>{t('setup.password.intro')}</Typography.Paragraph>
      <Alert
        type="info"
        title={t('setup.password.rulesTitle')}
        description={
          <ul style={{ margin: 0, paddingInlineStart: 20 }} data-testid="password-rules">
            <li>{t('setup.password.ruleLength')}</li>
            <li>{t('setup.password.ruleCommon')}</li>
            <li>{t('setup.password.ruleGuessable')}</li>
            <li>{t('setup.password.ruleLogin')}</li>
          </ul>
        }
      />
      {error != null && (
        <Alert type="error" showIcon title={problemMessage(error)} data-testid="password-error" />
      )}
      <Form
        layout="vertical"
        onFinish={submit}
        requiredMark={false}
        style={{ maxWidth: 400 }}
        data-testid="password-form"
      >
        {/* Lets password managers file the new password under the right login name. */}
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <Form.Item
          name="current"
          label={t('setup.password.current')}
          rules={[{ required: true, message: t('login.passwordRequired') }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="next"
          label={t('setup.password.next')}
          rules={[{ required: true, min: MIN_PASSWORD_LENGTH, message: t('setup.password.tooShort') }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('setup.password.confirm')}
          dependencies={['next']}
          rules={[
            { required: true, message: t('setup.password.mismatch') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('next')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('setup.password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={submitting}>
          {t('setup.password.submit')}
        </Button>
      </Form>
    </Flex>
  );
}
