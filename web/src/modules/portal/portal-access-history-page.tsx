import { useQuery } from '@tanstack/react-query';
import { Alert, Flex, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { type AccessEntry, portalApi, portalKeys } from './portal-api';
import { useLabel, usePortalProblemMessage } from './portal-common';

const OUTCOME_COLOURS = { success: 'green', denied: 'red', failure: 'orange' } as const;

/**
 * Who accessed my data and why: the audit log's entries about me. Staff appear by role and internal
 * number only, never by name; other customers and outside parties by kind only.
 */
export function PortalAccessHistoryPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const label = useLabel();
  const problemMessage = usePortalProblemMessage();
  const history = useQuery({ queryKey: portalKeys.history, queryFn: portalApi.accessHistory });
  // Newest first: the log is oldest first.
  const items = [...(history.data?.items ?? [])].reverse();

  const who = (entry: AccessEntry) => {
    if (entry.self) return t('portal.history.you');
    switch (entry.actor.type) {
      case 'staff':
        return t('portal.history.staff', {
          role: label('roles', entry.actor.role),
          id: shortId(entry.actor.id),
        });
      case 'api-token':
        return t('portal.history.apiToken', { id: shortId(entry.actor.id) });
      case 'customer':
        return t('portal.history.otherCustomer');
      case 'external-party':
        return t('portal.history.externalParty');
      default:
        return t('portal.history.system');
    }
  };

  return (
    <Flex vertical gap="middle">
      <div>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t('portal.history.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('portal.history.subtitle')}</Typography.Paragraph>
      </div>
      {history.isError ? <Alert type="error" showIcon title={problemMessage(history.error)} /> : null}
      <Table<AccessEntry>
        rowKey="seq"
        size="small"
        loading={history.isPending}
        dataSource={items}
        locale={{ emptyText: t('portal.history.empty') }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        columns={[
          {
            key: 'at',
            title: t('portal.history.columns.at'),
            render: (_v, entry) => formatDateTime(entry.at, language),
          },
          { key: 'who', title: t('portal.history.columns.who'), render: (_v, entry) => who(entry) },
          {
            key: 'action',
            title: t('portal.history.columns.action'),
            render: (_v, entry) => <Typography.Text code>{entry.action}</Typography.Text>,
          },
          {
            key: 'fields',
            title: t('portal.history.columns.fields'),
            render: (_v, entry) => entry.fields.join(', ') || t('common.empty'),
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
              <Tag color={OUTCOME_COLOURS[entry.outcome]}>{t(`portal.history.outcome.${entry.outcome}`)}</Tag>
            ),
          },
        ]}
      />
    </Flex>
  );
}

/** The first block of an internal id: enough to quote in a complaint, and it names nobody. */
function shortId(id: string | null): string {
  return id ? id.slice(0, 8) : '—';
}
