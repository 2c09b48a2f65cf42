import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { addPasskey, type Passkey, passkeyErrorMessage } from './passkey-api';

/**
 * Creates a passkey on this device (the browser asks for a fingerprint, face, PIN or security key) and
 * registers it. Hands the registered passkey, and the recovery codes of a first enrolment, to `onAdded`.
 */
export function PasskeyEnrolmentPanel({
  onAdded,
}: {
  onAdded: (result: { passkey: Passkey; recoveryCodes: string[] | null }) => void;
}) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const create = async ({ deviceName }: { deviceName?: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      onAdded(await addPasskey(deviceName ?? ''));
    } catch (caught) {
      setError(passkeyErrorMessage(t, caught));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Flex vertical gap="middle">
      <Typography.Paragraph style={{ marginBottom: 0 }}>{t('passkeys.intro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} data-testid="passkey-error" />}
      <Form layout="vertical" onFinish={create} requiredMark={false} data-testid="passkey-form">
        <Form.Item name="deviceName" label={t('passkeys.deviceName')}>
          <Input
            maxLength={64}
            placeholder={t('passkeys.deviceNamePlaceholder')}
            style={{ maxWidth: 320 }}
            data-testid="passkey-name"
          />
        </Form.Item>
        <Button
          type="primary"
          htmlType="submit"
          icon={<SafetyCertificateOutlined />}
          loading={submitting}
          data-testid="passkey-create"
        >
          {t('passkeys.create')}
        </Button>
      </Form>
    </Flex>
  );
}
