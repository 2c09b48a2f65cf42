import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Flex, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate, formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { type ClaimState, type PortalClaimSummary, portalApi, portalKeys } from './portal-api';
import { useLabel, usePortalProblemMessage } from './portal-common';
import { portalPaths } from './portal-paths';

export const STATE_COLOURS: Record<ClaimState, string> = {
  reported: 'blue',
  registered: 'blue',
  surveying: 'processing',
  assessing: 'processing',
  adjusting: 'processing',
  approving: 'gold',
  paying: 'gold',
  closed: 'green',
  rejected: 'red',
  withdrawn: 'default',
  reopened: 'purple',
};

/** My claims, newest first. */
export function PortalClaimsPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const label = useLabel();
  const problemMessage = usePortalProblemMessage();
  const claims = useQuery({ queryKey: portalKeys.claims, queryFn: portalApi.claims });

  return (
    <Flex vertical gap="middle">
      <Flex justify="space-between" align="center">
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('portal.claims.title')}
        </Typography.Title>
        <Link to={portalPaths.report}>
          <Button type="primary" icon={<PlusOutlined />}>
            {t('portal.claims.report')}
          </Button>
        </Link>
      </Flex>
      {claims.isError ? <Alert type="error" showIcon title={problemMessage(claims.error)} /> : null}
      <Table<PortalClaimSummary>
        rowKey="id"
        loading={claims.isPending}
        dataSource={claims.data?.items ?? []}
        locale={{ emptyText: t('portal.claims.empty') }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        columns={[
          {
            key: 'number',
            title: t('portal.claims.columns.number'),
            render: (_value, claim) => <Link to={portalPaths.claim(claim.id)}>{claim.number}</Link>,
          },
          {
            key: 'productLine',
            title: t('portal.claims.columns.productLine'),
            render: (_value, claim) => label('productLines', claim.productLine),
          },
          {
            key: 'incidentDate',
            title: t('portal.claims.columns.incidentDate'),
            render: (_value, claim) => formatDate(claim.incidentDate, language),
          },
          {
            key: 'state',
            title: t('portal.claims.columns.state'),
            render: (_value, claim) => (
              <Tag color={STATE_COLOURS[claim.state]}>{label('states', claim.state)}</Tag>
            ),
          },
          {
            key: 'reportedAt',
            title: t('portal.claims.columns.reportedAt'),
            render: (_value, claim) => formatDateTime(claim.reportedAt, language),
          },
          {
            key: 'updatedAt',
            title: t('portal.claims.columns.updatedAt'),
            render: (_value, claim) => formatDateTime(claim.updatedAt, language),
          },
        ]}
      />
    </Flex>
  );
}
