export const routePaths = {
  systemStatus: '/status',
} as const;
