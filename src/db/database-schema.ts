import type { Generated } from 'kysely';
import type { AccessTables } from '../modules/access/access.tables.js';
import type { AuditTables } from '../modules/audit/audit.tables.js';
import type { BreachNoticeTables } from '../modules/breach-notices/breach-notices.tables.js';
import type { ClaimsTables } from '../modules/claims/claims.tables.js';
import type { DetectionTables } from '../modules/detection/detection.tables.js';
import type { DocumentsTables } from '../modules/documents/documents.tables.js';
import type { IdentityTables } from '../modules/identity/identity.tables.js';
import type { IncidentsTables } from '../modules/incidents/incidents.tables.js';
import type { NotificationTables } from '../modules/notifications/notifications.tables.js';
import type { PayoutsTables } from '../modules/payouts/payouts.tables.js';
import type { PortalTables } from '../modules/portal/portal.tables.js';
import type { RegulatoryReportsTables } from '../modules/regulatory-reports/regulatory-reports.tables.js';
import type { SharesTables } from '../modules/shares/shares.tables.js';
import type { VaultTables } from '../modules/vault/vault.tables.js';

/**
 * Every table ClaimGuard stores, as Kysely sees it. Migrations under `src/db/migrations` create them;
 * only a module's repository reads or writes its own tables.
 */
export type Database = {
  installation: InstallationTable;
} & AccessTables &
  AuditTables &
  BreachNoticeTables &
  ClaimsTables &
  DetectionTables &
  DocumentsTables &
  IdentityTables &
  IncidentsTables &
  NotificationTables &
  PortalTables &
  PayoutsTables &
  RegulatoryReportsTables &
  SharesTables &
  VaultTables;

/** One row per ClaimGuard installation (owned by the system module). */
export type InstallationTable = {
  singleton: Generated<boolean>;
  id: string;
  created_at: Generated<Date>;
};
