import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Flex, Statistic, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useProblemMessage } from '../auth/problem-messages';
import { useLabel } from '../portal/portal-common';
import { compensationApi } from './compensation-api';

/**
 * The incident page's "赔偿申请 / Compensation claims" card (issue 5 section 8): how many compensation claims
 * the incident's affected customers filed, and in which claim states. Counts only.
 */
export function CompensationClaimsCard({ incidentId }: { incidentId: string }) {
  const { t } = useTranslation();
  const label = useLabel();
  const problemMessage = useProblemMessage();
  const counts = useQuery({
    queryKey: ['incidents', incidentId, 'compensation-claims'] as const,
    queryFn: () => compensationApi.counts(incidentId),
  });
  return (
    <Card
      title={t('breachNotices.compensation.cardTitle')}
      loading={counts.isPending}
      data-testid="compensation-card"
    >
      <Typography.Paragraph type="secondary">
        {t('breachNotices.compensation.cardIntro')}
      </Typography.Paragraph>
      {counts.isError ? <Alert type="error" showIcon title={problemMessage(counts.error)} /> : null}
      {counts.data ? (
        <Flex gap={32} wrap align="flex-start">
          <Statistic title={t('breachNotices.compensation.total')} value={counts.data.total} />
          {counts.data.total === 0 ? (
            <Typography.Text type="secondary">{t('breachNotices.compensation.none')}</Typography.Text>
          ) : (
            <Table
              size="small"
              pagination={false}
              rowKey="state"
              dataSource={counts.data.byState}
              columns={[
                {
                  title: t('breachNotices.compensation.state'),
                  dataIndex: 'state',
                  render: (state: string) => <Tag>{label('states', state)}</Tag>,
                },
                { title: t('breachNotices.compensation.count'), dataIndex: 'count', align: 'right' },
              ]}
            />
          )}
        </Flex>
      ) : null}
    </Card>
  );
}
