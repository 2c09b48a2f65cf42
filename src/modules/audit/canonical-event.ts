import { z } from 'zod';
import { ACTOR_TYPES, AUDIT_OUTCOMES, type AuditActor, type AuditEventInput } from './audit-event.js';

/**
 * The canonical encoding of a sequenced event: the exact bytes its Merkle leaf commits to. JSON with keys
 * sorted by UTF-16 code units, no whitespace, UTF-8, numbers as JavaScript prints them (this is RFC 8785
 * JCS for the values events can hold). SECURITY: the bytes are stored verbatim and every check hashes
 * the stored bytes; nothing is ever re-serialised to be verified, so encoder changes cannot break old logs.
 */
export const CANONICAL_VERSION = 1;

export type CanonicalEvent = {
  v: typeof CANONICAL_VERSION;
  seq: number;
  /** When record() ran, ISO 8601 UTC with milliseconds. */
  ts: string;
  actor: AuditActor;
  action: string;
  resource: { type: string; id: string | null };
  dataSubjectId: string | null;
  fields: string[];
  purpose: string | null;
  outcome: AuditEventInput['outcome'];
  requestId: string | null;
  details: Record<string, string | number | boolean | null>;
};

const id = z.string().min(1).max(200);
const nullableId = id.nullable();

/** What record() accepts: the shared contract, with bounds so one event cannot bloat the log. */
export const auditEventInputSchema = z.object({
  actor: z.object({
    type: z.enum(ACTOR_TYPES),
    id: nullableId,
    role: nullableId,
    sessionId: nullableId,
    ip: z.string().max(64).nullable(),
    userAgent: z.string().max(512).nullable(),
  }),
  action: z
    .string()
    .max(100)
    .regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/, 'a dotted verb such as personal-data.read'),
  resource: z.object({ type: id, id: nullableId }),
  dataSubjectId: nullableId,
  fields: z.array(id).max(200),
  purpose: nullableId,
  outcome: z.enum(AUDIT_OUTCOMES),
  requestId: nullableId,
  details: z
    .record(z.string().max(100), z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.null()]))
    .optional()
    .refine((value) => value === undefined || Object.keys(value).length <= 50, 'at most 50 details'),
});

export function toCanonicalEvent(event: AuditEventInput, seq: number, occurredAt: Date): CanonicalEvent {
  return {
    v: CANONICAL_VERSION,
    seq,
    ts: occurredAt.toISOString(),
    actor: { ...event.actor },
    action: event.action,
    resource: { type: event.resource.type, id: event.resource.id },
    dataSubjectId: event.dataSubjectId,
    fields: [...event.fields],
    purpose: event.purpose,
    outcome: event.outcome,
    requestId: event.requestId,
    details: { ...(event.details ?? {}) },
  };
}

/** Sorted-key, whitespace-free JSON; refuses what JSON cannot carry exactly. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON: numbers must be finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON: cannot encode ${typeof value}`);
}

export function encodeCanonicalEvent(event: CanonicalEvent): Buffer {
  return Buffer.from(canonicalJson(event), 'utf8');
}

const SEQ_KEY = Buffer.from('"seq":');

/**
 * Reads the seq a canonical encoding claims without parsing it all (verification does this for every
 * event). Sorted keys put the top-level "seq" after every nested object ("actor", "details",
 * "resource"), and only "ts" and "v" follow it, so the last `"seq":` is the top-level one.
 */
export function claimedSeq(canonical: Uint8Array): number | null {
  const bytes = Buffer.isBuffer(canonical) ? canonical : Buffer.from(canonical);
  const at = bytes.lastIndexOf(SEQ_KEY);
  if (at < 0) return null;
  let value = 0;
  let digits = 0;
  for (let i = at + SEQ_KEY.length; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? null : value;
}

export function decodeCanonicalEvent(canonical: Uint8Array): CanonicalEvent {
  return JSON.parse(Buffer.from(canonical).toString('utf8')) as CanonicalEvent;
}
