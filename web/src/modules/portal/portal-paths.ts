export const portalPaths = {
  root: '/portal',
  login: '/portal/login',
  register: '/portal/register',
  claims: '/portal/claims',
  claim: (id: string) => `/portal/claims/${encodeURIComponent(id)}`,
  report: '/portal/report',
  notifications: '/portal/notifications',
  accessHistory: '/portal/access-history',
} as const;
