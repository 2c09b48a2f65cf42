import type { Kysely } from 'kysely';
import type { Database } from '../db/database-schema.js';
import type { VaultService } from '../modules/vault/vault.service.js';
import type { TestAuditRecorder } from './audit-test-recorder.js';
import type { TestServer } from './test-server.js';

/**
 * The "nothing personal in logs" scan, shared by every module: scenarios run inside a real server (real
 * logger, real problem+json error handler) with distinctive personal values, then every log line and every
 * response body is searched for those values in any form they could take on the way out.
 *
 * To add a module's scenarios: write a `LogScanScenario[]` (see vault-log-scan-scenarios.ts) and add it
 * to the list in src/modules/vault/no-personal-data-in-logs.test.ts.
 */

/** Values no test fixture, id or code would contain by accident. */
export const DISTINCTIVE_PERSONAL_VALUES = {
  name: '欧阳娜娜',
  latinName: 'Ouyang Nana',
  idNumber: '11010519491231002X',
  phone: '13912345678',
  email: 'ouyang.nana.scan@example.com',
  bankCard: '6222020200112233445',
  address: '浙江省杭州市西湖区文三路90号',
  diagnosis: '急性阑尾炎伴穿孔',
} as const;

export type PersonalValues = typeof DISTINCTIVE_PERSONAL_VALUES;

export type LogScanContext = {
  server: TestServer;
  db: Kysely<Database>;
  vault: VaultService;
  audit: TestAuditRecorder;
  values: PersonalValues;
};

/**
 * One scenario: runs as the handler of a request to the test server, so whatever it throws goes through
 * the real error handler and logger. What it returns is sent as the response body and scanned too.
 */
export type LogScanScenario = {
  name: string;
  run: (context: LogScanContext) => Promise<unknown>;
};

const toUnicodeEscapes = (value: string) =>
  Array.from(value)
    .map((char) =>
      char.charCodeAt(0) > 0x7e ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char,
    )
    .join('');

/** A value in every form a log or a body could carry it: as typed, normalised, escaped, encoded. */
export function personalValueVariants(value: string): string[] {
  const nfkc = value.normalize('NFKC');
  const compact = nfkc.replace(/[\s-]/g, '');
  const bytes = Buffer.from(value, 'utf8');
  const variants = [
    value,
    nfkc,
    compact,
    compact.toLowerCase(),
    compact.toUpperCase(),
    encodeURIComponent(value),
    toUnicodeEscapes(value),
    toUnicodeEscapes(value).toLowerCase(),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    bytes.toString('hex'),
  ];
  // Numbers: the digits alone, however they were grouped, and a phone without or with its country code.
  const digits = value.replace(/\D/g, '');
  if (digits.length >= 8) variants.push(digits, `+86${digits}`);
  return [...new Set(variants.filter((variant) => variant.length >= 4))];
}

export type PersonalDataFinding = { where: string; value: string; variant: string };

/** Every place a text carries one of the values, in any variant; case-insensitive for Latin text. */
export function scanForPersonalData(
  texts: readonly { where: string; text: string }[],
  values: readonly string[],
): PersonalDataFinding[] {
  const findings: PersonalDataFinding[] = [];
  const prepared = texts.map(({ where, text }) => ({ where, haystacks: haystacksOf(text) }));
  for (const value of values) {
    const variants = personalValueVariants(value).map((variant) => variant.toLowerCase());
    for (const { where, haystacks } of prepared) {
      const variant = variants.find((candidate) =>
        haystacks.some((haystack) => haystack.includes(candidate)),
      );
      if (variant) findings.push({ where, value, variant });
    }
  }
  return findings;
}

/** The text as written, and decoded and compacted, so `110105 1949…`, `%2B86%20139…` are found too. */
function haystacksOf(text: string): string[] {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // Not URL-encoded as a whole; the text as written is still searched.
  }
  const compact = (value: string) => value.normalize('NFKC').replace(/[\s-]/g, '');
  return [...new Set([text, compact(text), compact(decoded)].map((haystack) => haystack.toLowerCase()))];
}

/**
 * Runs scenarios through `server` (each as `POST /__log-scan/<index>`), then returns everything to scan:
 * every captured log line and every response body.
 */
export async function runLogScanScenarios(
  context: LogScanContext,
  scenarios: readonly LogScanScenario[],
): Promise<{ texts: { where: string; text: string }[]; statuses: Record<string, number> }> {
  const { app, logs } = context.server;
  app.post<{ Params: { index: string } }>(
    '/__log-scan/:index',
    { config: { access: { public: true } } },
    async (request) => {
      const scenario = scenarios[Number(request.params.index)];
      if (!scenario) throw new Error('no such scenario');
      return { result: (await scenario.run(context)) ?? null };
    },
  );
  const texts: { where: string; text: string }[] = [];
  const statuses: Record<string, number> = {};
  for (const [index, scenario] of scenarios.entries()) {
    const response = await app.inject({ method: 'POST', url: `/__log-scan/${index}` });
    statuses[scenario.name] = response.statusCode;
    texts.push({ where: `response of "${scenario.name}"`, text: response.body });
    texts.push({ where: `headers of "${scenario.name}"`, text: JSON.stringify(response.headers) });
  }
  for (const [index, line] of logs.lines.entries())
    texts.push({ where: `log line ${index + 1}`, text: line });
  return { texts, statuses };
}
