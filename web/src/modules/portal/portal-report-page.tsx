import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, DatePicker, Form, Input, Select, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { portalApi, portalKeys } from './portal-api';
import { useLabel, usePortalProblemMessage } from './portal-common';
import { portalPaths } from './portal-paths';

type ReportValues = {
  policyNumber: string;
  incidentDate: Dayjs;
  amountClaimed?: string;
  description?: string;
  incidentLocation?: string;
};

/** First notice of loss by the customer, for themselves, on a policy that lists them. */
export function PortalReportPage() {
  const { t } = useTranslation();
  const label = useLabel();
  const problemMessage = usePortalProblemMessage();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const policies = useQuery({ queryKey: portalKeys.policies, queryFn: portalApi.policies });
  const report = useMutation({
    mutationFn: (values: ReportValues) =>
      portalApi.report({
        policyNumber: values.policyNumber,
        incidentDate: values.incidentDate.format('YYYY-MM-DD'),
        amountClaimed: values.amountClaimed?.trim() || null,
        description: values.description?.trim() || null,
        incidentLocation: values.incidentLocation?.trim() || null,
      }),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: portalKeys.claims });
      await navigate(portalPaths.claim(created.id));
    },
  });

  return (
    <Card style={{ maxWidth: 720 }}>
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('portal.report.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('portal.report.subtitle')}</Typography.Paragraph>
      {report.isError ? (
        <Alert type="error" showIcon title={problemMessage(report.error)} style={{ marginBottom: 16 }} />
      ) : null}
      <Form<ReportValues> layout="vertical" onFinish={(values) => report.mutate(values)} requiredMark={false}>
        <Form.Item
          name="policyNumber"
          label={t('portal.report.policy')}
          rules={[{ required: true, message: t('portal.report.policyRequired') }]}
        >
          <Select
            loading={policies.isPending}
            notFoundContent={t('portal.report.noPolicies')}
            options={(policies.data?.items ?? []).map((policy) => ({
              value: policy.number,
              label: `${policy.number} · ${label('productLines', policy.productLine)} (${policy.startsOn} – ${policy.endsOn})`,
            }))}
          />
        </Form.Item>
        <Form.Item
          name="incidentDate"
          label={t('portal.report.incidentDate')}
          rules={[{ required: true, message: t('portal.report.incidentDateRequired') }]}
        >
          <DatePicker disabledDate={(date) => date.isAfter(dayjs(), 'day')} />
        </Form.Item>
        <Form.Item
          name="amountClaimed"
          label={t('portal.report.amountClaimed')}
          rules={[{ pattern: /^\d{1,12}(\.\d{1,2})?$/, message: t('portal.report.amountInvalid') }]}
        >
          <Input inputMode="decimal" style={{ maxWidth: 240 }} />
        </Form.Item>
        <Form.Item name="description" label={t('portal.report.description')}>
          <Input.TextArea rows={4} maxLength={4000} showCount />
        </Form.Item>
        <Form.Item name="incidentLocation" label={t('portal.report.incidentLocation')}>
          <Input maxLength={300} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={report.isPending}>
          {t('portal.report.submit')}
        </Button>
      </Form>
    </Card>
  );
}
