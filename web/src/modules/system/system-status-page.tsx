import {
  ApiOutlined,
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloseCircleOutlined,
  CloudServerOutlined,
  DatabaseOutlined,
  HeartOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  type DescriptionsProps,
  Flex,
  Grid,
  Row,
  Skeleton,
  Tag,
  Typography,
} from 'antd';
import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../api/api-client';
import type { AppLanguage } from '../../i18n/app-language';
import { useLanguage } from '../../i18n/language-provider';
import type { SystemStatus } from './system-status-api';
import { formatUptime } from './uptime-formatter';
import { useSystemStatus } from './use-system-status';

export function SystemStatusPage() {
  const { t } = useTranslation();
  const { data, error, isPending, isFetching, refetch } = useSystemStatus();
  const retry = () => void refetch();

  return (
    <Flex vertical gap="large">
      <Flex justify="space-between" align="flex-start" wrap gap="middle">
        <div>
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            {t('systemStatus.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('systemStatus.subtitle')}</Typography.Text>
        </div>
        <Flex align="center" gap="middle" wrap>
          <Typography.Text type="secondary">
            <SyncOutlined spin={isFetching} /> {t('systemStatus.autoRefresh')}
          </Typography.Text>
          <Button icon={<ApiOutlined />} href="/docs" target="_blank" rel="noopener noreferrer">
            {t('systemStatus.apiDocs')}
          </Button>
        </Flex>
      </Flex>

      {error && (
        <ErrorAlert
          error={error}
          title={data ? t('systemStatus.refreshFailed') : t('systemStatus.loadFailed')}
          type={data ? 'warning' : 'error'}
          onRetry={retry}
        />
      )}
      {isPending && !error && (
        <Card data-testid="status-loading">
          <Skeleton active paragraph={{ rows: 6 }} />
        </Card>
      )}
      {data && <StatusDetails status={data} />}
    </Flex>
  );
}

type ErrorAlertProps = { error: Error; title: string; type: 'error' | 'warning'; onRetry: () => void };

function ErrorAlert({ error, title, type, onRetry }: ErrorAlertProps) {
  const { t } = useTranslation();
  const { summary, detail } = describeError(error, t);
  return (
    <Alert
      type={type}
      showIcon
      data-testid="status-error"
      title={title}
      description={
        <>
          <Typography.Text strong>{summary}</Typography.Text>
          {detail && <div>{detail}</div>}
        </>
      }
      action={
        <Button size="small" onClick={onRetry}>
          {t('common.retry')}
        </Button>
      }
    />
  );
}

function describeError(error: Error, t: TFunction): { summary: string; detail: string | undefined } {
  if (error instanceof ApiProblem) return { summary: error.title, detail: error.detail };
  // fetch() rejects with a TypeError when the server cannot be reached at all.
  if (error instanceof TypeError) return { summary: t('errors.unreachable'), detail: error.message };
  return { summary: t('errors.unexpected'), detail: error.message };
}

function StatusDetails({ status }: { status: SystemStatus }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { migrations, health, store } = status;
  // On phones a fixed label column leaves the values no room, so stack label above value instead.
  const isPhone = Grid.useBreakpoint().sm === false;
  const descriptionsProps: DescriptionsProps = isPhone
    ? { column: 1, bordered: true, size: 'small', layout: 'vertical' }
    : { column: 1, bordered: true, size: 'small', styles: { label: { width: 200 } } };

  const serviceItems: DescriptionsProps['items'] = [
    { key: 'name', label: t('systemStatus.fields.name'), children: status.name },
    {
      key: 'version',
      label: t('systemStatus.fields.version'),
      children: <span data-testid="status-version">{status.version}</span>,
    },
    { key: 'node', label: t('systemStatus.fields.nodeVersion'), children: status.nodeVersion },
    {
      key: 'startedAt',
      label: t('systemStatus.fields.startedAt'),
      children: formatDateTime(status.startedAt, language),
    },
    {
      key: 'uptime',
      label: t('systemStatus.fields.uptime'),
      children: <span data-testid="status-uptime">{formatUptime(status.uptimeSeconds, language)}</span>,
    },
    {
      key: 'installationId',
      label: t('systemStatus.fields.installationId'),
      children: (
        <Typography.Text code copyable>
          {status.installationId}
        </Typography.Text>
      ),
    },
    {
      key: 'defaultLanguage',
      label: t('systemStatus.fields.defaultLanguage'),
      children: `${t(`languages.${status.defaultLanguage}`)} (${status.defaultLanguage})`,
    },
  ];

  const healthItems: DescriptionsProps['items'] = [
    {
      key: 'liveness',
      label: t('systemStatus.fields.liveness'),
      children: (
        <StateTag ok={health.live} testId="status-liveness">
          {health.live ? t('systemStatus.values.live') : t('systemStatus.values.notLive')}
        </StateTag>
      ),
    },
    {
      key: 'readiness',
      label: t('systemStatus.fields.readiness'),
      children: (
        <StateTag ok={health.ready} testId="status-readiness">
          {health.ready ? t('systemStatus.values.ready') : t('systemStatus.values.notReady')}
        </StateTag>
      ),
    },
    {
      key: 'storeKind',
      label: t('systemStatus.fields.storeKind'),
      children: (
        <Tag color="blue" icon={<DatabaseOutlined />} data-testid="status-store-kind">
          {t(`systemStatus.values.${store.kind}`)}
        </Tag>
      ),
    },
    {
      key: 'storeReachable',
      label: t('systemStatus.fields.storeReachable'),
      children: (
        <StateTag ok={store.reachable} testId="status-store-reachable">
          {store.reachable ? t('systemStatus.values.reachable') : t('systemStatus.values.unreachable')}
        </StateTag>
      ),
    },
  ];

  const migrationItems: DescriptionsProps['items'] = [
    {
      key: 'state',
      label: t('systemStatus.fields.migrationState'),
      children:
        migrations.pending === 0 ? (
          <Tag color="green" icon={<CheckCircleOutlined />} data-testid="status-migrations">
            {t('systemStatus.values.upToDate')}
          </Tag>
        ) : (
          <Tag
            color="orange"
            icon={<ClockCircleOutlined />}
            data-testid="status-migrations"
            style={{ whiteSpace: 'normal' }}
          >
            {t('systemStatus.values.pendingNames', { names: migrations.pendingNames.join(', ') })}
          </Tag>
        ),
    },
    {
      key: 'applied',
      label: t('systemStatus.fields.applied'),
      children: <span data-testid="status-migrations-applied">{migrations.applied}</span>,
    },
    {
      key: 'pending',
      label: t('systemStatus.fields.pending'),
      children: <span data-testid="status-migrations-pending">{migrations.pending}</span>,
    },
    {
      key: 'latest',
      label: t('systemStatus.fields.latest'),
      children: migrations.latest ? (
        <Typography.Text code>{migrations.latest}</Typography.Text>
      ) : (
        <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>
      ),
    },
  ];

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={12}>
        <Card
          title={<CardTitle icon={<CloudServerOutlined />} text={t('systemStatus.sections.service')} />}
          style={{ height: '100%' }}
        >
          <Descriptions {...descriptionsProps} items={serviceItems} />
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Flex vertical gap={16}>
          <Card title={<CardTitle icon={<HeartOutlined />} text={t('systemStatus.sections.health')} />}>
            <Descriptions {...descriptionsProps} items={healthItems} />
          </Card>
          <Card
            title={<CardTitle icon={<DatabaseOutlined />} text={t('systemStatus.sections.migrations')} />}
          >
            <Descriptions {...descriptionsProps} items={migrationItems} />
          </Card>
        </Flex>
      </Col>
    </Row>
  );
}

function CardTitle({ icon, text }: { icon: ReactNode; text: string }) {
  return (
    <Flex align="center" gap="small">
      {icon}
      {text}
    </Flex>
  );
}

function StateTag({ ok, testId, children }: { ok: boolean; testId: string; children: ReactNode }) {
  return (
    <Tag
      color={ok ? 'green' : 'red'}
      icon={ok ? <CheckCircleOutlined /> : <CloseCircleOutlined />}
      data-testid={testId}
    >
      {children}
    </Tag>
  );
}

function formatDateTime(iso: string, language: AppLanguage): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}
