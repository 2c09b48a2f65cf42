import { DatabaseOutlined, PieChartOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Flex,
  Row,
  Segmented,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ChartOption, EChartsView } from '../../app/echarts-view';
import { useLanguage } from '../../i18n/language-provider';
import { useProblemMessage } from '../auth/problem-messages';
import { type Catalogue, type CatalogueField, catalogueQueryOptions } from './catalogue-api';
import { maskingExampleOf } from './masking-examples';
import { formatRetention } from './retention-format';

/** Grading levels from the highest to the lowest, with their tag colours. */
const LEVEL_COLOURS: Record<string, string> = {
  core: 'magenta',
  important: 'red',
  'general-sensitive': 'orange',
  'general-other': 'blue',
};
const LEVEL_CHART_COLOURS: Record<string, string> = {
  core: '#c41d7f',
  important: '#cf1322',
  'general-sensitive': '#fa8c16',
  'general-other': '#1677ff',
};

type Sensitivity = 'all' | 'sensitive' | 'general';
type Dimension = 'level' | 'category';

/** The personal-data catalogue (S2.1), read-only: what is collected and how it is graded, used, kept and masked. */
export function CataloguePage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const problemMessage = useProblemMessage();
  const catalogue = useQuery(catalogueQueryOptions);
  const [category, setCategory] = useState<string | null>(null);
  const [sensitivity, setSensitivity] = useState<Sensitivity>('all');
  const [dimension, setDimension] = useState<Dimension>('level');

  const labelsOf = useMemo(() => {
    const data = catalogue.data;
    const index = (entries: Catalogue['levels'] = []) =>
      new Map(entries.map((entry) => [entry.id, entry.labels[language]]));
    return {
      category: index(data?.categories),
      level: index(data?.levels),
      purpose: index(data?.purposes),
    };
  }, [catalogue.data, language]);

  const fields = useMemo(
    () =>
      (catalogue.data?.fields ?? []).filter(
        (field) =>
          (category === null || field.category === category) &&
          (sensitivity === 'all' || field.sensitive === (sensitivity === 'sensitive')),
      ),
    [catalogue.data, category, sensitivity],
  );

  const chartOption = useMemo<ChartOption>(() => {
    const entries = (dimension === 'level' ? catalogue.data?.levels : catalogue.data?.categories) ?? [];
    const data = entries
      .map((entry) => ({
        name: entry.labels[language],
        value: fields.filter((field) => field[dimension] === entry.id).length,
        ...(dimension === 'level' && LEVEL_CHART_COLOURS[entry.id]
          ? { itemStyle: { color: LEVEL_CHART_COLOURS[entry.id] } }
          : {}),
      }))
      .filter((item) => item.value > 0);
    return {
      // Rich-text tooltips are drawn by the renderer; the HTML ones carry inline styles the CSP refuses.
      tooltip: { trigger: 'item', renderMode: 'richText', formatter: '{b}: {c} ({d}%)' },
      legend: { orient: 'horizontal', bottom: 0, type: 'scroll' },
      series: [
        {
          type: 'pie',
          name: t('catalogue.chart.fields'),
          radius: ['42%', '68%'],
          center: ['50%', '44%'],
          avoidLabelOverlap: true,
          label: { show: true, position: 'inside', formatter: '{c}' },
          data,
        },
      ],
    };
  }, [catalogue.data, dimension, fields, language, t]);

  return (
    <Flex vertical gap="large">
      <div>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {t('catalogue.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('catalogue.subtitle')}</Typography.Text>
      </div>
      {catalogue.error && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(catalogue.error)}
          action={<Button onClick={() => void catalogue.refetch()}>{t('common.retry')}</Button>}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Card title={t('catalogue.overview.title')} size="small" style={{ height: '100%' }}>
            <Flex vertical gap="middle">
              <Space wrap>
                <Select
                  data-testid="catalogue-category-filter"
                  aria-label={t('catalogue.filters.category')}
                  style={{ minWidth: 200 }}
                  value={category ?? ''}
                  onChange={(value) => setCategory(value || null)}
                  options={[
                    { value: '', label: t('catalogue.filters.allCategories') },
                    ...(catalogue.data?.categories ?? []).map((entry) => ({
                      value: entry.id,
                      label: entry.labels[language],
                    })),
                  ]}
                />
                <Segmented<Sensitivity>
                  data-testid="catalogue-sensitivity-filter"
                  aria-label={t('catalogue.filters.sensitivity')}
                  value={sensitivity}
                  onChange={setSensitivity}
                  options={[
                    { value: 'all', label: t('catalogue.filters.all') },
                    { value: 'sensitive', label: t('catalogue.filters.sensitiveOnly') },
                    { value: 'general', label: t('catalogue.filters.notSensitiveOnly') },
                  ]}
                />
              </Space>
              <Row gutter={[16, 16]}>
                <Col xs={12} md={6}>
                  <Statistic title={t('catalogue.overview.fields')} value={fields.length} />
                </Col>
                <Col xs={12} md={6}>
                  <Statistic
                    title={t('catalogue.overview.sensitive')}
                    value={fields.filter((field) => field.sensitive).length}
                  />
                </Col>
                <Col xs={12} md={6}>
                  <Statistic
                    title={t('catalogue.overview.searchable')}
                    value={fields.filter((field) => field.blindIndex !== null).length}
                  />
                </Col>
                <Col xs={12} md={6}>
                  <Statistic
                    title={t('catalogue.overview.purposes')}
                    value={new Set(fields.flatMap((field) => field.purposes)).size}
                  />
                </Col>
              </Row>
              <Flex wrap gap="small" align="center">
                <Typography.Text type="secondary">{t('catalogue.overview.levels')}</Typography.Text>
                {(catalogue.data?.levels ?? []).map((level) => (
                  <Tag key={level.id} color={LEVEL_COLOURS[level.id]}>
                    {level.labels[language]}
                  </Tag>
                ))}
              </Flex>
              <Typography.Text type="secondary" data-testid="catalogue-count">
                {t('catalogue.count', { n: fields.length })}
              </Typography.Text>
            </Flex>
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <Card
            size="small"
            title={
              <span>
                <PieChartOutlined /> {t('catalogue.chart.title')}
              </span>
            }
            extra={
              <Segmented<Dimension>
                size="small"
                value={dimension}
                onChange={setDimension}
                options={[
                  { value: 'level', label: t('catalogue.chart.byLevel') },
                  { value: 'category', label: t('catalogue.chart.byCategory') },
                ]}
              />
            }
          >
            <EChartsView
              option={chartOption}
              className="claimguard-chart"
              testId="catalogue-chart"
              ariaLabel={t('catalogue.chart.ariaLabel', {
                dimension:
                  dimension === 'level' ? t('catalogue.columns.level') : t('catalogue.columns.category'),
              })}
            />
          </Card>
        </Col>
      </Row>
      <Card
        styles={{ body: { padding: 0 } }}
        title={
          <span>
            <DatabaseOutlined /> {t('catalogue.title')}
          </span>
        }
      >
        <Table<CatalogueField>
          rowKey="id"
          loading={catalogue.isPending}
          dataSource={fields}
          pagination={false}
          scroll={{ x: 'max-content' }}
          data-testid="catalogue-table"
          columns={[
            {
              title: t('catalogue.columns.field'),
              dataIndex: 'labels',
              render: (_, field) => (
                <Flex vertical gap={2}>
                  <Typography.Text strong>{field.labels[language]}</Typography.Text>
                  <Typography.Text type="secondary" code>
                    {field.id}
                  </Typography.Text>
                </Flex>
              ),
            },
            {
              title: t('catalogue.columns.classification'),
              key: 'classification',
              render: (_, field) => (
                <Flex vertical gap={4} align="flex-start">
                  <Tag>{labelsOf.category.get(field.category) ?? field.category}</Tag>
                  <Tag color={LEVEL_COLOURS[field.level]}>
                    {labelsOf.level.get(field.level) ?? field.level}
                  </Tag>
                  {field.sensitive ? (
                    <Tag color="volcano">{t('catalogue.sensitiveTag')}</Tag>
                  ) : (
                    <Typography.Text type="secondary">{t('catalogue.notSensitive')}</Typography.Text>
                  )}
                </Flex>
              ),
            },
            {
              title: t('catalogue.columns.purposes'),
              dataIndex: 'purposes',
              render: (purposes: string[]) => (
                <Flex wrap gap={4} className="claimguard-purposes">
                  {purposes.map((purpose) => (
                    <Tag key={purpose} color="geekblue">
                      {labelsOf.purpose.get(purpose) ?? purpose}
                    </Tag>
                  ))}
                </Flex>
              ),
            },
            {
              title: t('catalogue.columns.retention'),
              dataIndex: 'retention',
              render: (retention: string, field) => (
                <Flex vertical gap={2} className="claimguard-narrow-cell">
                  <Typography.Text>{formatRetention(retention, language)}</Typography.Text>
                  <Typography.Text type="secondary">
                    {t(`catalogue.retentionFrom.${field.retentionFrom as 'collected'}`, {
                      defaultValue: field.retentionFrom,
                    })}
                  </Typography.Text>
                </Flex>
              ),
            },
            {
              title: t('catalogue.columns.masking'),
              dataIndex: 'masking',
              render: (masking: string, field) => {
                const example = maskingExampleOf(masking);
                return (
                  <Flex vertical gap={2}>
                    <Space size={4}>
                      <Typography.Text>
                        {t(`catalogue.masking.${masking as 'full'}`, { defaultValue: masking })}
                      </Typography.Text>
                      {field.binary && <Tag>{t('catalogue.binary')}</Tag>}
                    </Space>
                    {example && (
                      <Typography.Text type="secondary">
                        {t('catalogue.maskingExample', { example })}
                      </Typography.Text>
                    )}
                  </Flex>
                );
              },
            },
            {
              title: t('catalogue.columns.searchable'),
              dataIndex: 'blindIndex',
              render: (blindIndex: string | null) =>
                blindIndex ? (
                  <Flex vertical gap={2} align="flex-start">
                    <Tag color="green">{t('catalogue.searchableYes')}</Tag>
                    <Typography.Text type="secondary">
                      {t('catalogue.blindIndex', { kind: blindIndex })}
                    </Typography.Text>
                  </Flex>
                ) : (
                  <Typography.Text type="secondary">{t('catalogue.searchableNo')}</Typography.Text>
                ),
            },
          ]}
        />
      </Card>
    </Flex>
  );
}
