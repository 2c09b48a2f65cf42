import { Button, Flex, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useProblemMessage } from './problem-messages';
import { guardDecision } from './route-guard';
import { useMe } from './use-me';

/**
 * The console's route guard: its pages open only for an active session with no password change
 * pending (`GET /auth/me`); anyone else goes to sign-in or to the guided set-up. The server checks every
 * request on its own; this only keeps people from pages that would refuse them.
 */
export function RequireSession() {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const location = useLocation();
  const { data, error, isPending, refetch } = useMe();
  const decision = guardDecision({ me: data, error, pending: isPending });

  switch (decision.kind) {
    case 'allow':
      return <Outlet />;
    case 'wait':
      return (
        <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
          <Spin size="large" />
        </Flex>
      );
    case 'redirect':
      return (
        <Navigate
          to={decision.to}
          replace
          state={{ from: `${location.pathname}${location.search}${location.hash}` }}
        />
      );
    case 'error':
      return (
        <Result
          status="error"
          title={t('errors.sessionCheckFailed')}
          subTitle={problemMessage(decision.error)}
          extra={
            <Button type="primary" onClick={() => void refetch()}>
              {t('common.retry')}
            </Button>
          }
        />
      );
  }
}
