/**
 * Simplified Chinese strings, the console's default language. Its shape is the contract every other
 * language must match (see `TranslationResources`). Avoid i18next plural suffixes (`_one`/`_other`):
 * Chinese has no plural forms, so they would break the identical key structure the tests enforce.
 */
export const zhCN = {
  header: {
    languageSwitch: '界面语言',
    notSignedIn: '未登录',
  },
  nav: {
    label: '主导航',
    systemStatus: '系统状态',
    toggle: '展开或收起导航',
  },
  languages: {
    'zh-CN': '简体中文',
    'en-US': '英语',
  },
  common: {
    retry: '重试',
    empty: '无',
  },
  errors: {
    unreachable: '无法连接服务器',
    unexpected: '发生了意外错误',
  },
  notFound: {
    title: '页面不存在',
    subTitle: '此地址没有对应的页面。',
    backToStatus: '返回系统状态',
  },
  routeError: {
    title: '页面出错了',
    subTitle: '显示此页面时发生了意外错误。',
    reload: '重新加载',
  },
  systemStatus: {
    title: '系统状态',
    subtitle: '服务器版本、数据存储、数据库迁移与健康检查',
    apiDocs: 'API 文档',
    autoRefresh: '每 10 秒自动刷新',
    loadFailed: '无法加载系统状态',
    refreshFailed: '最近一次刷新失败，以下为上次获取的数据',
    sections: {
      service: '服务',
      health: '健康与存储',
      migrations: '数据库迁移',
    },
    fields: {
      name: '名称',
      version: '版本',
      nodeVersion: 'Node.js 版本',
      startedAt: '启动时间',
      uptime: '运行时长',
      installationId: '安装 ID',
      defaultLanguage: '默认语言',
      liveness: '存活检查',
      readiness: '就绪检查',
      storeKind: '存储类型',
      storeReachable: '存储连接',
      migrationState: '迁移状态',
      applied: '已执行',
      pending: '待执行',
      latest: '最近执行的迁移',
    },
    values: {
      embedded: '嵌入式 (PGlite)',
      postgres: 'PostgreSQL',
      live: '正常',
      notLive: '异常',
      ready: '就绪',
      notReady: '未就绪',
      reachable: '可连接',
      unreachable: '无法连接',
      upToDate: '已是最新',
      pendingNames: '待执行：{{names}}',
    },
    uptimeUnits: {
      day: '天',
      hour: '小时',
      minute: '分',
      second: '秒',
    },
  },
};

export type TranslationResources = typeof zhCN;
