/**
 * WhatsApp user ids (BSUIDs) and the numbers they stand for, per provider account (migration 0015).
 *
 * A WhatsApp user who sets a username may write to a business under a business-scoped user id
 * alone: Vonage v1.20 then posts `from: "US.1349…"`, with the number in `whatsapp.sender.wa_id` only
 * when the user shares it. The delivery reports of our messages to a user carry both
 * (`whatsapp.recipient{user_id, wa_id}`), so every user a campaign reached is paired here, and a
 * reply naming them by id alone — STOP above all — still finds their profile, opt-out state and
 * conversation. Pairs are written in the applier's transaction, before the inbound messages of the
 * same batch are resolved, so a report and a reply in one batch work in either order of arrival.
 * A sender never paired keeps a conversation under the id itself, answered there (Vonage takes a
 * user id as `to`).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../storage/schema.js';
import type { CallbackEvent } from '../providers/provider.js';
import { callbackPhoneToE164 } from '../providers/provider-phone.js';

export interface WhatsappUserPair {
  providerId: string;
  projectId: string;
  userId: string;
  /** E.164 with `+`. */
  phone: string;
}

/** Rows per INSERT: 5 values each, far below either engine's limit on parameters. */
const CHUNK = 200;

/** The key of a sender in resolveSenders' answer. */
export const senderKey = (providerId: string, userId: string) => `${providerId}\n${userId}`;

/**
 * Stores the pairs (the latest of each id wins: a user may change number and keep their id). Every
 * delivered Vonage status carries one, mostly known already: those are read, not written again.
 */
export async function rememberWhatsappUsers(db: Kysely<Database>, pairs: readonly WhatsappUserPair[], now: number): Promise<void> {
  if (pairs.length === 0) return;
  const latest = new Map<string, WhatsappUserPair>();
  for (const pair of pairs) latest.set(senderKey(pair.providerId, pair.userId), pair);
  const byAccount = new Map<string, WhatsappUserPair[]>();
  for (const pair of latest.values()) {
    const list = byAccount.get(pair.providerId);
    if (list) list.push(pair);
    else byAccount.set(pair.providerId, [pair]);
  }
  const rows: WhatsappUserPair[] = [];
  for (const [providerId, accountPairs] of byAccount) {
    const known = await phonesOfWhatsappUsers(db, accountPairs[0]!.projectId, providerId, accountPairs.map((pair) => pair.userId));
    rows.push(...accountPairs.filter((pair) => known.get(pair.userId) !== pair.phone));
  }
  for (let start = 0; start < rows.length; start += CHUNK) {
    await db
      .insertInto('whatsapp_users')
      .values(rows.slice(start, start + CHUNK).map((pair) => ({ provider_id: pair.providerId, user_id: pair.userId, project_id: pair.projectId, phone: pair.phone, updated_at: now })))
      .onConflict((conflict) =>
        conflict.columns(['provider_id', 'user_id']).doUpdateSet((eb) => ({ phone: eb.ref('excluded.phone'), project_id: eb.ref('excluded.project_id'), updated_at: eb.ref('excluded.updated_at') })),
      )
      .execute();
  }
}

/** The numbers of the given user ids of one account, as far as they are known: user id → E.164. */
export async function phonesOfWhatsappUsers(db: Kysely<Database>, projectId: string, providerId: string, userIds: readonly string[]): Promise<Map<string, string>> {
  const phones = new Map<string, string>();
  const ids = [...new Set(userIds)];
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await db
      .selectFrom('whatsapp_users')
      .select(['user_id', 'phone'])
      .where('project_id', '=', projectId)
      .where('provider_id', '=', providerId)
      .where('user_id', 'in', ids.slice(start, start + 500))
      .execute();
    for (const row of rows) phones.set(row.user_id, row.phone);
  }
  return phones;
}

/**
 * The number a user id of one of the project's provider accounts stands for, or null while it is
 * not paired (the latest pair when several accounts know the id). One primary-key read per account.
 */
