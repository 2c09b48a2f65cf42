import type { Kysely } from 'kysely';

/**
 * The security officer may raise an incident's Chinese grade above the one computed from the number of people
 * (S2.5, S4.4): the grading guide also grades by things the audit log cannot count (critical systems, economic
 * loss, social impact, a deliberate insider), and under-grading is the worse error. Never lowered below the
 * computed grade; the reason is kept and shown with the grade. Owned by the incidents module.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('incidents')
    .addColumn('raised_grade', 'text')
    .addColumn('raised_grade_reason', 'text')
    .execute();
}
