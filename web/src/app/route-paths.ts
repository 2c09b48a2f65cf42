export const routePaths = {
  systemStatus: '/status',
  claims: '/claims',
  payouts: '/payouts',
  account: '/account',
  users: '/admin/users',
  catalogue: '/catalogue',
  audit: '/audit',
  securityAlerts: '/security/alerts',
  incidents: '/incidents',
  login: '/login',
  setup: '/setup',
} as const;

/** A claim's page (the id is a UUID, not personal data). */
export const claimPath = (id: string) => `${routePaths.claims}/${encodeURIComponent(id)}`;
