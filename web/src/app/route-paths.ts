export const routePaths = {
  systemStatus: '/status',
  account: '/account',
  users: '/admin/users',
  catalogue: '/catalogue',
  audit: '/audit',
  securityAlerts: '/security/alerts',
  login: '/login',
  setup: '/setup',
} as const;
