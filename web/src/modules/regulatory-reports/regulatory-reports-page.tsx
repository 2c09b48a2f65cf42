import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Input, Select, Spin, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { useProblemMessage } from '../auth/problem-messages';
import { registerQueryOptions } from '../incidents/incidents-api';
import { IncidentReportsCard } from './incident-reports-card';
import { RegimesPanel } from './regimes-panel';
import { reportQueryOptions } from './regulatory-reports-api';

/**
 * Regulatory reporting (S4.4): an incident's reports (chosen from the register, or by incident id) and the
 * reporting rules. The incident page carries the same card. The incident id lives in the address (`?incident=`).
 */
export function RegulatoryReportsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const incidentId = params.get('incident') ?? '';
  const tab = params.get('tab') === 'regimes' ? 'regimes' : 'incident';
  const [draft, setDraft] = useState(incidentId);
  const register = useQuery(registerQueryOptions({}));

  const openIncident = () => {
    const id = draft.trim();
    if (id) setParams({ incident: id });
  };

  return (
    <Flex vertical gap="large">
      <div>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {t('regulatoryReports.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('regulatoryReports.subtitle')}</Typography.Text>
      </div>
      <Tabs
        activeKey={tab}
        onChange={(key) =>
          setParams(key === 'regimes' ? { tab: 'regimes' } : incidentId ? { incident: incidentId } : {})
        }
        items={[
          {
            key: 'incident',
            label: t('regulatoryReports.tabs.incident'),
            children: (
              <Flex vertical gap="middle">
                <Flex gap="small" wrap>
                  <Select
                    aria-label={t('regulatoryReports.lookup.choose')}
                    placeholder={t('regulatoryReports.lookup.choose')}
                    showSearch
                    optionFilterProp="label"
                    loading={register.isLoading}
                    value={
                      register.data?.items.some((item) => item.id === incidentId) ? incidentId : undefined
                    }
                    onChange={(id: string) => {
                      setDraft(id);
                      setParams({ incident: id });
                    }}
                    options={(register.data?.items ?? []).map((item) => ({
                      value: item.id,
                      label: `${item.reference} · ${item.title}`,
                    }))}
                    style={{ minWidth: 320 }}
                  />
                  <Input
                    aria-label={t('regulatoryReports.lookup.label')}
                    placeholder={t('regulatoryReports.lookup.placeholder')}
                    value={draft}
                    maxLength={100}
                    onChange={(event) => setDraft(event.target.value)}
                    onPressEnter={openIncident}
                    style={{ maxWidth: 360 }}
                  />
                  <Button type="primary" onClick={openIncident}>
                    {t('regulatoryReports.lookup.open')}
                  </Button>
                </Flex>
                {incidentId ? <IncidentReportsCard key={incidentId} incidentId={incidentId} /> : null}
              </Flex>
            ),
          },
          {
            key: 'regimes',
            label: t('regulatoryReports.tabs.regimes'),
            children: (
              <Card size="small">
                <RegimesPanel />
              </Card>
            ),
          },
        ]}
      />
    </Flex>
  );
}

/** One report (the deadline alerts link here): its incident's reports, with this one open in the editor. */
export function RegulatoryReportPage() {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const { id = '' } = useParams();
  const report = useQuery(reportQueryOptions(id));
  return (
    <Flex vertical gap="large">
      <Typography.Title level={3} style={{ marginBottom: 4 }}>
        {t('regulatoryReports.title')}
        {report.data ? ` · ${report.data.incidentReference}` : ''}
      </Typography.Title>
      {report.isLoading ? <Spin /> : null}
      {report.error ? <Alert type="error" showIcon title={problemMessage(report.error)} /> : null}
      {report.data ? (
        <IncidentReportsCard incidentId={report.data.incidentId} openReportId={report.data.id} />
      ) : null}
    </Flex>
  );
}
