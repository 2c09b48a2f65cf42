import { SafetyCertificateOutlined, SafetyOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Modal, Typography } from 'antd';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { setStepUpHandler } from '../../api/api-client';
import { type Me, meQueryKey, verifySecondFactor } from './auth-api';
import { CodeInput, sixDigits } from './code-input';
import { confirmWithPasskey, passkeyErrorMessage } from './passkey-api';
import { useProblemMessage } from './problem-messages';

/**
 * Answers the server's `step-up-required`: the API client calls the registered handler, which opens this
 * modal; once a TOTP code is accepted (`POST /auth/second-factor`), the client retries the refused
 * request. Cancelling lets the refusal through to the caller.
 */
export function StepUpProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [form] = Form.useForm<{ code: string }>();
  const settle = useRef<((stepped: boolean) => void) | null>(null);

  useEffect(
    () =>
      setStepUpHandler(
        () =>
          new Promise<boolean>((resolve) => {
            settle.current = resolve;
            setError(null);
            // No resetFields here: the form is not mounted while the modal is closed (antd warns); it is
            // destroyed on close and keeps no values (preserve={false}), so each prompt starts empty.
            setOpen(true);
          }),
      ),
    [],
  );

  const finish = (stepped: boolean) => {
    setOpen(false);
    settle.current?.(stepped);
    settle.current = null;
  };

  const hasPasskey = (queryClient.getQueryData<Me>(meQueryKey)?.secondFactor.passkeys ?? 0) > 0;

  const submitPasskey = async () => {
    setSubmitting(true);
    setError(null);
    try {
      await confirmWithPasskey();
      await queryClient.invalidateQueries({ queryKey: meQueryKey });
      finish(true);
    } catch (caught) {
      setError(passkeyErrorMessage(t, caught));
    } finally {
      setSubmitting(false);
    }
  };

  const submit = async ({ code }: { code: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      await verifySecondFactor(code.trim());
      await queryClient.invalidateQueries({ queryKey: meQueryKey });
      finish(true);
    } catch (caught) {
      setError(problemMessage(caught));
      form.setFieldValue('code', '');
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <>
      {children}
      <Modal
        open={open}
        title={
          <span>
            <SafetyOutlined /> {t('stepUp.title')}
          </span>
        }
        okText={t('stepUp.submit')}
        cancelText={t('common.cancel')}
        confirmLoading={submitting}
        onOk={() => form.submit()}
        onCancel={() => finish(false)}
        destroyOnHidden
        mask={{ closable: false }}
        okButtonProps={{ 'data-testid': 'step-up-submit' } as Record<string, string>}
      >
        <Typography.Paragraph type="secondary">{t('stepUp.hint')}</Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        {hasPasskey && (
          <Button
            block
            icon={<SafetyCertificateOutlined />}
            loading={submitting}
            onClick={() => void submitPasskey()}
            style={{ marginBottom: 16 }}
            data-testid="step-up-passkey"
          >
            {t('passkeys.usePasskey')}
          </Button>
        )}
        <Form form={form} layout="vertical" preserve={false} onFinish={submit} data-testid="step-up-form">
          <Form.Item
            name="code"
            label={t('stepUp.code')}
            rules={[{ required: true, pattern: sixDigits, message: t('login.codeRequired') }]}
          >
            <CodeInput autoFocus data-testid="step-up-code" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
