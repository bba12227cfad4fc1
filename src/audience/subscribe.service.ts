/**
 * Phone-level opt-out (DND): a row in `phone_dnd` blocks every profile with that phone, whatever
 * its own flags say (see reachability.ts). Set by the subscribe API, by STOP/START replies (the
 * webhook applier calls `setPhoneDnd`), and by provider "not opted in" errors.
 */
import type { Db } from '../storage/db.js';
import { writeTransaction } from '../storage/transaction.js';
import { MAX_RECORDS_PER_CALL } from './audience.limits.js';
import { normalisePhone, type PhoneResult } from './phone.js';
import { whatsappSpellings } from './phone-spellings.js';
import { chunk, type Executor } from './profiles.store.js';
import { failure, UploadCode } from './upload.codes.js';
import { batchStatus, type BatchOutcome, type UnprocessedRecord } from './upload.service.js';

/** Who set a phone-level DND: kept for the audit trail shown on the profile page. */
export type PhoneDndSource = 'subscribe_api' | 'keyword' | 'provider' | 'import';

function executorOf(db: Db | Executor): Executor {
  return 'kysely' in db ? db.kysely : db;
}

export interface DndRow {
  phone: string;
  dnd: boolean;
}

async function writeDnd(db: Executor, projectId: string, rows: readonly DndRow[], source: PhoneDndSource, now: number): Promise<void> {
  // Every WhatsApp spelling of each number (phone-spellings.ts); a later row wins for a phone
  // written twice (one upsert may not touch a row twice on PostgreSQL).
  const byPhone = new Map<string, DndRow>();
  for (const row of rows) {
    for (const phone of whatsappSpellings(row.phone)) {
      byPhone.delete(phone);
      byPhone.set(phone, { phone, dnd: row.dnd });
    }
  }
  for (const part of chunk([...byPhone.values()], 1000)) {
    await db
      .insertInto('phone_dnd')
      .values(part.map((row) => ({ project_id: projectId, phone: row.phone, dnd: row.dnd ? 1 : 0, source, updated_at: now })))
      .onConflict((conflict) =>
        conflict.columns(['project_id', 'phone']).doUpdateSet((eb) => ({
          dnd: eb.ref('excluded.dnd'),
          source: eb.ref('excluded.source'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/**
 * Sets (`dnd` true) or lifts (false) the phone-level DND of `phone` (any spelling
 * `normalisePhone` accepts). Pass a transaction to make it part of a larger write. Returns the
 * normalised phone, or why it is not a phone number (nothing is written then).
 */
export async function setPhoneDnd(db: Db | Executor, projectId: string, phone: string, dnd: boolean, source: PhoneDndSource): Promise<PhoneResult> {
  const normalised = normalisePhone(phone);
  if (!normalised.ok) return normalised;
  await writeDnd(executorOf(db), projectId, [{ phone: normalised.e164, dnd }], source, Date.now());
  return normalised;
}

/**
 * Writes the phone-level DND of a phone already in E.164 as a provider gave it (a STOP reply, a
 * user event): no second validation, so an opt-out is never lost to a number-plan rule.
 */
export async function storePhoneDnd(db: Db | Executor, projectId: string, e164: string, dnd: boolean, source: PhoneDndSource, now = Date.now()): Promise<void> {
  await writeDnd(executorOf(db), projectId, [{ phone: e164, dnd }], source, now);
}

/** Whether `phone` (E.164) has a phone-level DND in the project. */
export async function hasPhoneDnd(db: Db | Executor, projectId: string, phone: string): Promise<boolean> {
  const row = await executorOf(db)
    .selectFrom('phone_dnd')
    .select('dnd')
    .where('project_id', '=', projectId)
    .where('phone', '=', phone)
    .executeTakeFirst();
  return row?.dnd === 1;
}

const STATUSES: Record<string, boolean> = { unsubscribe: true, resubscribe: false, subscribe: false };

/**
 * The subscribe API (`{"d":[{"type":"whatsapp","value":"+91…","status":"Unsubscribe"|"Resubscribe"}]}`):
 * valid records are written in one transaction; the others come back in `unprocessed`.
 */
export async function subscribeRecords(
  db: Db,
  projectId: string,
  records: readonly unknown[],
  options: { now?: number; /** Called after the commit with what was written. */ onCommitted?: (rows: readonly DndRow[]) => void } = {},
): Promise<BatchOutcome> {
  const now = options.now ?? Date.now();
  if (records.length > MAX_RECORDS_PER_CALL) throw new Error('subscribeRecords: too many records (the route checks the limit)');
  const unprocessed: UnprocessedRecord[] = [];
  // Last record wins for a phone listed twice (one upsert may not touch a row twice on PostgreSQL).
  const byPhone = new Map<string, DndRow>();
  records.forEach((record, index) => {
    const refuse = (code: UnprocessedRecord['code'], error: string) => unprocessed.push({ status: 'fail', ...failure(code, error), index, record });
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      refuse(UploadCode.INVALID_STRUCTURE, 'a record must be an object with type, value and status');
      return;
    }
    const fields = record as Record<string, unknown>;
    if (typeof fields.type !== 'string' || fields.type.toLowerCase() !== 'whatsapp') {
      refuse(UploadCode.INVALID_STRUCTURE, `type must be "whatsapp" (the only channel of this product), got ${JSON.stringify(fields.type ?? null)}`);
      return;
    }
    const dnd = typeof fields.status === 'string' ? STATUSES[fields.status.trim().toLowerCase()] : undefined;
    if (dnd === undefined) {
      refuse(UploadCode.INVALID_STRUCTURE, `status must be "Unsubscribe" or "Resubscribe", got ${JSON.stringify(fields.status ?? null)}`);
      return;
    }
    const phone = normalisePhone(fields.value);
    if (!phone.ok) {
      refuse(UploadCode.INVALID_PHONE, `value ${JSON.stringify(fields.value ?? null)} ${phone.message}; ${phone.advice}`);
      return;
    }
    byPhone.delete(phone.e164);
    byPhone.set(phone.e164, { phone: phone.e164, dnd });
  });
  if (byPhone.size > 0) {
    const rows = [...byPhone.values()];
    await writeTransaction(db, (trx) => writeDnd(trx, projectId, rows, 'subscribe_api', now));
    options.onCommitted?.(rows);
  }
  const processed = records.length - unprocessed.length;
  return { status: batchStatus(processed, unprocessed.length), processed, unprocessed };
}
