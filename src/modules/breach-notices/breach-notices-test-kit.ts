import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import type {
  AffectedSubject,
  AffectedSubjectsSource,
  BreachNoticeSources,
  IncidentSummary,
  IncidentSummarySource,
} from './affected-subjects.js';
import type { CampaignTexts } from './breach-notices.tables.js';

/**
 * Test doubles for the breach-notices tests and bench: the incidents module's part played by a table of
 * the test's own (`test_breach_affected`) and a map of incident summaries; customers seeded in bulk SQL.
 */
type Db = Kysely<Database>;

export const SAMPLE_TEXTS: CampaignTexts = {
  'zh-CN': {
    headline: '部分理赔档案遭未授权访问',
    whatHappened:
      '2026年11月20日至22日，一名内部员工账号在非工作时间批量查阅了部分客户的理赔档案。我们于11月23日发现并立即处置。',
    measuresTaken: '我们已停用该账号、吊销其全部会话，冻结相关记录的导出，并已向监管部门报告。',
    whatYouCanDo: '请警惕自称本公司员工的来电和短信，不要透露验证码；如发现异常交易请立即联系银行。',
    contact: '客户服务热线 95500（24小时），或到任一营业网点咨询。',
  },
  'en-US': {
    headline: 'Unauthorised access to some claim files',
    whatHappened:
      'Between 20 and 22 November 2026 a staff account read claim files of some customers outside working hours. We found it on 23 November and acted at once.',
    measuresTaken:
      'We suspended the account, revoked its sessions, froze exports of the records concerned and reported the incident to the regulator.',
    whatYouCanDo:
      'Be wary of calls and texts from people claiming to be our staff and never share a verification code; if you see unusual bank transactions, call your bank at once.',
    contact: 'Customer service hotline 95500 (24 hours), or any of our branches.',
  },
};

/** The incidents module's part: affected subjects from `test_breach_affected`, summaries from a map. */
export class TableIncidentSources implements AffectedSubjectsSource, IncidentSummarySource {
  readonly incidents = new Map<string, IncidentSummary>();
  /** Page reads under way at once, and the most seen, per incident: "never run one campaign at once". */
  private readonly running = new Map<string, number>();
  readonly maxConcurrent = new Map<string, number>();
  /** Milliseconds each page read takes besides its query (to widen race windows in tests). */
  delayMs = 0;
  /** Without a count, the sender pages through the source to count. */
  withCount = true;

  get sources(): BreachNoticeSources {
    return { affected: this, incidents: this };
  }

  async affectedSubjects(
    db: Db,
    incidentId: string,
    after: string | null,
    limit: number,
  ): Promise<AffectedSubject[]> {
    const now = (this.running.get(incidentId) ?? 0) + 1;
    this.running.set(incidentId, now);
    this.maxConcurrent.set(incidentId, Math.max(now, this.maxConcurrent.get(incidentId) ?? 0));
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const result = await sql<{ subject_id: string; categories: string }>`
        select subject_id, categories from test_breach_affected
        where incident_id = ${incidentId} and (${after}::uuid is null or subject_id > ${after}::uuid)
        order by subject_id limit ${limit}`.execute(db);
      return result.rows.map((row) => ({
        subjectId: row.subject_id,
        categories: row.categories ? row.categories.split(',') : [],
      }));
    } finally {
      this.running.set(incidentId, (this.running.get(incidentId) ?? 1) - 1);
    }
  }

  get countAffectedSubjects(): AffectedSubjectsSource['countAffectedSubjects'] {
    if (!this.withCount) return undefined;
    return async (db: Db, incidentId: string) => {
      const result = await sql<{ count: string | number }>`
        select count(*) as count from test_breach_affected where incident_id = ${incidentId}`.execute(db);
      return Number(result.rows[0]?.count ?? 0);
    };
  }

  async affectedSubject(db: Db, incidentId: string, subjectId: string): Promise<AffectedSubject | null> {
    const result = await sql<{ subject_id: string; categories: string }>`
      select subject_id, categories from test_breach_affected
      where incident_id = ${incidentId} and subject_id = ${subjectId}::uuid`.execute(db);
    const row = result.rows[0];
    return row
      ? { subjectId: row.subject_id, categories: row.categories ? row.categories.split(',') : [] }
      : null;
  }

  async incidentSummary(_db: Db, incidentId: string): Promise<IncidentSummary | null> {
    return this.incidents.get(incidentId) ?? null;
  }
}

export async function createAffectedTable(db: Db): Promise<void> {
  await sql`create table if not exists test_breach_affected (
    incident_id text not null, subject_id uuid not null, categories text not null,
    primary key (incident_id, subject_id))`.execute(db);
}

export async function addAffected(
  db: Db,
  incidentId: string,
  subjects: readonly { id: string; categories: readonly string[] }[],
): Promise<void> {
  const batch = 20_000;
  for (let from = 0; from < subjects.length; from += batch) {
    const slice = subjects.slice(from, from + batch);
    await sql`insert into test_breach_affected (incident_id, subject_id, categories)
      select ${incidentId}, t.id, t.categories
      from unnest(${slice.map((s) => s.id)}::uuid[], ${slice.map((s) => s.categories.join(','))}::text[]) as t(id, categories)
      on conflict do nothing`.execute(db);
  }
}

/**
 * Seeds `count` customers in bulk SQL (random bytes in the encrypted columns: the notice job reads only
 * ids and languages), every `englishEvery`-th in en-US. Returns their ids in ascending order.
 */
export async function seedBulkCustomers(db: Db, count: number, englishEvery = 4): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID()).sort();
  const batch = 20_000;
  for (let from = 0; from < count; from += batch) {
    const slice = ids.slice(from, from + batch);
    const languages = slice.map((_id, index) => ((from + index) % englishEvery === 0 ? 'en-US' : 'zh-CN'));
    await sql`insert into customers (id, name_ct, id_type, id_number_ct, id_number_bi, language, branch)
      select t.id, decode(md5(t.id::text), 'hex'), 'resident-id', decode(md5(t.id::text || 'n'), 'hex'),
        decode(md5(t.id::text || 'b'), 'hex'), t.language, 'beijing'
      from unnest(${slice}::uuid[], ${languages}::text[]) as t(id, language)`.execute(db);
  }
  return ids;
}

/** Categories to give the i-th affected subject: varied, from the vault catalogue. */
export function categoriesFor(index: number): string[] {
  const sets = [['identity', 'contact'], ['contact'], ['identity', 'financial'], ['health', 'identity']];
  return sets[index % sets.length] as string[];
}
