import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTINGS, storeKindOf } from './config.js';

describe('configuration', () => {
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'claimguard-config-'));
  });

  afterEach(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it('serves a first run with defaults: embedded store in ./data, port 3000, zh-CN', () => {
    const config = loadConfig({}, cwd);
    expect(config).toMatchObject({
      port: 3000,
      host: 'localhost',
      dataDir: './data',
      databaseUrl: undefined,
      language: 'zh-CN',
      logLevel: 'info',
      trustProxy: false,
    });
    expect(storeKindOf(config)).toBe('embedded');
  });

  it('reads environment variables over the config file over defaults', () => {
    writeFileSync(
      join(cwd, 'claimguard.config.json'),
      JSON.stringify({ port: 4000, language: 'en-US', rateLimit: 5 }),
    );
    const config = loadConfig({ CLAIMGUARD_PORT: '4100', CLAIMGUARD_TRUST_PROXY: 'true' }, cwd);
    expect(config.port).toBe(4100);
    expect(config.language).toBe('en-US');
    expect(config.rateLimit).toBe(5);
    expect(config.trustProxy).toBe(true);
  });

  it('selects PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://app@db:5432/claims' }, cwd);
    expect(storeKindOf(config)).toBe('postgres');
  });

  it.each([
    [
      { CLAIMGUARD_PORT: 'eighty' },
      'CLAIMGUARD_PORT: invalid value; allowed: an integer from 0 to 65535 (0 picks a free port)',
    ],
    [
      { CLAIMGUARD_PORT: '70000' },
      'CLAIMGUARD_PORT: invalid value; allowed: an integer from 0 to 65535 (0 picks a free port)',
    ],
    [{ CLAIMGUARD_LANGUAGE: 'fr-FR' }, 'CLAIMGUARD_LANGUAGE: invalid value; allowed: zh-CN, en-US'],
    [
      { CLAIMGUARD_LOG_LEVEL: 'loud' },
      `CLAIMGUARD_LOG_LEVEL: invalid value; allowed: ${SETTINGS.logLevel.allowed}`,
    ],
    [{ CLAIMGUARD_TRUST_PROXY: 'yes' }, 'CLAIMGUARD_TRUST_PROXY: invalid value; allowed: true or false'],
    [
      { DATABASE_URL: 'mysql://root@db/x' },
      'DATABASE_URL: invalid value; allowed: a postgres:// or postgresql:// connection URL',
    ],
  ])('stops on %o with one line naming the setting and what it allows', (env, message) => {
    expect(() => loadConfig(env, cwd)).toThrowError(new ConfigError(message));
  });

  it('never echoes a rejected value, which may hold a password', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:topsecret@db/x' }, cwd);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('topsecret');
  });

  it('accepts vault keys as base64 of 32 bytes and never echoes a rejected key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const other = Buffer.alloc(32, 9).toString('base64');
    const config = loadConfig(
      { CLAIMGUARD_VAULT_KEK: `${key},${other}`, CLAIMGUARD_VAULT_INDEX_KEY: other },
      cwd,
    );
    expect(config.vaultKek).toBe(`${key},${other}`);
    expect(config.vaultIndexKey).toBe(other);
    const short = Buffer.alloc(16, 7).toString('base64');
    for (const env of [{ CLAIMGUARD_VAULT_KEK: short }, { CLAIMGUARD_VAULT_INDEX_KEY: `${key}x` }]) {
      let message = '';
      try {
        loadConfig(env, cwd);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^CLAIMGUARD_VAULT_(KEK|INDEX_KEY): invalid value; allowed: base64 of 32/);
      expect(message).not.toContain(short);
      expect(message).not.toContain(key);
    }
  });

  it('reads the mail settings and never echoes a rejected SMTP URL, which may hold a password', () => {
    const config = loadConfig(
      {
        CLAIMGUARD_SMTP_URL: 'smtps://mailer:s3cret@mail.example.com:465',
        CLAIMGUARD_MAIL_FROM: 'ClaimGuard <noreply@claims.example.com>',
      },
      cwd,
    );
    expect(config.smtpUrl).toBe('smtps://mailer:s3cret@mail.example.com:465');
    expect(config.mailFrom).toBe('ClaimGuard <noreply@claims.example.com>');
    expect(loadConfig({}, cwd)).toMatchObject({ smtpUrl: undefined, mailFrom: undefined });
    expect(() =>
      loadConfig({ CLAIMGUARD_SMTP_URL: 'http://mailer:s3cret@mail.example.com' }, cwd),
    ).toThrowError(
      new ConfigError(`CLAIMGUARD_SMTP_URL: invalid value; allowed: ${SETTINGS.smtpUrl.allowed}`),
    );
    expect(() => loadConfig({ CLAIMGUARD_MAIL_FROM: 'not an address' }, cwd)).toThrow(
      /^CLAIMGUARD_MAIL_FROM:/,
    );
  });

  it('names the file and key for a bad value in the config file', () => {
    writeFileSync(join(cwd, 'claimguard.config.json'), JSON.stringify({ bodyLimit: 10 }));
    expect(() => loadConfig({}, cwd)).toThrow(
      `"bodyLimit" in ${join(cwd, 'claimguard.config.json')}: invalid value; allowed: a number of bytes from 1024 to 104857600`,
    );
  });

  it('refuses unknown keys, malformed JSON and a missing explicit config file', () => {
    const file = join(cwd, 'claimguard.config.json');
    writeFileSync(file, JSON.stringify({ prot: 3000 }));
    expect(() => loadConfig({}, cwd)).toThrow(/unknown setting "prot"; allowed: port, host/);
    writeFileSync(file, '{ port: 3000 ');
    expect(() => loadConfig({}, cwd)).toThrow(`${file}: not valid JSON`);
    expect(() => loadConfig({ CLAIMGUARD_CONFIG: 'elsewhere.json' }, cwd)).toThrow(
      `CLAIMGUARD_CONFIG: file ${join(cwd, 'elsewhere.json')} does not exist`,
    );
  });
});

describe('README configuration table', () => {
  it('documents every setting with its variable, default and allowed values', async () => {
    const { readFileSync } = await import('node:fs');
    const { PACKAGE_ROOT } = await import('./package-info.js');
    const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    // Table rows as trimmed cells, so column alignment by the formatter does not matter.
    const rows = readme
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    for (const setting of Object.values(SETTINGS)) {
      const fallback = setting.default === undefined ? '(unset)' : `\`${setting.default}\``;
      expect(rows).toContainEqual([`\`${setting.env}\``, fallback, setting.allowed, setting.description]);
    }
  });
});
