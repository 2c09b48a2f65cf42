import { useQuery } from '@tanstack/react-query';
import { Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { can } from '../auth/permissions';
import { useRoleLabels } from '../auth/role-labels';
import { useMe } from '../auth/use-me';
import { usersQueryOptions } from '../users/users-api';
import type { Severity } from './detection-api';

export const SEVERITY_COLOURS: Record<Severity, string> = {
  low: 'blue',
  medium: 'gold',
  high: 'orange',
  critical: 'red',
};
export const SEVERITY_CHART_COLOURS: Record<Severity, string> = {
  low: '#1677ff',
  medium: '#d4b106',
  high: '#fa8c16',
  critical: '#cf1322',
};

export function SeverityTag({ severity }: { severity: Severity }) {
  const { t } = useTranslation();
  return <Tag color={SEVERITY_COLOURS[severity]}>{t(`detection.severity.${severity}`)}</Tag>;
}

/**
 * Staff by id as the security officer knows them (display name and login name, from the users list they
 * may read). Staff names are not customers' personal data; ids stand in when the list is not readable.
 */
export function useStaffNames() {
  const { data: me } = useMe();
  const users = useQuery({ ...usersQueryOptions, enabled: can(me?.permissions, 'read', 'User') });
  const byId = new Map((users.data ?? []).map((user) => [user.id, user]));
  return {
    users: users.data ?? [],
    nameOf: (id: string | null | undefined) => {
      if (!id) return null;
      const user = byId.get(id);
      return user ? `${user.displayName} (${user.username})` : null;
    },
  };
}

/** A staff member: their name where known, the id otherwise, and their role. */
export function StaffName({ id, role }: { id: string | null; role?: string | null }) {
  const { nameOf } = useStaffNames();
  const { labelOf } = useRoleLabels();
  if (!id) return <Typography.Text type="secondary">—</Typography.Text>;
  const name = nameOf(id);
  return (
    <span>
      {name ?? <Typography.Text code>{id.slice(0, 8)}</Typography.Text>}
      {role ? <Typography.Text type="secondary"> · {labelOf(role) || role}</Typography.Text> : null}
    </span>
  );
}
