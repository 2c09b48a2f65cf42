import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Form, Input, List, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { useLanguage } from '../../i18n/language-provider';
import { portalKeys } from '../portal/portal-api';
import { useLabel, usePortalProblemMessage } from '../portal/portal-common';
import { portalPaths } from '../portal/portal-paths';
import { compensationApi } from './compensation-api';

type Values = { policyNumber?: string; description: string; amountClaimed?: string };

/**
 * The compensation claim form a breach notice links to (issue 5 section 8, S4.2): pre-filled with the
 * incident reference and the categories of the customer's own data involved; the claim is filed on the
 * customer's in-force policy and opens on the claim page. A customer the incident did not affect sees the
 * server's refusal.
 */
export function PortalCompensationPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const label = useLabel();
  const problemMessage = usePortalProblemMessage();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const reference = useParams().reference ?? '';
  const form = useQuery({
    queryKey: ['portal', 'compensation', reference] as const,
    queryFn: () => compensationApi.form(reference),
    retry: false,
  });
  const file = useMutation({
    mutationFn: (values: Values) =>
      compensationApi.file(reference, {
        description: values.description.trim(),
        amountClaimed: values.amountClaimed?.trim() || null,
        ...(values.policyNumber ? { policyNumber: values.policyNumber } : {}),
      }),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: portalKeys.claims });
      await navigate(portalPaths.claim(created.id));
    },
  });

  if (form.isError)
    return <Alert type="error" showIcon title={problemMessage(form.error)} style={{ maxWidth: 720 }} />;
  const data = form.data;
  return (
    <Card style={{ maxWidth: 720 }} loading={form.isPending}>
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('breachNotices.compensation.title')}
      </Typography.Title>
      {data ? (
        <>
          <Typography.Paragraph type="secondary">
            {t('breachNotices.compensation.intro', { reference: data.incidentReference })}
          </Typography.Paragraph>
          <Descriptions column={1} size="small" bordered style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('breachNotices.compensation.reference')}>
              <Space>
                <span data-testid="compensation-reference">{data.incidentReference}</span>
                {data.isDrill ? <Tag color="purple">{t('breachNotices.card.drill')}</Tag> : null}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('breachNotices.compensation.categories')}>
              <Space wrap>
                {data.categoryNames[language].map((name) => (
                  <Tag key={name}>{name}</Tag>
                ))}
              </Space>
            </Descriptions.Item>
          </Descriptions>
          {data.claims.length > 0 ? (
            <List
              size="small"
              header={t('breachNotices.compensation.existing')}
              style={{ marginBottom: 16 }}
              dataSource={data.claims}
              renderItem={(claim) => (
                <List.Item
                  actions={[
                    <Link key="open" to={portalPaths.claim(claim.id)}>
                      {t('breachNotices.compensation.open')}
                    </Link>,
                  ]}
                >
                  {claim.number} <Tag>{label('states', claim.state)}</Tag>
                </List.Item>
              )}
            />
          ) : null}
          {file.isError ? (
            <Alert type="error" showIcon title={problemMessage(file.error)} style={{ marginBottom: 16 }} />
          ) : null}
          {data.policies.length === 0 ? (
            <Alert type="warning" showIcon title={t('breachNotices.compensation.noPolicy')} />
          ) : (
            <Form<Values>
              layout="vertical"
              requiredMark={false}
              initialValues={{ policyNumber: data.policies[0]?.number }}
              onFinish={(values) => file.mutate(values)}
            >
              <Form.Item name="policyNumber" label={t('breachNotices.compensation.policy')}>
                <Select
                  options={data.policies.map((policy) => ({
                    value: policy.number,
                    label: `${policy.number} · ${label('productLines', policy.productLine)} (${policy.startsOn} – ${policy.endsOn})`,
                  }))}
                />
              </Form.Item>
              <Form.Item
                name="description"
                label={t('breachNotices.compensation.description')}
                extra={t('breachNotices.compensation.descriptionHint')}
                rules={[
                  {
                    required: true,
                    whitespace: true,
                    message: t('breachNotices.compensation.descriptionRequired'),
                  },
                ]}
              >
                <Input.TextArea rows={4} maxLength={4000} showCount />
              </Form.Item>
              <Form.Item
                name="amountClaimed"
                label={t('breachNotices.compensation.amountClaimed')}
                rules={[
                  {
                    pattern: /^\d{1,12}(\.\d{1,2})?$/,
                    message: t('breachNotices.compensation.amountInvalid'),
                  },
                ]}
              >
                <Input inputMode="decimal" style={{ maxWidth: 240 }} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={file.isPending}>
                {t('breachNotices.compensation.submit')}
              </Button>
            </Form>
          )}
        </>
      ) : null}
    </Card>
  );
}
