import { Alert, Button, Flex, Form, Input, Radio, Result, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { AuthFrame } from '../auth/auth-frame';
import { CodeInput, sixDigits } from '../auth/code-input';
import { portalApi } from './portal-api';
import { usePortalProblemMessage } from './portal-common';
import { portalPaths } from './portal-paths';

type StartValues = { idNumber: string; kind: 'phone' | 'email'; phone?: string; email?: string };
type FinishValues = { code: string; password: string; confirm: string };

/**
 * Registration of an existing customer: ID number and the phone or email on the policy, then the code
 * sent there and a password. The first answer is the same whether the details matched or not.
 */
export function PortalRegisterPage() {
  const { t } = useTranslation();
  const problemMessage = usePortalProblemMessage();
  const [started, setStarted] = useState<{
    ticket: string;
    channel: 'sms' | 'email';
    minutes: number;
  } | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [startForm] = Form.useForm<StartValues>();
  const kind = Form.useWatch('kind', startForm) ?? 'phone';

  const run = async (work: () => Promise<void>) => {
    setSubmitting(true);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(caught);
    } finally {
      setSubmitting(false);
    }
  };

  const start = (values: StartValues) =>
    run(async () => {
      const result = await portalApi.startRegistration({
        idNumber: values.idNumber.trim(),
        ...(values.kind === 'phone'
          ? { phone: values.phone?.trim() ?? '' }
          : { email: values.email?.trim() ?? '' }),
      });
      const minutes = Math.max(
        1,
        Math.round((new Date(result.codeExpiresAt).getTime() - Date.now()) / 60_000),
      );
      setStarted({ ticket: result.ticket, channel: result.channel, minutes });
    });

  const finish = (values: FinishValues) =>
    run(async () => {
      if (!started) return;
      await portalApi.completeRegistration({
        ticket: started.ticket,
        code: values.code.trim(),
        password: values.password,
      });
      setDone(true);
    });

  if (done)
    return (
      <AuthFrame>
        <Result
          status="success"
          title={t('portal.register.done')}
          extra={
            <Link to={portalPaths.login}>
              <Button type="primary">{t('portal.login.title')}</Button>
            </Link>
          }
        />
      </AuthFrame>
    );

  return (
    <AuthFrame width={480}>
      <Flex vertical gap="middle">
        <div>
          <Typography.Title level={3} style={{ marginTop: 0 }}>
            {started ? t('portal.register.codeTitle') : t('portal.register.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">
            {started
              ? t('portal.register.codeHint', {
                  channel: t(`portal.channel.${started.channel}`),
                  minutes: started.minutes,
                })
              : t('portal.register.subtitle')}
          </Typography.Paragraph>
        </div>
        {error ? <Alert type="error" showIcon title={problemMessage(error)} /> : null}
        {started ? (
          <Form<FinishValues> layout="vertical" onFinish={finish} requiredMark={false}>
            <Form.Item
              name="code"
              label={t('portal.register.code')}
              rules={[{ required: true, pattern: sixDigits, message: t('portal.login.codeRequired') }]}
            >
              <CodeInput autoFocus />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('portal.register.password')}
              extra={t('portal.register.passwordHint')}
              rules={[{ required: true, min: 12, message: t('portal.register.passwordHint') }]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Form.Item
              name="confirm"
              label={t('portal.register.passwordConfirm')}
              dependencies={['password']}
              rules={[
                { required: true, message: t('portal.register.passwordMismatch') },
                ({ getFieldValue }) => ({
                  validator: (_rule, value) =>
                    value === getFieldValue('password')
                      ? Promise.resolve()
                      : Promise.reject(new Error(t('portal.register.passwordMismatch'))),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting}>
              {t('portal.register.finish')}
            </Button>
          </Form>
        ) : (
          <Form<StartValues>
            form={startForm}
            layout="vertical"
            onFinish={start}
            requiredMark={false}
            initialValues={{ kind: 'phone' }}
          >
            <Form.Item
              name="idNumber"
              label={t('portal.register.idNumber')}
              rules={[{ required: true, whitespace: true, message: t('portal.register.idNumberRequired') }]}
            >
              <Input autoComplete="off" maxLength={40} autoFocus />
            </Form.Item>
            <Form.Item name="kind" label={t('portal.register.contactKind')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'phone', label: t('portal.register.phone') },
                  { value: 'email', label: t('portal.register.email') },
                ]}
              />
            </Form.Item>
            {kind === 'phone' ? (
              <Form.Item
                name="phone"
                label={t('portal.register.phone')}
                rules={[{ required: true, whitespace: true, message: t('portal.register.phoneRequired') }]}
              >
                <Input inputMode="tel" autoComplete="tel" />
              </Form.Item>
            ) : (
              <Form.Item
                name="email"
                label={t('portal.register.email')}
                rules={[{ required: true, type: 'email', message: t('portal.register.emailRequired') }]}
              >
                <Input inputMode="email" autoComplete="email" />
              </Form.Item>
            )}
            <Button type="primary" htmlType="submit" block loading={submitting}>
              {t('portal.register.submit')}
            </Button>
          </Form>
        )}
        <Link to={portalPaths.login}>{t('portal.register.toLogin')}</Link>
      </Flex>
    </AuthFrame>
  );
}
