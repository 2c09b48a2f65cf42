import { FileProtectOutlined, SearchOutlined, UserOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Form, Grid, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { formatDateTime } from '../../app/format-date';
import { claimPath } from '../../app/route-paths';
import { useLanguage } from '../../i18n/language-provider';
import { useProblemMessage } from '../auth/problem-messages';
import { formatAmount, formatIsoDate } from './claim-format';
import { ClaimStateTag, useClaimLabels } from './claim-labels';
import {
  CLAIM_STATES,
  type ClaimantLookup,
  type ClaimFilter,
  type ClaimState,
  type ClaimSummary,
  claimantLookupOf,
  claimListQueryOptions,
  PAGE_SIZES,
  PRODUCT_LINES,
  searchClaims,
  statesOf,
} from './claims-api';

type FilterFormValues = { states?: ClaimState[]; productLine?: string; number?: string };

const DEFAULT_PAGE_SIZE = 20;

function positiveInt(value: string | null, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/**
 * The claims list (S0.1): filters and the page live in the address (none is personal data), so the back
 * button returns to the same view; a search by a customer's identifier goes in a request body only, and
 * is kept in this page's memory, never in the address or a cache key.
 */
export function ClaimsListPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const problemMessage = useProblemMessage();
  const labels = useClaimLabels();
  const isPhone = Grid.useBreakpoint().sm === false;
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm<FilterFormValues>();

  const filter: ClaimFilter = {
    states: statesOf(params.get('state')),
    ...(params.get('productLine') ? { productLine: params.get('productLine') as string } : {}),
    ...(params.get('number') ? { number: params.get('number') as string } : {}),
  };
  const pageSize = Math.min(positiveInt(params.get('size'), DEFAULT_PAGE_SIZE), 200);
  const page = positiveInt(params.get('page'), 1);

  // The customer search: its text never leaves this component except in the POST body.
  const [lookupText, setLookupText] = useState('');
  const [lookupError, setLookupError] = useState<string | null>(null);
  const [lookup, setLookup] = useState<{ seq: number; value: ClaimantLookup } | null>(null);
  const [searchPage, setSearchPage] = useState({ page: 1, size: DEFAULT_PAGE_SIZE });

  const list = useQuery({
    ...claimListQueryOptions(filter, { limit: pageSize, offset: (page - 1) * pageSize }),
    enabled: lookup === null,
  });
  const search = useQuery({
    // The key names the search by a sequence number, not by the identifier searched for.
    queryKey: ['claims', 'search', lookup?.seq ?? 0, searchPage] as const,
    queryFn: () =>
      searchClaims(lookup?.value as ClaimantLookup, {
        limit: searchPage.size,
        offset: (searchPage.page - 1) * searchPage.size,
      }),
    enabled: lookup !== null,
    gcTime: 0,
    placeholderData: (previous) => previous,
  });
  const active = lookup ? search : list;

  const applyFilter = (values: FilterFormValues) => {
    const next = new URLSearchParams();
    if (values.states?.length) next.set('state', values.states.join(','));
    if (values.productLine) next.set('productLine', values.productLine);
    if (values.number?.trim()) next.set('number', values.number.trim());
    if (pageSize !== DEFAULT_PAGE_SIZE) next.set('size', String(pageSize));
    setParams(next);
    setLookup(null);
  };

  const runLookup = () => {
    const value = claimantLookupOf(lookupText);
    if (!value) {
      setLookupError(t('claims.customerSearch.tooShort'));
      return;
    }
    setLookupError(null);
    setSearchPage((current) => ({ ...current, page: 1 }));
    setLookup((current) => ({ seq: (current?.seq ?? 0) + 1, value }));
  };

  const clearLookup = () => {
    setLookup(null);
    setLookupText('');
    setLookupError(null);
  };

  const lookupKind = lookup ? (Object.keys(lookup.value)[0] as 'idNumber' | 'phone' | 'email') : undefined;

  return (
    <Flex vertical gap="large">
      <div>
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          {t('claims.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('claims.subtitle')}</Typography.Text>
      </div>

      <Card size="small">
        <Flex vertical gap="middle">
          <Form<FilterFormValues>
            form={form}
            layout={isPhone ? 'vertical' : 'inline'}
            initialValues={{
              states: filter.states,
              productLine: filter.productLine,
              number: filter.number,
            }}
            onFinish={applyFilter}
            className="claimguard-filter-form"
            data-testid="claims-filters"
          >
            <Form.Item name="states" label={t('claims.filters.states')}>
              <Select
                mode="multiple"
                allowClear
                placeholder={t('claims.filters.anyState')}
                style={{ minWidth: 220 }}
                maxTagCount="responsive"
                options={CLAIM_STATES.map((state) => ({ value: state, label: labels.state(state) }))}
                data-testid="claims-state-filter"
              />
            </Form.Item>
            <Form.Item name="productLine" label={t('claims.filters.productLine')}>
              <Select
                allowClear
                placeholder={t('claims.filters.anyProductLine')}
                style={{ minWidth: 140 }}
                options={PRODUCT_LINES.map((line) => ({ value: line, label: labels.productLine(line) }))}
              />
            </Form.Item>
            <Form.Item name="number" label={t('claims.filters.number')}>
              <Input allowClear maxLength={40} />
            </Form.Item>
            <Form.Item>
              <Space>
                <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
                  {t('claims.filters.search')}
                </Button>
                <Button
                  onClick={() => {
                    form.setFieldsValue({ states: [], productLine: undefined, number: undefined });
                    applyFilter({});
                  }}
                >
                  {t('claims.filters.reset')}
                </Button>
              </Space>
            </Form.Item>
          </Form>
          <Flex gap="small" align="center" wrap>
            <Typography.Text>{t('claims.customerSearch.label')}</Typography.Text>
            <Input.Search
              value={lookupText}
              onChange={(event) => setLookupText(event.target.value)}
              onSearch={runLookup}
              placeholder={t('claims.customerSearch.placeholder')}
              enterButton={t('claims.customerSearch.button')}
              prefix={<UserOutlined />}
              maxLength={200}
              autoComplete="off"
              style={{ maxWidth: 420 }}
              status={lookupError ? 'error' : undefined}
              data-testid="claims-customer-search"
            />
            {lookupError && <Typography.Text type="danger">{lookupError}</Typography.Text>}
          </Flex>
          {lookup && lookupKind && (
            <Alert
              type="info"
              showIcon
              title={t('claims.customerSearch.active', {
                kind: t(`claims.customerSearch.kinds.${lookupKind}`),
              })}
              action={
                <Button size="small" onClick={clearLookup}>
                  {t('claims.customerSearch.clear')}
                </Button>
              }
              data-testid="claims-search-active"
            />
          )}
        </Flex>
      </Card>

      {active.error && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(active.error)}
          action={<Button onClick={() => void active.refetch()}>{t('common.retry')}</Button>}
        />
      )}

      <Card
        styles={{ body: { padding: 0 } }}
        title={
          <span>
            <FileProtectOutlined /> {t('claims.title')}
          </span>
        }
        extra={
          <Typography.Text type="secondary" data-testid="claims-total">
            {t('claims.total', { n: active.data?.total ?? 0 })}
          </Typography.Text>
        }
      >
        <Table<ClaimSummary>
          rowKey="id"
          loading={active.isFetching}
          dataSource={active.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          size="middle"
          data-testid="claims-table"
          locale={{ emptyText: t('claims.empty') }}
          pagination={{
            current: lookup ? searchPage.page : page,
            pageSize: lookup ? searchPage.size : pageSize,
            total: active.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: PAGE_SIZES.map(String),
            showTotal: (total) => t('claims.total', { n: total }),
          }}
          onChange={(pagination) => {
            const nextPage = pagination.current ?? 1;
            const nextSize = pagination.pageSize ?? DEFAULT_PAGE_SIZE;
            if (lookup) {
              setSearchPage({ page: nextSize === searchPage.size ? nextPage : 1, size: nextSize });
              return;
            }
            const next = new URLSearchParams(params);
            next.set('page', String(nextSize === pageSize ? nextPage : 1));
            next.set('size', String(nextSize));
            setParams(next);
          }}
          columns={[
            {
              title: t('claims.columns.number'),
              dataIndex: 'number',
              render: (number: string, claim) => (
                <Link to={claimPath(claim.id)} data-testid="claim-link">
                  <Typography.Text code>{number}</Typography.Text>
                </Link>
              ),
            },
            { title: t('claims.columns.claimant'), dataIndex: 'claimantName' },
            {
              title: t('claims.columns.productLine'),
              dataIndex: 'productLine',
              render: (line: string) => labels.productLine(line),
            },
            {
              title: t('claims.columns.state'),
              dataIndex: 'state',
              render: (state: ClaimState) => <ClaimStateTag state={state} />,
            },
            {
              title: t('claims.columns.incidentDate'),
              dataIndex: 'incidentDate',
              render: (date: string) => formatIsoDate(date, language),
            },
            {
              title: t('claims.columns.amount'),
              dataIndex: 'amountClaimed',
              align: 'right',
              render: (amount: string | null) => formatAmount(amount, language) || '—',
            },
            {
              title: t('claims.columns.verification'),
              dataIndex: 'verification',
              render: (verification: string) => <Tag>{labels.verification(verification)}</Tag>,
            },
            {
              title: t('claims.columns.reportedAt'),
              dataIndex: 'reportedAt',
              render: (at: string) => formatDateTime(at, language),
            },
          ]}
        />
      </Card>
    </Flex>
  );
}
