/**
 * Settles `unknown` messages from receipts that can only be matched by phone.
 *
 * A send whose answer never came (a timeout after the request left, a worker that stopped) is
 * `unknown` and has no provider message id. Gupshup Enterprise and Vonage echo our message id in
 * every receipt (`extra`, `client_ref`), so receipts.ts finds such a message by it; Gupshup
 * self-serve echoes nothing of ours, and its receipts for the message would wait in
 * pending_receipts for an id that never arrives. What they do carry is the recipient's phone.
 *
 * A pending receipt without a reference is matched to a message only when nothing else could be
 * meant: on the same provider account and phone there is exactly one message without a provider
 * id, it is `unknown` (none is still in flight, whose own answer may bring the id), every pending
 * receipt for that phone names the same provider message id, each arrived around the time the
 * message went unknown (from the longest a send can be in flight before, to a day after) and none
 * happened before the message existed. Anything less certain stays pending (and expires with the
 * other pending receipts): a receipt of another system sending through the same account must not
 * settle ours.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, PendingReceiptsTable } from '../storage/schema.js';

/** Receipts kept pending at most this long are looked at (a send is `unknown` within a minute or two). */
export const PHONE_MATCH_WINDOW_MS = 15 * 60 * 1000;
/** How far the provider's clock may be behind ours when comparing a receipt with the message. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/**
 * A receipt may arrive this long before its message goes `unknown`: while the send is in flight
 * (the in-flight lease is at most 2 × the 120 s longest send timeout + 5 s), plus a margin.
 */
const ARRIVED_BEFORE_UNKNOWN_MS = 5 * 60 * 1000;
/** …and this long after: the first receipt of an accepted message comes within minutes, not days. */
const ARRIVED_AFTER_UNKNOWN_MS = 24 * 60 * 60 * 1000;
const CHUNK = 500;

export type PendingRow = Selectable<PendingReceiptsTable>;

export interface PhoneMatch {
  /** The pending receipt. */
  row: PendingRow;
  /** The `unknown` message it belongs to. */
  messageId: string;
}

export async function matchUnknownByPhone(db: Kysely<Database>, now: number, limit = 2000): Promise<PhoneMatch[]> {
  const rows = await db
    .selectFrom('pending_receipts')
    .selectAll()
    .where('phone', 'is not', null)
    .where('created_at', '>=', now - PHONE_MATCH_WINDOW_MS)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  if (rows.length === 0) return [];

  const byAccount = new Map<string, Map<string, PendingRow[]>>();
  for (const row of rows) {
    const phones = byAccount.get(row.provider_id) ?? new Map<string, PendingRow[]>();
    byAccount.set(row.provider_id, phones);
    phones.set(row.phone!, [...(phones.get(row.phone!) ?? []), row]);
  }
  const accounts = await db.selectFrom('provider_accounts').select(['id', 'project_id']).where('id', 'in', [...byAccount.keys()]).execute();

  const matches: PhoneMatch[] = [];
  for (const account of accounts) {
    const phones = byAccount.get(account.id)!;
    const candidates = new Map<string, Array<{ id: string; status: string; created_at: number; updated_at: number }>>();
    const list = [...phones.keys()];
    for (let start = 0; start < list.length; start += CHUNK) {
      // messages_phone (project, phone, created_at) finds them; the rest is a filter on few rows.
      const messages = await db
        .selectFrom('messages')
        .select(['id', 'phone', 'status', 'created_at', 'updated_at'])
        .where('project_id', '=', account.project_id)
        .where('phone', 'in', list.slice(start, start + CHUNK))
        .where('provider_id', '=', account.id)
        .where('provider_message_id', 'is', null)
        .where('status', 'in', ['unknown', 'sending'])
        .execute();
      for (const message of messages) candidates.set(message.phone!, [...(candidates.get(message.phone!) ?? []), message]);
    }
    for (const [phone, receipts] of phones) {
      const messages = candidates.get(phone) ?? [];
      if (messages.length !== 1 || messages[0]!.status !== 'unknown') continue;
      const message = messages[0]!;
      if (new Set(receipts.map((receipt) => receipt.provider_message_id)).size !== 1) continue;
      const plausible = (receipt: PendingRow) =>
        receipt.occurred_at >= message.created_at - CLOCK_SKEW_MS &&
        receipt.created_at >= message.updated_at - ARRIVED_BEFORE_UNKNOWN_MS &&
        receipt.created_at <= message.updated_at + ARRIVED_AFTER_UNKNOWN_MS;
      if (!receipts.every(plausible)) continue;
      for (const row of receipts) matches.push({ row, messageId: message.id });
    }
  }
  return matches;
}
