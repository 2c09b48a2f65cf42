import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Divider, Flex, Spin, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { AuthFrame } from '../auth/auth-frame';
import { portalPaths } from '../portal/portal-paths';
import { type BreachStatusItem, publicStatusQueryOptions } from './breach-notices-api';

export const BREACH_STATUS_PATH = '/breach-status';

/**
 * The public breach-status page (S4.2), `/breach-status`, no sign-in: for each breach the insurer has
 * approved a notice for (never drills), what is known, what has been done, what customers should do and
 * how to reach the insurer, with the incident's current status. The texts are the approved campaign's,
 * which the server refused to accept with anything that looks like personal data in them.
 */
export function BreachStatusPage() {
  const { t } = useTranslation();
  const status = useQuery(publicStatusQueryOptions);
  return (
    <AuthFrame width={760}>
      <Typography.Title level={3}>{t('breachNotices.status.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('breachNotices.status.intro')}</Typography.Paragraph>
      {status.isLoading ? <Spin /> : null}
      {status.isError ? <Alert type="error" showIcon message={t('breachNotices.status.failed')} /> : null}
      {status.data && status.data.items.length === 0 ? (
        <Alert type="success" showIcon message={t('breachNotices.status.none')} />
      ) : null}
      {status.data?.items.map((item, index) => (
        <div key={item.reference}>
          {index > 0 ? <Divider /> : null}
          <BreachStatusEntry item={item} />
        </div>
      ))}
    </AuthFrame>
  );
}

function BreachStatusEntry({ item }: { item: BreachStatusItem }) {
  const { t, i18n } = useTranslation();
  // The incidents module names its states; the common ones are translated, others shown as they come.
  const statusLabel = (status: string) => {
    const key = `breachNotices.incidentStates.${status}`;
    return i18n.exists(key) ? t(key as 'breachNotices.incidentStates.open') : status;
  };
  const { language } = useLanguage();
  const text = item.texts[language];
  const section = (title: string, body: string) => (
    <>
      <Typography.Title level={5}>{title}</Typography.Title>
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{body}</Typography.Paragraph>
    </>
  );
  return (
    <article>
      <Typography.Title level={4}>{text.headline}</Typography.Title>
      <Flex gap={8} wrap style={{ marginBottom: 12 }}>
        <Tag>
          {t('breachNotices.status.reference')}: {item.reference}
        </Tag>
        <Tag color="blue">
          {t('breachNotices.status.state')}: {statusLabel(item.status)}
        </Tag>
        <Tag>
          {t('breachNotices.status.updated')}: {formatDateTime(item.updatedAt, language)}
        </Tag>
      </Flex>
      {section(t('breachNotices.status.whatHappened'), text.whatHappened)}
      {item.categoryNames[language].length > 0
        ? section(
            t('breachNotices.status.categories'),
            item.categoryNames[language].join(language === 'zh-CN' ? '、' : ', '),
          )
        : null}
      {section(t('breachNotices.status.measuresTaken'), text.measuresTaken)}
      {section(t('breachNotices.status.whatYouCanDo'), text.whatYouCanDo)}
      {section(t('breachNotices.status.contact'), text.contact)}
      {item.noticesStarted ? (
        <Alert
          type="info"
          showIcon
          message={t('breachNotices.status.noticesStarted')}
          action={
            <Button size="small" href={portalPaths.login}>
              {t('breachNotices.status.portal')}
            </Button>
          }
        />
      ) : null}
    </article>
  );
}
