import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';

/** The access module's SQL: break-glass grants and security alerts. */
export class AccessRepository {
  constructor(private readonly db: Kysely<Database>) {}

  with(db: Kysely<Database>): AccessRepository {
    return new AccessRepository(db);
  }

  /**
   * When the user's open break-glass grant ends (null when none is open), as a correlated subquery on the user
   * id in `userIdColumn`: the session lookup reads it with the session, one round trip fewer on every staff
   * request.
   */
  static openGrantUntilExpression(userIdColumn: string, now: Date): RawBuilder<Date | null> {
    return sql<Date | null>`(select max(g.expires_at) from break_glass_grants g
      where g.user_id = ${sql.ref(userIdColumn)} and g.ended_at is null and g.expires_at > ${now})`;
  }

  async insertGrant(row: {
    id: string;
    user_id: string;
    justification: string;
    expires_at: Date;
  }): Promise<void> {
    await this.db.insertInto('break_glass_grants').values(row).execute();
  }

  async endOpenGrants(userId: string, now: Date): Promise<number> {
    const result = await this.db
      .updateTable('break_glass_grants')
      .set({ ended_at: now })
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async insertAlert(row: {
    id: string;
    kind: string;
    severity: 'info' | 'warning' | 'critical';
    subject_user_id: string | null;
    details: Record<string, string | number | boolean | null>;
  }): Promise<void> {
    await this.db.insertInto('security_alerts').values(row).execute();
  }

  listAlerts(options: { unacknowledgedOnly: boolean; limit: number }) {
    let query = this.db
      .selectFrom('security_alerts')
      .select([
        'id',
        'kind',
        'severity',
        'subject_user_id',
        'details',
        'created_at',
        'acknowledged_by',
        'acknowledged_at',
      ])
      .orderBy('created_at', 'desc')
      .limit(options.limit);
    if (options.unacknowledgedOnly) query = query.where('acknowledged_at', 'is', null);
    return query.execute();
  }

  async acknowledgeAlert(id: string, userId: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('security_alerts')
      .set({ acknowledged_by: userId, acknowledged_at: now })
      .where('id', '=', id)
      .where('acknowledged_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
