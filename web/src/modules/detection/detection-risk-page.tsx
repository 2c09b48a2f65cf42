import { AlertOutlined, BarChartOutlined, FundOutlined, WarningOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Flex,
  Progress,
  Row,
  Segmented,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ChartOption, EChartsView } from '../../app/echarts-view';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { useProblemMessage } from '../auth/problem-messages';
import { type RiskSummary, riskQueryOptions, SEVERITIES, type Severity } from './detection-api';
import { SEVERITY_CHART_COLOURS, StaffName } from './detection-parts';

/** The real-time risk view (S13.4 early warning, S13.5 monitoring), refreshed every 10 seconds. */
export function DetectionRiskPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const problemMessage = useProblemMessage();
  const [hours, setHours] = useState(24);
  const risk = useQuery(riskQueryOptions(hours));
  const data = risk.data;

  const volumeOption = useMemo<ChartOption>(() => {
    const hourLabel = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' });
    const points = everyHour(data, hours);
    return {
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 48 },
      xAxis: { type: 'category', data: points.map((point) => hourLabel.format(new Date(point.hour))) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: t('detection.risk.accesses'),
          type: 'bar',
          barMaxWidth: 24,
          itemStyle: { color: '#1677ff' },
          data: points.map((point) => point.accesses),
        },
        {
          name: t('detection.risk.denials'),
          type: 'line',
          showSymbol: false,
          itemStyle: { color: '#cf1322' },
          data: points.map((point) => point.denials),
        },
      ],
    };
  }, [data, hours, language, t]);

  const byRuleOption = useMemo<ChartOption>(() => {
    const rules = [...new Set((data?.alertsByRule ?? []).map((entry) => entry.ruleId))];
    return {
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { bottom: 0 },
      grid: { left: 150, right: 16, top: 8, bottom: 48 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: rules.map((rule) => t(`detection.rules.${rule}`)) },
      series: SEVERITIES.map((severity) => ({
        name: t(`detection.severity.${severity}`),
        type: 'bar' as const,
        stack: 'alerts',
        barMaxWidth: 22,
        itemStyle: { color: SEVERITY_CHART_COLOURS[severity] },
        data: rules.map(
          (rule) =>
            data?.alertsByRule.find((entry) => entry.ruleId === rule && entry.severity === severity)?.count ??
            0,
        ),
      })),
    };
  }, [data, t]);

  const bySeverityOption = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'item', renderMode: 'richText', formatter: '{b}: {c}' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['40%', '68%'],
          center: ['50%', '44%'],
          label: { show: true, formatter: '{c}' },
          data: (data?.alertsBySeverity ?? [])
            .filter((entry) => entry.count > 0)
            .map((entry) => ({
              name: t(`detection.severity.${entry.severity}`),
              value: entry.count,
              itemStyle: { color: SEVERITY_CHART_COLOURS[entry.severity as Severity] },
            })),
        },
      ],
    }),
    [data, t],
  );

  const critical = data?.alertsBySeverity.find((entry) => entry.severity === 'critical')?.count ?? 0;

  return (
    <Flex vertical gap="large" data-testid="detection-risk-page">
      <Flex justify="space-between" align="flex-start" wrap gap="middle">
        <div>
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            {t('detection.risk.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('detection.risk.subtitle')}</Typography.Text>
        </div>
        <Segmented<number>
          value={hours}
          onChange={setHours}
          options={[6, 24, 72, 168].map((n) => ({ value: n, label: t('detection.risk.hours', { n }) }))}
        />
      </Flex>
      {risk.error && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(risk.error)}
          action={<Button onClick={() => void risk.refetch()}>{t('common.retry')}</Button>}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('detection.risk.openAlerts')}
              value={data?.openAlerts ?? 0}
              prefix={<AlertOutlined />}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('detection.risk.critical')}
              value={critical}
              styles={critical > 0 ? { content: { color: '#cf1322' } } : undefined}
              prefix={<WarningOutlined />}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('detection.risk.earlyWarning')} value={data?.earlyWarnings.length ?? 0} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('detection.risk.lag')} value={data?.engine.lag ?? 0} />
            <Typography.Text type="secondary">
              {t('detection.risk.evaluatedUpTo', { seq: data?.engine.evaluatedUpTo ?? '—' })}
            </Typography.Text>
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card
            size="small"
            title={
              <span>
                <BarChartOutlined /> {t('detection.risk.volume')}
              </span>
            }
          >
            <EChartsView
              option={volumeOption}
              className="claimguard-chart"
              testId="risk-volume-chart"
              ariaLabel={t('detection.risk.volumeAria', { n: hours })}
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card
            size="small"
            title={
              <span>
                <FundOutlined /> {t('detection.risk.bySeverity')}
              </span>
            }
          >
            <EChartsView
              option={bySeverityOption}
              className="claimguard-chart"
              testId="risk-severity-chart"
              ariaLabel={t('detection.risk.bySeverityAria')}
            />
          </Card>
        </Col>
        <Col xs={24}>
          <Card size="small" title={t('detection.risk.byRule')}>
            <EChartsView
              option={byRuleOption}
              className="claimguard-chart"
              testId="risk-rule-chart"
              ariaLabel={t('detection.risk.byRuleAria')}
            />
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('detection.risk.riskiest')} styles={{ body: { padding: 0 } }}>
            <Table<RiskSummary['riskiestUsers'][number]>
              rowKey="actorId"
              size="small"
              pagination={false}
              dataSource={data?.riskiestUsers ?? []}
              locale={{ emptyText: t('detection.risk.empty') }}
              data-testid="risk-riskiest"
              columns={[
                {
                  title: t('detection.risk.user'),
                  key: 'user',
                  render: (_, row) => <StaffName id={row.actorId} role={row.role} />,
                },
                { title: t('detection.risk.score'), dataIndex: 'score' },
                {
                  title: t('detection.risk.alerts'),
                  key: 'alerts',
                  render: (_, row) => (
                    <span>
                      {row.alerts}{' '}
                      {row.critical > 0 && (
                        <Tag color="red">
                          {t('detection.severity.critical')} {row.critical}
                        </Tag>
                      )}
                    </span>
                  ),
                },
                {
                  title: t('detection.alerts.lastEvent'),
                  dataIndex: 'lastAlertAt',
                  render: (value: string) => formatDateTime(value, language),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card
            size="small"
            title={t('detection.risk.earlyWarning')}
            extra={<Typography.Text type="secondary">{t('detection.risk.earlyWarningHint')}</Typography.Text>}
            styles={{ body: { padding: 0 } }}
          >
            <Table<RiskSummary['earlyWarnings'][number]>
              rowKey={(row) => `${row.actorId}:${row.gauge}`}
              size="small"
              pagination={false}
              dataSource={data?.earlyWarnings ?? []}
              locale={{ emptyText: t('detection.risk.empty') }}
              data-testid="risk-early-warnings"
              columns={[
                {
                  title: t('detection.risk.user'),
                  key: 'user',
                  render: (_, row) => <StaffName id={row.actorId} role={row.role} />,
                },
                {
                  title: t('detection.risk.gauge'),
                  dataIndex: 'gauge',
                  render: (gauge: RiskSummary['earlyWarnings'][number]['gauge']) =>
                    t(`detection.rules.${gauge}`),
                },
                {
                  title: t('detection.risk.value'),
                  key: 'value',
                  render: (_, row) => (
                    <Flex vertical gap={0}>
                      <span>
                        {row.value} / {row.limit}
                      </span>
                      <Progress
                        percent={Math.min(Math.round(row.ratio * 100), 100)}
                        size="small"
                        status={row.ratio >= 1 ? 'exception' : 'active'}
                        showInfo={false}
                      />
                    </Flex>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </Flex>
  );
}

/** One point per hour of the range, zero where nothing happened, so the axis is the whole range. */
function everyHour(data: RiskSummary | undefined, hours: number): RiskSummary['volume'] {
  if (!data) return [];
  const byHour = new Map(data.volume.map((point) => [new Date(point.hour).getTime(), point]));
  const last = Math.floor(new Date(data.generatedAt).getTime() / 3_600_000) * 3_600_000;
  return Array.from({ length: hours }, (_, index) => {
    const at = last - (hours - 1 - index) * 3_600_000;
    return byHour.get(at) ?? { hour: new Date(at).toISOString(), accesses: 0, denials: 0 };
  });
}
