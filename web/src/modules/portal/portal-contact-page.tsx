import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Flex, Form, Input, Radio, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CodeInput, sixDigits } from '../auth/code-input';
import { portalApi, portalKeys } from './portal-api';
import { usePortalProblemMessage } from './portal-common';

type Kind = 'phone' | 'email';
type StartValues = { kind: Kind; phone?: string; email?: string };
type Started = { id: string; kind: Kind; value: string; channel: 'sms' | 'email'; minutes: number };

/**
 * The signed-in customer changes their own phone or email (S3.1, S4.3): the code goes to the CURRENT
 * phone or email, then the code and the new value change it; the new one signs in from then on. Current
 * contacts are shown masked, as everywhere in the portal.
 */
export function PortalContactPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const problemMessage = usePortalProblemMessage();
  const me = useQuery({ queryKey: portalKeys.me, queryFn: portalApi.me });
  const [started, setStarted] = useState<Started | null>(null);
  const [done, setDone] = useState<Kind | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [form] = Form.useForm<StartValues>();
  const kind = Form.useWatch('kind', form) ?? 'phone';
  // The start form unmounts while a code is awaited; when it comes back, its choice shows selected again.
  useEffect(() => {
    if (!started && form.getFieldValue('kind') === undefined) form.setFieldsValue({ kind: 'phone' });
  }, [started, form]);

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
      const value = (values.kind === 'phone' ? values.phone : values.email)?.trim() ?? '';
      const result = await portalApi.startContactChange(values.kind);
      const minutes = Math.max(
        1,
        Math.round((new Date(result.codeExpiresAt).getTime() - Date.now()) / 60_000),
      );
      setDone(null);
      setStarted({ id: result.id, kind: values.kind, value, channel: result.channel, minutes });
    });

  const confirm = (values: { code: string }) =>
    run(async () => {
      if (!started) return;
      await portalApi.confirmContactChange(started.id, {
        code: values.code.trim(),
        [started.kind]: started.value,
      });
      setDone(started.kind);
      setStarted(null);
      form.resetFields();
      // Not awaited: the form is free again at once; the masked contacts above refresh when they arrive.
      void queryClient.invalidateQueries({ queryKey: portalKeys.me });
    });

  const channelOf = (field: Kind) => t(`portal.channel.${field === 'phone' ? 'sms' : 'email'}`);

  return (
    <Flex vertical gap="middle" style={{ maxWidth: 640 }}>
      <div>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t('portal.contact.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('portal.contact.subtitle')}</Typography.Paragraph>
      </div>
      <Card title={t('portal.contact.current')} size="small">
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t('portal.contact.phone')}>
            {me.data?.phone ?? t('portal.contact.none')}
          </Descriptions.Item>
          <Descriptions.Item label={t('portal.contact.email')}>
            {me.data?.email ?? t('portal.contact.none')}
          </Descriptions.Item>
        </Descriptions>
        <Typography.Text type="secondary">{t('portal.contact.addressHint')}</Typography.Text>
      </Card>
      {done ? (
        <Alert
          type="success"
          showIcon
          title={t('portal.contact.done', { field: t(`portal.contact.inSentence.${done}`) })}
        />
      ) : null}
      {error ? <Alert type="error" showIcon title={problemMessage(error)} /> : null}
      <Card size="small">
        {started ? (
          <Form<{ code: string }> layout="vertical" onFinish={confirm} requiredMark={false}>
            <Typography.Paragraph>
              {t('portal.contact.codeHint', {
                channel: t(`portal.channel.${started.channel}`),
                minutes: started.minutes,
              })}
            </Typography.Paragraph>
            <Form.Item
              name="code"
              label={t('portal.contact.code')}
              rules={[{ required: true, pattern: sixDigits, message: t('portal.login.codeRequired') }]}
            >
              <CodeInput autoFocus />
            </Form.Item>
            <Flex gap="small">
              <Button type="primary" htmlType="submit" loading={submitting}>
                {t('portal.contact.confirm')}
              </Button>
              <Button onClick={() => setStarted(null)}>{t('portal.contact.cancel')}</Button>
            </Flex>
          </Form>
        ) : (
          <Form<StartValues>
            form={form}
            layout="vertical"
            onFinish={start}
            requiredMark={false}
            initialValues={{ kind: 'phone' }}
          >
            <Form.Item name="kind" label={t('portal.contact.kind')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'phone', label: t('portal.contact.phone') },
                  { value: 'email', label: t('portal.contact.email') },
                ]}
              />
            </Form.Item>
            {kind === 'phone' ? (
              <Form.Item
                name="phone"
                label={t('portal.contact.newPhone')}
                rules={[
                  {
                    required: true,
                    pattern: /^\s*(\+?86)?[\s-]*1[3-9](\d[\s-]*){9}$/,
                    message: t('portal.contact.newPhoneRequired'),
                  },
                ]}
              >
                <Input inputMode="tel" autoComplete="tel" maxLength={30} />
              </Form.Item>
            ) : (
              <Form.Item
                name="email"
                label={t('portal.contact.newEmail')}
                rules={[{ required: true, type: 'email', message: t('portal.contact.newEmailRequired') }]}
              >
                <Input inputMode="email" autoComplete="email" maxLength={254} />
              </Form.Item>
            )}
            <Button type="primary" htmlType="submit" loading={submitting}>
              {t('portal.contact.send', { channel: channelOf(kind) })}
            </Button>
          </Form>
        )}
      </Card>
    </Flex>
  );
}
