/**
 * What the report page reads besides the counters: the per-message log (keyset pages, filter by
 * status, CSV export streamed in pages) and the per-minute timeline.
 */
import type { AppDeps } from '../deps.js';
import type { MessageStatus } from '../storage/schema.js';
import { idCursor } from '../cursors.js';

export const LOG_STATUSES = ['skipped', 'queued', 'sent', 'delivered', 'read', 'failed', 'unknown', 'cancelled'] as const;
export type LogStatus = (typeof LOG_STATUSES)[number];

export interface MessageLogEntry {
  id: string;
  identity: string | null;
  phone: string | null;
  status: MessageStatus;
  skipReason: string | null;
  errorCategory: string | null;
  errorCode: string | null;
  errorDetail: string | null;
  providerMessageId: string | null;
  attempts: number;
  createdAt: number;
  sentAt: number | null;
  deliveredAt: number | null;
  readAt: number | null;
  failedAt: number | null;
  /** When the recipient first answered this message (the report's `replied`). */
  repliedAt: number | null;
  /** When the recipient did the campaign's conversion goal event (the report's `converted`). */
  convertedAt: number | null;
}

export async function messageLog(
  deps: Pick<AppDeps, 'db'>,
  campaignId: string,
  options: { status?: LogStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: MessageLogEntry[]; nextCursor: string | null }> {
  let query = deps.db.kysely
    .selectFrom('messages')
    .leftJoin('profiles', 'profiles.id', 'messages.profile_id')
    .select([
      'messages.id', 'profiles.identity', 'messages.phone', 'messages.status', 'messages.skip_reason', 'messages.error_category',
      'messages.error_code', 'messages.error_detail', 'messages.provider_message_id', 'messages.attempts', 'messages.created_at',
      'messages.sent_at', 'messages.delivered_at', 'messages.read_at', 'messages.failed_at', 'messages.replied_at', 'messages.converted_at',
    ])
    .where('messages.campaign_id', '=', campaignId);
  if (options.status === 'queued') query = query.where('messages.status', 'in', ['queued', 'sending']);
  else if (options.status) query = query.where('messages.status', '=', options.status);
  const after = idCursor(options.cursor);
  if (after) query = query.where('messages.id', '>', after);
  const rows = await query.orderBy('messages.id').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit);
  return {
    items: page.map((row) => ({
      id: row.id,
      identity: row.identity ?? null,
      phone: row.phone,
      status: row.status,
      skipReason: row.skip_reason,
      errorCategory: row.error_category,
      errorCode: row.error_code,
      errorDetail: row.error_detail,
      providerMessageId: row.provider_message_id,
      attempts: row.attempts,
      createdAt: row.created_at,
      sentAt: row.sent_at,
      deliveredAt: row.delivered_at,
      readAt: row.read_at,
      failedAt: row.failed_at,
      repliedAt: row.replied_at,
      convertedAt: row.converted_at,
    })),
    nextCursor: rows.length > options.limit ? page[page.length - 1]!.id : null,
  };
}

const CSV_COLUMNS: Array<[string, (entry: MessageLogEntry) => string | number | null]> = [
  ['message_id', (entry) => entry.id],
  ['identity', (entry) => entry.identity],
  ['phone', (entry) => entry.phone],
  ['status', (entry) => entry.status],
  ['skip_reason', (entry) => entry.skipReason],
  ['error_category', (entry) => entry.errorCategory],
  ['error_code', (entry) => entry.errorCode],
  ['error_detail', (entry) => entry.errorDetail],
  ['provider_message_id', (entry) => entry.providerMessageId],
  ['attempts', (entry) => entry.attempts],
  ['created_at', (entry) => iso(entry.createdAt)],
  ['sent_at', (entry) => iso(entry.sentAt)],
  ['delivered_at', (entry) => iso(entry.deliveredAt)],
  ['read_at', (entry) => iso(entry.readAt)],
  ['failed_at', (entry) => iso(entry.failedAt)],
  // Last, so that readers of the first fifteen columns are unaffected.
  ['replied_at', (entry) => iso(entry.repliedAt)],
  ['converted_at', (entry) => iso(entry.convertedAt)],
];

/** The export's header line, for the OpenAPI document. */
export const CSV_COLUMN_NAMES = CSV_COLUMNS.map(([name]) => name);

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A signed or unsigned number and nothing else, such as an E.164 phone `+14155551234`. */
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** One CSV cell (RFC 4180 quoting), safe to open in a spreadsheet. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // Cells starting with = + - @ (or a tab or carriage return before one) would run as formulas in
  // spreadsheets: prefix them with '. A plain number cannot run anything, and prefixing it would
  // turn every E.164 phone of the export into '+14155551234.
  const safe = /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The whole (filtered) log as CSV lines, produced page by page; `bom` starts it with U+FEFF for Excel. */
export async function* messageLogCsv(deps: Pick<AppDeps, 'db'>, campaignId: string, status?: LogStatus, options: { bom?: boolean } = {}): AsyncGenerator<string> {
  yield (options.bom ? '\uFEFF' : '') + CSV_COLUMNS.map(([name]) => name).join(',') + '\n';
  let cursor: string | undefined;
  for (;;) {
    const page = await messageLog(deps, campaignId, { status, cursor, limit: 2000 });
    if (page.items.length > 0) yield page.items.map((entry) => CSV_COLUMNS.map(([, get]) => csvCell(get(entry))).join(',')).join('\n') + '\n';
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

export async function campaignTimeline(deps: Pick<AppDeps, 'db'>, campaignId: string) {
  const rows = await deps.db.kysely
    .selectFrom('campaign_timeline')
    .select(['bucket', 'sent', 'delivered', 'read', 'failed', 'replied'])
    .where('campaign_id', '=', campaignId)
    .orderBy('bucket')
    .execute();
  return rows.map((row) => ({ at: row.bucket, sent: row.sent, delivered: row.delivered, read: row.read, failed: row.failed, replied: row.replied }));
}
