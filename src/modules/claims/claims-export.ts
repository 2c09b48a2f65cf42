import ExcelJS from 'exceljs';
import { DomainError } from '../../errors/domain-error.js';
import { auditActorOf } from '../access/principal.js';
import type { AuditRecorder } from '../audit/audit-event.js';
import { CLAIM_STATE_LABELS, type ClaimState } from './claim-transitions.js';
import type { ClaimListFilter } from './claims.repository.js';
import type { ClaimCaller, ClaimSummary, ClaimsService } from './claims.service.js';

/**
 * Export of a claims list to XLSX or CSV (issue "Search and export"): a bulk export, so the route demands a
 * fresh second factor, the rows are capped, every file carries a watermark naming the exporter (a leaked
 * file names who took it), personal fields stay masked as in the list, and the export is audited with its
 * size. Values that a spreadsheet would run as a formula are neutralised (CSV/formula injection).
 */
export const EXPORT_MAX_ROWS = 5_000;

export type ExportFormat = 'xlsx' | 'csv';

export type ExportFile = { content: Buffer; contentType: string; fileName: string; rows: number };

const COLUMNS = [
  { key: 'number', header: { 'zh-CN': '案件号', 'en-US': 'Claim number' }, width: 18 },
  { key: 'state', header: { 'zh-CN': '状态', 'en-US': 'State' }, width: 10 },
  { key: 'productLine', header: { 'zh-CN': '险种', 'en-US': 'Product line' }, width: 10 },
  { key: 'branch', header: { 'zh-CN': '机构', 'en-US': 'Branch' }, width: 10 },
  { key: 'claimantName', header: { 'zh-CN': '出险人（已脱敏）', 'en-US': 'Claimant (masked)' }, width: 14 },
  { key: 'incidentDate', header: { 'zh-CN': '出险日期', 'en-US': 'Incident date' }, width: 12 },
  { key: 'amountClaimed', header: { 'zh-CN': '索赔金额', 'en-US': 'Amount claimed' }, width: 14 },
  { key: 'verification', header: { 'zh-CN': '身份核验', 'en-US': 'Verification' }, width: 14 },
  { key: 'reportedAt', header: { 'zh-CN': '报案时间', 'en-US': 'Reported at' }, width: 22 },
  { key: 'watermark', header: { 'zh-CN': '导出水印', 'en-US': 'Export watermark' }, width: 30 },
] as const;

/** A cell a spreadsheet would evaluate (=, +, -, @, tab, CR) is prefixed with an apostrophe. */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export async function exportClaims(
  claims: ClaimsService,
  audit: AuditRecorder,
  caller: ClaimCaller,
  request: { format: ExportFormat; filter: ClaimListFilter; language: 'zh-CN' | 'en-US'; maxRows?: number },
): Promise<ExportFile> {
  const maxRows = Math.min(request.maxRows ?? EXPORT_MAX_ROWS, EXPORT_MAX_ROWS);
  await claims.checkExport([]);
  const rows: ClaimSummary[] = [];
  let total = 0;
  for (let offset = 0; rows.length < maxRows; offset += 200) {
    const page = await claims.list(caller, request.filter, {
      limit: Math.min(200, maxRows - rows.length),
      offset,
    });
    total = page.total;
    rows.push(...page.items);
    if (page.items.length === 0 || rows.length >= total) break;
  }
  if (total > maxRows) {
    throw new DomainError(
      'bad-request',
      `The export would hold ${total} rows; narrow the filter to at most ${maxRows}.`,
      {
        rows: total,
        maxRows,
      },
    );
  }
  await claims.checkExport(rows.map((row) => row.id));
  const actor = auditActorOf(caller.context);
  const exportedAt = new Date();
  const watermark = `ClaimGuard · ${actor.type}:${actor.id ?? '-'} · ${exportedAt.toISOString()}`;
  const language = request.language;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = `ClaimGuard (${actor.id ?? 'system'})`;
  workbook.created = exportedAt;
  workbook.title = watermark;
  const sheet = workbook.addWorksheet(language === 'zh-CN' ? '理赔案件' : 'Claims', {
    headerFooter: { oddHeader: `&L${watermark}&RCONFIDENTIAL`, oddFooter: `&L${watermark}&R&P / &N` },
  });
  sheet.columns = COLUMNS.map((column) => ({
    key: column.key,
    header: column.header[language],
    width: column.width,
  }));
  for (const row of rows) {
    sheet.addRow({
      number: row.number,
      state: CLAIM_STATE_LABELS[row.state as ClaimState]?.[language] ?? row.state,
      productLine: row.productLine,
      branch: row.branch,
      claimantName: neutraliseFormula(row.claimantName),
      incidentDate: row.incidentDate,
      amountClaimed: row.amountClaimed === null ? '' : Number(row.amountClaimed),
      verification: row.verification,
      reportedAt: row.reportedAt.toISOString(),
      watermark,
    });
  }
  sheet.getRow(1).font = { bold: true };
  const stamp = exportedAt.toISOString().slice(0, 19).replace(/[-:T]/g, '');
  const content =
    request.format === 'xlsx'
      ? Buffer.from(await workbook.xlsx.writeBuffer())
      : Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(await workbook.csv.writeBuffer())]);
  await audit.record(claims.database, {
    actor,
    action: 'claim.export',
    resource: { type: 'claim-list', id: null },
    dataSubjectId: null,
    fields: ['customer.name'],
    purpose: 'claim-handling',
    outcome: 'success',
    requestId: caller.context.requestId,
    details: { format: request.format, rows: rows.length },
  });
  return {
    content,
    contentType:
      request.format === 'xlsx'
        ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
        : 'text/csv; charset=utf-8',
    fileName: `claims-${stamp}.${request.format}`,
    rows: rows.length,
  };
}
