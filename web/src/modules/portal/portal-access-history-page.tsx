import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { type AccessEntry, type AccessParty, portalApi, portalKeys } from './portal-api';
import { useLabel, usePortalProblemMessage } from './portal-common';

const OUTCOME_COLOURS = { success: 'green', denied: 'red', failure: 'orange' } as const;

/**
 * Who accessed my data and why (S4.1, issue section 8): first everyone who did, one row each, then every
 * entry of the audit log about me, newest first. Staff appear by role and internal number only, never by
 * name; other customers and outside parties by kind only.
 */
export function PortalAccessHistoryPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const label = useLabel();
  const problemMessage = usePortalProblemMessage();
  const summary = useQuery({ queryKey: portalKeys.historySummary, queryFn: portalApi.accessSummary });
  const history = useInfiniteQuery({
    queryKey: portalKeys.history,
    queryFn: ({ pageParam }) => portalApi.accessHistory(pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = history.data?.pages.flatMap((page) => page.items) ?? [];
  const listSeparator = language === 'zh-CN' ? '、' : ', ';

  const who = (actor: AccessEntry['actor'], self: boolean) => {
    if (self) return t('portal.history.you');
    switch (actor.type) {
      case 'staff':
        return t('portal.history.staff', { role: label('roles', actor.role), id: shortId(actor.id) });
      case 'api-token':
        return t('portal.history.apiToken', { id: shortId(actor.id) });
      case 'customer':
        return t('portal.history.otherCustomer');
      case 'external-party':
        return t('portal.history.externalParty');
      default:
        return t('portal.history.system');
    }
  };
  const fieldTags = (fields: string[]) =>
    fields.length === 0 ? (
      <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>
    ) : (
      <Space size={[4, 4]} wrap>
        {fields.map((field) => (
          <Tag key={field}>{label('fields', field)}</Tag>
        ))}
      </Space>
    );

  return (
    <Flex vertical gap="middle">
      <div>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t('portal.history.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t('portal.history.subtitle')}
        </Typography.Paragraph>
      </div>

      <Card title={t('portal.history.summaryTitle')} data-testid="access-summary">
        <Typography.Paragraph type="secondary">{t('portal.history.summaryHint')}</Typography.Paragraph>
        {summary.isError ? <Alert type="error" showIcon title={problemMessage(summary.error)} /> : null}
        {summary.data && !summary.data.complete ? (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 12 }}
            title={t('portal.history.summaryPartial', { count: summary.data.counted })}
          />
        ) : null}
        <Table<AccessParty>
          rowKey={(party) =>
            `${party.self}-${party.actor.type}-${party.actor.id ?? ''}-${party.actor.role ?? ''}`
          }
          size="small"
          loading={summary.isPending}
          dataSource={summary.data?.parties ?? []}
          locale={{ emptyText: t('portal.history.empty') }}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              key: 'who',
              title: t('portal.history.columns.who'),
              render: (_v, party) => (
                <Flex vertical>
                  <Typography.Text strong>{who(party.actor, party.self)}</Typography.Text>
                  <Typography.Text type="secondary">
                    {t('portal.history.count', { count: party.count })}
                  </Typography.Text>
                  {party.denied > 0 ? (
                    <Typography.Text type="danger">
                      {t('portal.history.deniedCount', { count: party.denied })}
                    </Typography.Text>
                  ) : null}
                </Flex>
              ),
            },
            {
              key: 'purposes',
              title: t('portal.history.columns.purposes'),
              render: (_v, party) =>
                party.purposes.length === 0
                  ? t('common.empty')
                  : party.purposes.map((purpose) => label('purposes', purpose)).join(listSeparator),
            },
            {
              key: 'fields',
              title: t('portal.history.columns.fields'),
              width: 380,
              render: (_v, party) => fieldTags(party.fields),
            },
            {
              key: 'when',
              title: t('portal.history.columns.lastAt'),
              render: (_v, party) => (
                <Flex vertical>
                  <span>{formatDateTime(party.lastAt, language)}</span>
                  <Typography.Text type="secondary">
                    {t('portal.history.firstAt', { at: formatDateTime(party.firstAt, language) })}
                  </Typography.Text>
                </Flex>
              ),
            },
          ]}
        />
      </Card>

      <Card title={t('portal.history.entriesTitle')} data-testid="access-history">
        {history.isError ? <Alert type="error" showIcon title={problemMessage(history.error)} /> : null}
        <Table<AccessEntry>
          rowKey="seq"
          size="small"
          loading={history.isPending}
          dataSource={entries}
          locale={{ emptyText: t('portal.history.empty') }}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              key: 'at',
              title: t('portal.history.columns.at'),
              render: (_v, entry) => formatDateTime(entry.at, language),
            },
            {
              key: 'who',
              title: t('portal.history.columns.who'),
              render: (_v, entry) => who(entry.actor, entry.self),
            },
            {
              key: 'action',
              title: t('portal.history.columns.action'),
              width: 420,
              render: (_v, entry) => (
                <Flex vertical gap={4}>
                  <span>{label('actions', entry.action)}</span>
                  {entry.fields.length > 0 ? fieldTags(entry.fields) : null}
                </Flex>
              ),
            },
            {
              key: 'purpose',
              title: t('portal.history.columns.purpose'),
              render: (_v, entry) => (entry.purpose ? label('purposes', entry.purpose) : t('common.empty')),
            },
            {
              key: 'outcome',
              title: t('portal.history.columns.outcome'),
              render: (_v, entry) => (
                <Tag color={OUTCOME_COLOURS[entry.outcome]}>
                  {t(`portal.history.outcome.${entry.outcome}`)}
                </Tag>
              ),
            },
          ]}
        />
        {history.hasNextPage ? (
          <Flex justify="center" style={{ marginTop: 16 }}>
            <Button
              onClick={() => void history.fetchNextPage()}
              loading={history.isFetchingNextPage}
              data-testid="access-history-more"
            >
              {t('portal.history.loadMore')}
            </Button>
          </Flex>
        ) : null}
      </Card>
    </Flex>
  );
}

/** The first block of an internal id: enough to quote in a complaint, and it names nobody. */
function shortId(id: string | null): string {
  return id ? id.slice(0, 8) : '—';
}
