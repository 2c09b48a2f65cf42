export const routePaths = {
  systemStatus: '/status',
  claims: '/claims',
  payouts: '/payouts',
  customerContact: '/customers/contact',
  account: '/account',
  users: '/admin/users',
  catalogue: '/catalogue',
  audit: '/audit',
  securityAlerts: '/security/alerts',
  regulatoryReports: '/regulatory-reports',
  incidents: '/incidents',
  /** Incident playbooks (S2.5, issue 5 §2): a static segment, so it wins over `/incidents/:id`. */
  incidentPlaybooks: '/incidents/playbooks',
  detectionRisk: '/detection/risk',
  detectionAlerts: '/detection/alerts',
  detectionRules: '/detection/rules',
  detectionHoneytokens: '/detection/honeytokens',
  login: '/login',
  setup: '/setup',
} as const;

/** A claim's page (the id is a UUID, not personal data). */
export const claimPath = (id: string) => `${routePaths.claims}/${encodeURIComponent(id)}`;

/** One report to a regulator (the deadline alerts link here). */
export const regulatoryReportPath = (id: string) =>
  `${routePaths.regulatoryReports}/reports/${encodeURIComponent(id)}`;
