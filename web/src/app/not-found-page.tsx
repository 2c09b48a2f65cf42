import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLinkClickHandler } from 'react-router';
import { routePaths } from './route-paths';

export function NotFoundPage() {
  const { t } = useTranslation();
  // A real link (href, middle-click, "open in new tab") styled as a button, navigating in-app on click.
  const goToStatus = useLinkClickHandler<HTMLElement>(routePaths.systemStatus);
  return (
    <Result
      status="404"
      title={t('notFound.title')}
      subTitle={t('notFound.subTitle')}
      extra={
        <Button type="primary" href={routePaths.systemStatus} onClick={goToStatus}>
          {t('notFound.backToStatus')}
        </Button>
      }
    />
  );
}
