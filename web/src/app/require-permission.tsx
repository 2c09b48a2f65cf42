import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { can } from '../modules/auth/permissions';
import { useMe } from '../modules/auth/use-me';

/** A page for those whose rules allow it; anyone else who types its address sees a refusal. */
export function RequirePermission({
  action,
  subject,
  children,
}: {
  action: string;
  subject: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const { data: me } = useMe();
  if (!can(me?.permissions, action, subject)) {
    return <Result status="403" title="403" subTitle={t('problems.forbidden')} />;
  }
  return children;
}
