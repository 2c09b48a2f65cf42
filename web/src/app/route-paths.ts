export const routePaths = {
  systemStatus: '/status',
  account: '/account',
  users: '/admin/users',
  login: '/login',
  setup: '/setup',
} as const;
