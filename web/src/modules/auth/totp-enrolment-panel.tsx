import { Alert, Button, Flex, Form, Skeleton, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { confirmTotpEnrolment, startTotpEnrolment, type TotpEnrolment } from './auth-api';
import { CodeInput, sixDigits } from './code-input';
import { useProblemMessage } from './problem-messages';

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP", for typing the key by hand. */
export function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

/**
 * Adds an authenticator: starts an enrolment (QR code and key), then confirms it with a code from the
 * app. Hands the ten recovery codes the server returns to `onConfirmed`.
 */
export function TotpEnrolmentPanel({
  onConfirmed,
  onCancelled,
}: {
  onConfirmed: (recoveryCodes: string[]) => void;
  /** Called when starting the enrolment is refused (e.g. the step-up was cancelled). */
  onCancelled?: (error: unknown) => void;
}) {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [startError, setStartError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [form] = Form.useForm<{ code: string }>();
  // StrictMode runs effects twice; a second enrolment would replace the first one's key.
  const started = useRef(false);

  const start = () => {
    setStartError(null);
    startTotpEnrolment()
      .then(setEnrolment)
      .catch((caught: unknown) => {
        setStartError(caught);
        onCancelled?.(caught);
      });
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: starts once
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    start();
  }, []);

  const confirm = async ({ code }: { code: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      const { recoveryCodes } = await confirmTotpEnrolment(code.trim());
      onConfirmed(recoveryCodes);
    } catch (caught) {
      setError(caught);
      form.setFieldValue('code', '');
    } finally {
      setSubmitting(false);
    }
  };

  if (startError) {
    return (
      <Alert
        type="error"
        showIcon
        title={problemMessage(startError)}
        action={<Button onClick={start}>{t('common.retry')}</Button>}
      />
    );
  }
  if (!enrolment) return <Skeleton active />;

  return (
    <Flex vertical gap="middle">
      <Typography.Paragraph style={{ marginBottom: 0 }}>{t('setup.totp.intro')}</Typography.Paragraph>
      <Flex gap="large" wrap align="center">
        <img
          src={enrolment.qrDataUrl}
          alt={t('setup.totp.qrAlt')}
          width={200}
          height={200}
          data-testid="totp-qr"
          style={{ border: '1px solid rgba(5, 5, 5, 0.06)', borderRadius: 8 }}
        />
        <Flex vertical gap="small" style={{ minWidth: 0, flex: '1 1 220px' }}>
          <Typography.Text type="secondary">{t('setup.totp.manual')}</Typography.Text>
          <Typography.Text
            code
            copyable={{ text: enrolment.secret }}
            data-testid="totp-secret"
            style={{ fontSize: 16, wordBreak: 'break-all' }}
          >
            {groupSecret(enrolment.secret)}
          </Typography.Text>
        </Flex>
      </Flex>
      {error != null && <Alert type="error" showIcon title={problemMessage(error)} />}
      <Form
        form={form}
        layout="vertical"
        onFinish={confirm}
        requiredMark={false}
        data-testid="totp-confirm-form"
      >
        <Form.Item
          name="code"
          label={t('setup.totp.code')}
          rules={[{ required: true, pattern: sixDigits, message: t('login.codeRequired') }]}
        >
          <CodeInput style={{ maxWidth: 200 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={submitting}>
          {t('setup.totp.confirm')}
        </Button>
      </Form>
    </Flex>
  );
}
