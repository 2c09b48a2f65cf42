import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Form, Input, Select, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiPatch, apiPost } from '../../api/api-client';
import { useProblemMessage } from '../auth/problem-messages';
import { type ClaimantLookup, claimantLookupOf, type Maskable } from './claims-api';

/** A customer as the search shows them: masked fields and their policies. */
type CustomerMatch = {
  id: string;
  idType: string;
  fields: { name?: Maskable; idNumber?: Maskable; phone?: Maskable };
  policies: { id: string; number: string }[];
};
type ContactField = 'phone' | 'email' | 'address';
type ChangeValues = { phone?: string; email?: string; address?: string; purpose: string };

/** Purposes the server accepts for a contact change (claims.schema.ts CONTACT_CHANGE_PURPOSES). */
const PURPOSES = ['customer-service', 'claim-handling', 'data-subject-request'] as const;

const searchCustomers = (lookup: ClaimantLookup) =>
  apiPost<{ items: CustomerMatch[] }>('/api/v1/customers/search', lookup);
const changeContact = (id: string, body: Partial<Record<ContactField, string>> & { purpose: string }) =>
  apiPatch<{ changed: ContactField[]; contactChangedAt: string }>(
    `/api/v1/customers/${encodeURIComponent(id)}/contact`,
    body,
  );

/**
 * Intake and supervisors change a customer's phone, email or address (S3.1, S4.3): find the customer
 * (blind-index search, masked), then the new values and a purpose; the API client asks for a fresh second
 * factor when the server wants one. The server refuses while a security incident holds the customer.
 */
export function CustomerContactPage() {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const [chosen, setChosen] = useState<CustomerMatch | null>(null);
  const [done, setDone] = useState<ContactField[] | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [form] = Form.useForm<ChangeValues>();
  const search = useMutation({ mutationFn: searchCustomers });
  const change = useMutation({
    mutationFn: ({ id, values }: { id: string; values: ChangeValues }) => changeContact(id, values),
    onSuccess: (result) => {
      setDone(result.changed);
      setChosen(null);
      form.resetFields();
      // The list shows the new (masked) details, not the ones just replaced.
      if (search.variables) search.mutate(search.variables);
    },
  });

  const find = (values: { text: string }) => {
    const lookup = claimantLookupOf(values.text ?? '');
    if (!lookup) {
      setSearchError(t('customerContact.searchInvalid'));
      return;
    }
    setSearchError(null);
    setDone(null);
    setChosen(null);
    search.mutate(lookup);
  };

  const submit = (values: ChangeValues) => {
    if (!chosen) return;
    const trimmed = Object.fromEntries(
      (['phone', 'email', 'address'] as const)
        .map((key) => [key, values[key]?.trim()] as const)
        .filter(([, value]) => value),
    ) as Partial<Record<ContactField, string>>;
    if (Object.keys(trimmed).length === 0) {
      form.setFields([{ name: 'phone', errors: [t('customerContact.nothing')] }]);
      return;
    }
    change.mutate({ id: chosen.id, values: { ...trimmed, purpose: values.purpose } });
  };

  return (
    <Flex vertical gap="middle">
      <div>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t('customerContact.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('customerContact.subtitle')}</Typography.Paragraph>
      </div>
      <Form<{ text: string }> layout="inline" onFinish={find}>
        <Form.Item name="text" style={{ minWidth: 320 }}>
          <Input placeholder={t('customerContact.search')} autoComplete="off" maxLength={200} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={search.isPending}>
          {t('customerContact.searchButton')}
        </Button>
      </Form>
      {searchError ? <Alert type="warning" showIcon title={searchError} /> : null}
      {search.error ? <Alert type="error" showIcon title={problemMessage(search.error)} /> : null}
      {done ? (
        <Alert
          type="success"
          showIcon
          title={t('customerContact.done', {
            fields: done.map((field) => t(`customerContact.fields.${field}`)).join(', '),
          })}
        />
      ) : null}
      {search.data ? (
        <Table<CustomerMatch>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={search.data.items}
          locale={{ emptyText: t('customerContact.noMatch') }}
          columns={[
            { title: t('customerContact.columns.name'), render: (_, row) => row.fields.name?.value ?? '' },
            {
              title: t('customerContact.columns.idNumber'),
              render: (_, row) => row.fields.idNumber?.value ?? '',
            },
            { title: t('customerContact.columns.phone'), render: (_, row) => row.fields.phone?.value ?? '' },
            {
              title: t('customerContact.columns.policies'),
              render: (_, row) => row.policies.map((policy) => policy.number).join(', '),
            },
            {
              key: 'choose',
              render: (_, row) => (
                <Button
                  size="small"
                  onClick={() => {
                    setDone(null);
                    change.reset();
                    setChosen(row);
                  }}
                >
                  {t('customerContact.choose')}
                </Button>
              ),
            },
          ]}
        />
      ) : null}
      {chosen ? (
        <Card size="small" title={`${t('customerContact.formTitle')} · ${chosen.fields.name?.value ?? ''}`}>
          {change.error ? <Alert type="error" showIcon title={problemMessage(change.error)} /> : null}
          <Form<ChangeValues>
            form={form}
            layout="vertical"
            onFinish={submit}
            requiredMark={false}
            initialValues={{ purpose: 'customer-service' }}
            style={{ maxWidth: 520, marginTop: 12 }}
          >
            <Form.Item
              name="phone"
              label={t('customerContact.phone')}
              rules={[
                {
                  pattern: /^\s*(\+?86)?[\s-]*1[3-9](\d[\s-]*){9}$/,
                  message: t('customerContact.phoneInvalid'),
                },
              ]}
            >
              <Input inputMode="tel" autoComplete="off" maxLength={30} />
            </Form.Item>
            <Form.Item
              name="email"
              label={t('customerContact.email')}
              rules={[{ type: 'email', message: t('customerContact.emailInvalid') }]}
            >
              <Input inputMode="email" autoComplete="off" maxLength={254} />
            </Form.Item>
            {/* Fixed rows: antd's autoSize measures with an inline style attribute, which our CSP refuses. */}
            <Form.Item name="address" label={t('customerContact.address')}>
              <Input.TextArea autoComplete="off" maxLength={300} rows={2} />
            </Form.Item>
            <Form.Item
              name="purpose"
              label={t('customerContact.purpose')}
              rules={[{ required: true, message: t('customerContact.purposeRequired') }]}
            >
              <Select
                options={PURPOSES.map((purpose) => ({
                  value: purpose,
                  label: t(`portal.purposes.${purpose}`),
                }))}
              />
            </Form.Item>
            <Flex gap="small">
              <Button type="primary" htmlType="submit" loading={change.isPending}>
                {t('customerContact.submit')}
              </Button>
              <Button onClick={() => setChosen(null)}>{t('customerContact.cancel')}</Button>
            </Flex>
          </Form>
        </Card>
      ) : null}
    </Flex>
  );
}
