import type { TranslationResources } from './zh-CN';

export const enUS: TranslationResources = {
  header: {
    languageSwitch: 'Interface language',
    notSignedIn: 'Not signed in',
  },
  nav: {
    label: 'Main navigation',
    systemStatus: 'System status',
    toggle: 'Show or hide navigation',
  },
  languages: {
    'zh-CN': 'Simplified Chinese',
    'en-US': 'English',
  },
  common: {
    retry: 'Retry',
    empty: 'None',
  },
  errors: {
    unreachable: 'Cannot reach the server',
    unexpected: 'Something went wrong',
  },
  notFound: {
    title: 'Page not found',
    subTitle: 'There is no page at this address.',
    backToStatus: 'Back to system status',
  },
  routeError: {
    title: 'This page failed',
    subTitle: 'An unexpected error occurred while showing this page.',
    reload: 'Reload',
  },
  systemStatus: {
    title: 'System status',
    subtitle: 'Server version, data store, database migrations and health checks',
    apiDocs: 'API documentation',
    autoRefresh: 'Refreshes every 10 s',
    loadFailed: 'Could not load the system status',
    refreshFailed: 'The last refresh failed; showing the most recent data',
    sections: {
      service: 'Service',
      health: 'Health and storage',
      migrations: 'Database migrations',
    },
    fields: {
      name: 'Name',
      version: 'Version',
      nodeVersion: 'Node.js version',
      startedAt: 'Started at',
      uptime: 'Uptime',
      installationId: 'Installation ID',
      defaultLanguage: 'Default language',
      liveness: 'Liveness',
      readiness: 'Readiness',
      storeKind: 'Store',
      storeReachable: 'Store connection',
      migrationState: 'Migration state',
      applied: 'Applied',
      pending: 'Pending',
      latest: 'Latest applied migration',
    },
    values: {
      embedded: 'Embedded (PGlite)',
      postgres: 'PostgreSQL',
      live: 'Live',
      notLive: 'Failing',
      ready: 'Ready',
      notReady: 'Not ready',
      reachable: 'Reachable',
      unreachable: 'Unreachable',
      upToDate: 'Up to date',
      pendingNames: 'Pending: {{names}}',
    },
    uptimeUnits: {
      day: 'd',
      hour: 'h',
      minute: 'min',
      second: 's',
    },
  },
};