export async function pairedNumberOf(db: Kysely<Database>, projectId: string, userId: string): Promise<string | null> {
  const row = await db
    .selectFrom('whatsapp_users')
    .select('phone')
    .where('provider_id', 'in', db.selectFrom('provider_accounts').select('id').where('project_id', '=', projectId))
    .where('user_id', '=', userId)
    .where('project_id', '=', projectId)
    .orderBy('updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.phone ?? null;
}

/**
 * For one applier pass: stores the pairs its callbacks carry (delivery reports, inbound messages
 * with both id and number), then finds the numbers of the inbound senders named by id alone — by
 * an earlier pair, else by the message of ours they quote (only its recipient can quote it in
 * their chat; that pairs them too). Returns senderKey(account, user id) → E.164 for those found
 * (the others stay known by id: their conversation is kept under it), and the conversations that
 * moved from an id to its number now that it is paired.
 */
export async function resolveSenders(
  trx: Kysely<Database>,
  callbacks: ReadonlyArray<{ providerId: string; projectId: string; events: readonly CallbackEvent[] }>,
  now: number,
): Promise<{ senders: Map<string, string>; moved: MovedConversation[] }> {
  const pairs: WhatsappUserPair[] = [];
  const wanted = new Map<string, { projectId: string; userIds: string[]; contexts: Map<string, string> }>();
  for (const { providerId, projectId, events } of callbacks) {
    for (const event of events) {
      if (event.kind === 'receipt' && event.user) pairs.push({ providerId, projectId, userId: event.user.id, phone: event.user.phone });
      if (event.kind !== 'inbound' || event.senderUserId === undefined) continue;
      if (event.from !== null) {
        pairs.push({ providerId, projectId, userId: event.senderUserId, phone: event.from });
        continue;
      }
      const entry = wanted.get(providerId) ?? { projectId, userIds: [], contexts: new Map<string, string>() };
      entry.userIds.push(event.senderUserId);
      if (event.contextMessageId) entry.contexts.set(event.senderUserId, event.contextMessageId);
      wanted.set(providerId, entry);
    }
  }
  await rememberWhatsappUsers(trx, pairs, now);
  const senders = new Map<string, string>();
  const quoted: WhatsappUserPair[] = [];
  for (const [providerId, { projectId, userIds, contexts }] of wanted) {
    const known = await phonesOfWhatsappUsers(trx, projectId, providerId, userIds);
    for (const [userId, phone] of known) senders.set(senderKey(providerId, userId), phone);
    for (const [userId, contextId] of contexts) {
      if (known.has(userId)) continue;
      const message = await trx
        .selectFrom('messages')
        .select('phone')
        .where('provider_id', '=', providerId)
        .where('project_id', '=', projectId)
        .where('provider_message_id', '=', contextId)
        .executeTakeFirst();
      // A message we sent to the id itself (a reply in its conversation) tells no number.
      const phone = callbackPhoneToE164(message?.phone);
      if (!phone) continue;
      senders.set(senderKey(providerId, userId), phone);
      quoted.push({ providerId, projectId, userId, phone });
    }
  }
  await rememberWhatsappUsers(trx, quoted, now);
  const moved = await adoptUserIdConversations(trx, [...pairs, ...quoted], now);
  return { senders, moved };
}

/**
 * What a sender did under their user id before it was paired with their number moves to the
 * number: above all an opt-out (a STOP under the id must keep campaigns to the number away), and
 * the conversation — its messages both ways join the number's, whose row takes the sum of unread
 * and the latest of everything else. Two indexed reads per pass with pairs when no id has any.
 */
async function adoptUserIdConversations(trx: Kysely<Database>, pairs: readonly WhatsappUserPair[], now: number): Promise<MovedConversation[]> {
  if (pairs.length === 0) return [];
  const moved: MovedConversation[] = [];
  const byProject = new Map<string, Map<string, string>>();
  for (const pair of pairs) {
    const ids = byProject.get(pair.projectId) ?? new Map<string, string>();
    ids.set(pair.userId, pair.phone);
    byProject.set(pair.projectId, ids);
  }
  for (const [projectId, ids] of byProject) {
    const userIds = [...ids.keys()];
    const rowsOf = async <T>(read: (part: string[]) => Promise<T[]>) => {
      const rows: T[] = [];
      for (let start = 0; start < userIds.length; start += 500) rows.push(...(await read(userIds.slice(start, start + 500))));
      return rows;
    };
    const dnds = await rowsOf((part) => trx.selectFrom('phone_dnd').selectAll().where('project_id', '=', projectId).where('phone', 'in', part).execute());
    for (const dnd of dnds) {
      const phone = ids.get(dnd.phone)!;
      const current = await trx.selectFrom('phone_dnd').select('updated_at').where('project_id', '=', projectId).where('phone', '=', phone).executeTakeFirst();
      // The later decision wins: a START given to the number since stays.
      if (!current || Number(current.updated_at) < Number(dnd.updated_at)) {
        await trx
          .insertInto('phone_dnd')
          .values({ project_id: projectId, phone, dnd: dnd.dnd, source: dnd.source, updated_at: dnd.updated_at })
          .onConflict((conflict) => conflict.columns(['project_id', 'phone']).doUpdateSet({ dnd: dnd.dnd, source: dnd.source, updated_at: dnd.updated_at }))
          .execute();
      }
      await trx.deleteFrom('phone_dnd').where('project_id', '=', projectId).where('phone', '=', dnd.phone).execute();
    }
    const conversations = await rowsOf((part) => trx.selectFrom('conversations').select('phone').where('project_id', '=', projectId).where('phone', 'in', part).execute());
    for (const { phone: userId } of conversations) {
      const phone = ids.get(userId)!;
      // The id's conversation row goes first, as it is now: on PostgreSQL an Inbox reply being
      // written under the id holds it (inbox.service.ts), so its message is committed — and moved
      // below — before this goes on; a reply coming later finds no conversation and follows the pair.
      const fromId = await trx.deleteFrom('conversations').where('project_id', '=', projectId).where('phone', '=', userId).returningAll().executeTakeFirst();
      if (!fromId) continue;
      await trx.updateTable('inbound_messages').set({ phone }).where('project_id', '=', projectId).where('phone', '=', userId).execute();
      // Not updated_at: a claimed row's is its claim time (send-journal recovery reads it).
      await trx.updateTable('messages').set({ phone }).where('project_id', '=', projectId).where('phone', '=', userId).execute();
      const existing = await trx.selectFrom('conversations').selectAll().where('project_id', '=', projectId).where('phone', '=', phone).executeTakeFirst();
      if (existing) {
        await trx.updateTable('conversations').set(mergedConversation(existing, fromId, now)).where('project_id', '=', projectId).where('phone', '=', phone).execute();
      } else {
        await trx.insertInto('conversations').values({ ...fromId, phone, updated_at: now }).execute();
      }
      moved.push({ projectId, from: fromId.phone, to: phone });
    }
  }
  return moved;
}

export interface MovedConversation {
  projectId: string;
  /** The user id the conversation was kept under. */
  from: string;
  /** The number it joined. */
  to: string;
}

type ConversationRow = Selectable<Database['conversations']>;

/** The number's conversation after the id's joins it: unread added up, the latest of the rest. */
function mergedConversation(number: ConversationRow, fromId: ConversationRow, now: number): Partial<ConversationRow> {
  const latest = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(Number(a), Number(b)));
  const activity = (row: ConversationRow) => latest(row.last_inbound_at, row.last_outbound_at) ?? 0;
  const newer = activity(fromId) > activity(number) ? fromId : number;
  const newerInbound = Number(fromId.last_inbound_at ?? 0) > Number(number.last_inbound_at ?? 0) ? fromId : number;
  return {
    provider_id: newerInbound.provider_id,
    profile_id: number.profile_id ?? fromId.profile_id,
    last_inbound_at: latest(number.last_inbound_at, fromId.last_inbound_at),
    last_outbound_at: latest(number.last_outbound_at, fromId.last_outbound_at),
    last_text: newer.last_text,
    last_direction: newer.last_direction,
    last_campaign_id: number.last_campaign_id ?? fromId.last_campaign_id,
    last_auto_reply_at: latest(number.last_auto_reply_at, fromId.last_auto_reply_at),
    sender_name: newerInbound.sender_name ?? number.sender_name ?? fromId.sender_name,
    unread: Number(number.unread) + Number(fromId.unread),
    updated_at: now,
  };
}
