export const portalPaths = {
  root: '/portal',
  login: '/portal/login',
  register: '/portal/register',
  claims: '/portal/claims',
  claim: (id: string) => `/portal/claims/${encodeURIComponent(id)}`,
  report: '/portal/report',
  notifications: '/portal/notifications',
  accessHistory: '/portal/access-history',
  /** Changing one's own phone or email (S3.1), with a code to the current one. */
  contact: '/portal/contact',
  /** The compensation claim form of an incident (issue 5 section 8); breach notices link here. */
  compensation: (reference: string) => `/portal/compensation/${encodeURIComponent(reference)}`,
} as const;
