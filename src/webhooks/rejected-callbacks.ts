/**
 * Refused callbacks of one provider account, for people: what arrived, which URL, what wacast
 * answered and why. They are the log rows in state `invalid` — refused by the handler (400
 * unreadable, 401 signature, 413 too large, 415 content type, 503 unsigned Vonage callback) or,
 * rarely, accepted and found unreadable or failing when applied (answered 200). Newest first,
 * keyset-paginated by `seq`.
 *
 * Nothing secret is returned: the Authorization header (Vonage's signed JWT) is never stored, and
 * query parameters or body fields whose names look like credentials (password, secret, token,
 * key, signature, auth…) have their values replaced by `[redacted]`. Bodies are cut to
 * REJECTED_BODY_PREVIEW characters (stored bodies are at most 256 KiB).
 */
import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { CallbackKind } from '../storage/schema.js';
import { notFound } from '../errors.js';
import { seqCursor } from '../cursors.js';

/** Characters of a stored body returned per item. */
export const REJECTED_BODY_PREVIEW = 8192;
/** Characters of a stored query string returned per item. */
const QUERY_PREVIEW = 2048;

export interface RejectedCallback {
  seq: number;
  receivedAt: number;
  kind: CallbackKind;
  method: string;
  /** The HTTP status wacast answered. */
  status: number;
  reason: string;
  contentType: string | null;
  query: string | null;
  body: string;
  /** Characters of the whole stored body. */
  bodyLength: number;
  bodyTruncated: boolean;
}

const SECRET_NAME = /pass|secret|token|key|sig|auth|credential|jwt|bearer|session|cookie/i;
const REDACTED = '[redacted]';

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}

/** `a=1&password=x` → `a=1&password=[redacted]`: form fields and query parameters named like credentials. */
export function redactFormFields(text: string): string {
  return text.replace(/(^|[&?;])([^=&?;]*)=([^&;]*)/g, (whole, start: string, name: string) => (SECRET_NAME.test(decodedName(name)) ? `${start}${name}=${REDACTED}` : whole));
}

/**
 * `"apiKey": "x"` → `"apiKey": "[redacted]"` (string values of JSON members named like credentials;
 * also a value cut off by the end of a truncated body).
 */
export function redactJsonFields(text: string): string {
  return text.replace(/("((?:[^"\\]|\\.)*)"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?$)/g, (whole, head: string, name: string) => (SECRET_NAME.test(name) ? `${head}"${REDACTED}"` : whole));
}

function redactBody(body: string): string {
  const start = body.trimStart()[0];
  return start === '{' || start === '[' ? redactJsonFields(body) : redactFormFields(body);
}

/**
 * The status answered, for rows stored before migration 0006 (no `http_status`): 401 for a refused
 * signature, 200 for one that failed when applied, else 400.
 */
function answered(row: { http_status: number | null; signature_ok: number | null; applied_at: number | null; attempts: number }): number {
  if (row.http_status !== null) return row.http_status;
  if (row.signature_ok === 0) return 401;
  return row.applied_at !== null || row.attempts > 0 ? 200 : 400;
}

export async function listRejectedCallbacks(
  deps: Pick<AppDeps, 'db'>,
  projectId: string,
  providerId: string,
  options: { cursor?: string | undefined; limit: number },
): Promise<{ items: RejectedCallback[]; nextCursor: string | null }> {
  const account = await deps.db.kysely
    .selectFrom('provider_accounts')
    .select('id')
    .where('id', '=', providerId)
    .where('project_id', '=', projectId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!account) throw notFound('Provider account', providerId);

  let query = deps.db.kysely
    .selectFrom('callback_events')
    .select([
      'seq', 'received_at', 'kind', 'method', 'content_type', 'signature_ok', 'error', 'attempts', 'applied_at', 'http_status',
      sql<string>`substr(body, 1, ${REJECTED_BODY_PREVIEW})`.as('body'),
      sql<number>`length(body)`.as('body_length'),
      sql<string | null>`substr(query, 1, ${QUERY_PREVIEW})`.as('query'),
    ])
    // provider_id + state 'invalid' + seq: the partial index callback_events_rejected.
    .where('provider_id', '=', providerId)
    .where('state', '=', 'invalid')
    .where('project_id', '=', projectId);
  const before = seqCursor(options.cursor);
  if (before !== undefined) query = query.where('seq', '<', before);
  const rows = await query.orderBy('seq', 'desc').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit);
  return {
    items: page.map((row) => ({
      seq: Number(row.seq),
      receivedAt: Number(row.received_at),
      kind: row.kind,
      method: row.method,
      status: answered({ ...row, signature_ok: row.signature_ok === null ? null : Number(row.signature_ok), applied_at: row.applied_at === null ? null : Number(row.applied_at) }),
      reason: row.error ?? 'refused (no reason was recorded)',
      contentType: row.content_type,
      query: row.query === null ? null : redactFormFields(row.query),
      body: redactBody(row.body),
      bodyLength: Number(row.body_length),
      bodyTruncated: Number(row.body_length) > REJECTED_BODY_PREVIEW,
    })),
    nextCursor: rows.length > options.limit ? String(page[page.length - 1]!.seq) : null,
  };
}
