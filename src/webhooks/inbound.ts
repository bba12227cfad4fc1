/**
 * Applies one inbound message inside the applier's transaction (PRODUCT §1.5):
 * - stores it (idempotent on the provider's message id: a repeated callback changes nothing);
 * - attributes it to a campaign: the message it answers (provider context id), else the latest
 *   campaign message sent to that phone within 7 days and not failed; the campaign's `replied` counts each
 *   answered message once, and the answered message counts as delivered (a reply proves it arrived;
 *   receipts.ts applyReplyAsDelivery). A reply quoting one of our messages that is no campaign's (an
 *   agent's Inbox reply, an auto-reply) answers no campaign: the fallback is only for replies without
 *   a known context;
 * - records `Notification Replied` (`incoming text`) on the profile with that phone (in either of
 *   WhatsApp's spellings of Mexican and Brazilian mobiles: audience/phone-spellings.ts);
 * - updates the conversation (unread count, last text, campaign, the sender's WhatsApp profile name);
 * - opt-out / opt-in keywords set or lift the phone-level DND and queue a confirmation when the
 *   state changed, or when it did not and the same confirmation was not sent in the last 24 hours;
 * - auto-reply for users not tracked (no profile with that phone), when the account enables it:
 *   at most once per phone per 24 hours, never to our own number, never to a text that is one of
 *   our own automatic texts (another auto-responder echoing us), never to an opted-out phone, never
 *   while an agent is talking with the phone (an Inbox reply in the last 24 hours), and only while
 *   the 24-hour window of the message is open.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, MessageKind } from '../storage/schema.js';
import type { InboundEvent, ProviderType } from '../providers/provider.js';
import type { CampaignDeltas } from '../campaigns/counters.js';
import { newId } from '../ids.js';
import { toJson } from '../storage/json.js';
import { eventNameKey, SYSTEM_EVENTS } from '../audience/event-names.js';
import { queueDirectMessage } from '../inbox/direct-messages.js';
import { confirmationText, matchKeyword, type KeywordSettings } from './keywords.js';
import { changePhoneDnd } from './phone-dnd.js';
import { whatsappSpellings } from '../audience/phone-spellings.js';
import { readPayload } from '../campaigns/message-payload.js';
import type { Dialect } from '../storage/db.js';
import { checkedPerRow } from '../storage/dialect.js';
import { applyReplyAsDelivery } from './receipts.js';

export const ATTRIBUTION_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** WhatsApp's customer-service window, and the auto-reply's once-per-phone period. */
export const SESSION_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What the applier knows of the provider account a callback came through. */
export interface AccountInfo {
  id: string;
  projectId: string;
  type: ProviderType;
  /** The account's own WhatsApp number, E.164; null when it is a shortcode or unknown. */
  businessPhone: string | null;
  autoReply: { enabled: boolean; text: string };
  deleted: boolean;
}

/** Side effects to run after the transaction commits. */
export interface Effects {
  queuedProviders: Set<string>;
  conversations: Map<string, { projectId: string; phone: string }>;
  /** Opt-in / opt-out calls to the provider (Gupshup Enterprise OPT_IN / OPT_OUT). */
  optCalls: Array<{ providerId: string; phone: string; optIn: boolean }>;
}

export function emptyEffects(): Effects {
  return { queuedProviders: new Set(), conversations: new Map(), optCalls: [] };
}

export interface InboundContext {
  dialect: Dialect;
  deltas: CampaignDeltas;
  effects: Effects;
  /** The project's keyword settings (read before the transaction). */
  keywords(projectId: string): KeywordSettings;
  now: number;
}

/** WhatsApp allows 25 characters; a provider relaying anything longer is cut here. */
export const MAX_SENDER_NAME = 100;

/**
 * The profile name the sender set in WhatsApp, as stored for the Inbox: plain text without control
 * characters (line breaks, bidirectional overrides that would turn the phone number around it),
 * trimmed and cut to MAX_SENDER_NAME; null when nothing is left.
 */
export function senderNameOf(name: string | undefined): string | null {
  if (name === undefined) return null;
  // Cc (C0, DEL, C1) and the bidirectional embeddings, overrides and isolates.
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
  return clean === '' ? null : [...clean].slice(0, MAX_SENDER_NAME).join('');
}

/** Compares texts the way a person reads them: case, surrounding and repeated spaces ignored. */
function sameText(a: string, b: string): boolean {
  const norm = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();
  return norm(a) !== '' && norm(a) === norm(b);
}

interface AnsweredMessage {
  id: string;
  campaign_id: string | null;
  profile_id: string | null;
  replied_at: number | null;
}

async function answeredMessage(db: Kysely<Database>, account: AccountInfo, event: InboundEvent, spellings: string[], at: number): Promise<AnsweredMessage | undefined> {
  const columns = ['id', 'campaign_id', 'profile_id', 'replied_at'] as const;
  if (event.contextMessageId) {
    const answered = await db
      .selectFrom('messages')
      .select(columns)
      .where('provider_message_id', '=', event.contextMessageId)
      .where('provider_id', '=', account.id)
      .where('project_id', '=', account.projectId)
      .executeTakeFirst();
    // A quoted message of ours that is not a campaign's (an agent's Inbox reply, an auto-reply, a
    // test) is what the user answers: the reply answers no campaign, not the latest one sent.
    if (answered) return answered;
  }
  // Campaign messages to this phone (in either spelling), by the project's phone index.
  const campaignMessages = () =>
    db.selectFrom('messages').where('project_id', '=', account.projectId).where('phone', 'in', spellings).where('campaign_id', 'is not', null);
  const sent = await campaignMessages()
    .select([...columns, 'sent_at as at'])
    // A message the provider accepted and then reported failed never reached the phone: the user
    // is answering an earlier campaign (a later delivered/read turns `failed` back, and counts).
    .where('status', '!=', 'failed')
    .where('sent_at', '>=', at - ATTRIBUTION_WINDOW_MS)
    .where('sent_at', '<=', at)
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  // A message whose send answer never came (`unknown`: the request timed out, yet the message may
  // have arrived) has no send time; the time it went unknown stands for it, and the newer of the
  // two is the one answered. (A reply answering it proves it arrived: see applyReplyAsDelivery.)
  const unknown = await campaignMessages()
    .select([...columns, 'updated_at as at'])
    .where('status', '=', 'unknown')
    .where('updated_at', '>=', at - ATTRIBUTION_WINDOW_MS)
    .where('updated_at', '<=', at)
    .orderBy('updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const latest = unknown && (!sent || unknown.at > (sent.at ?? 0)) ? unknown : sent;
  if (latest) return { id: latest.id, campaign_id: latest.campaign_id, profile_id: latest.profile_id, replied_at: latest.replied_at };
  // A reply can overtake the send's own response: the provider delivered the message and the user
  // answered before its answer to our request was stored. That message is still `sending`.
  return inFlightCampaignMessage(db, account.projectId, spellings, at - ATTRIBUTION_WINDOW_MS).executeTakeFirst();
}

/**
 * The latest campaign message to the phone still `sending` since `since`. Found through the phone
 * index: the status is only checked (checkedPerRow), else with statistics from before the campaign
 * the planner read every message in flight through `messages_sending` for each reply (2 ms at
 * 12,000 in flight, against 0.04 ms). Exported for the query-plan test.
 */
export function inFlightCampaignMessage(db: Kysely<Database>, projectId: string, spellings: string[], since: number) {
  return db
    .selectFrom('messages')
    .select(['id', 'campaign_id', 'profile_id', 'replied_at'])
    .where('project_id', '=', projectId)
    .where('phone', 'in', spellings)
    .where('campaign_id', 'is not', null)
    .where(checkedPerRow(sql`${sql.ref('status')} = 'sending'`))
    .where('updated_at', '>=', since)
    .orderBy('updated_at', 'desc')
    .limit(1);
}

/**
 * Applies one inbound message. `arrivedAt` is when the callback reached wacast: the provider's
 * timestamp is used unless it is later than that (a clock ahead of ours).
 */
export async function applyInbound(db: Kysely<Database>, account: AccountInfo, event: InboundEvent & { from: string }, arrivedAt: number, ctx: InboundContext): Promise<void> {
  const { now } = ctx;
  const projectId = account.projectId;
  const phone = event.from;
  const at = Math.min(event.receivedAt, arrivedAt);
  const ownNumber = account.businessPhone !== null && phone === account.businessPhone;
  const senderName = senderNameOf(event.senderName);

  // WhatsApp may write a Mexican or Brazilian number differently from how it is stored.
  const spellings = whatsappSpellings(phone);
  const answered = await answeredMessage(db, account, event, spellings, at);
  const profile = await db
    .selectFrom('profiles')
    .select('id')
    .where('project_id', '=', projectId)
    .where('phone', 'in', spellings)
    .orderBy('updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const profileId = answered?.profile_id ?? profile?.id ?? null;
  const campaignId = answered?.campaign_id ?? null;

  const inserted = await db
    .insertInto('inbound_messages')
    .values({
      id: newId(now),
      project_id: projectId,
      provider_id: account.id,
      phone,
      profile_id: profileId,
      provider_message_id: event.providerMessageId,
      context_message_id: event.contextMessageId ?? null,
      campaign_id: campaignId,
      message_type: event.messageType,
      text: event.text,
      payload: toJson(event.payload),
      received_at: at,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['provider_id', 'provider_message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return; // the provider sent this message before: everything below was done then

  if (answered?.campaign_id && answered.replied_at === null) {
    const result = await db.updateTable('messages').set({ replied_at: at }).where('id', '=', answered.id).where('replied_at', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) {
      ctx.deltas.addReplied(answered.campaign_id, at);
      // The answer proves the message arrived: it counts as delivered too, so Replied ≤ Delivered.
      await applyReplyAsDelivery(db, ctx.dialect, answered.id, at, ctx.deltas, now);
    }
  }

  if (profileId) {
    await db
      .insertInto('events')
      .values({
        id: newId(at),
        project_id: projectId,
        profile_id: profileId,
        name: SYSTEM_EVENTS.replied,
        name_key: eventNameKey(SYSTEM_EVENTS.replied),
        properties: toJson({
          'incoming text': event.text ?? '',
          message_type: event.messageType,
          inbound_id: inserted.id,
          ...(campaignId ? { campaign_id: campaignId, message_id: answered!.id } : {}),
        }),
        ts: at,
        created_at: now,
      })
      .execute();
  }

  const conversation = await db
    .selectFrom('conversations')
    .select(['last_auto_reply_at'])
    .where('project_id', '=', projectId)
    .where('phone', '=', phone)
    .executeTakeFirst();

  let outbound = false;
  let autoReplied = false;
  const windowOpen = at >= now - SESSION_WINDOW_MS;
  const canSend = !ownNumber && !account.deleted && windowOpen;
  const settings = ctx.keywords(projectId);
  const keyword = ownNumber ? null : matchKeyword(settings, event.text);

  if (keyword) {
    const optOut = keyword === 'opt_out';
    const changed = await changePhoneDnd(db, projectId, phone, optOut, 'keyword');
    const reply = confirmationText(settings, optOut ? 'optOut' : 'optIn');
    if (reply && canSend && (changed || !(await confirmedRecently(db, projectId, phone, reply, now)))) {
      await queueDirectMessage(db, { projectId, providerId: account.id, phone, profileId, kind: 'keyword_reply', payload: { type: 'text', text: reply } }, now);
      outbound = true;
    }
    if (changed && !account.deleted) ctx.effects.optCalls.push({ providerId: account.id, phone, optIn: !optOut });
  } else if (canSend && !profile && account.autoReply.enabled && account.autoReply.text.trim()) {
    const lastAutoReply = conversation?.last_auto_reply_at ?? null;
    const echo = event.text !== null && [account.autoReply.text, confirmationText(settings, 'optOut'), confirmationText(settings, 'optIn')].some((ours) => sameText(event.text!, ours));
    const optedOut = await db.selectFrom('phone_dnd').select('dnd').where('project_id', '=', projectId).where('phone', '=', phone).executeTakeFirst();
    if (!echo && optedOut?.dnd !== 1 && (lastAutoReply === null || now - lastAutoReply >= SESSION_WINDOW_MS) && !(await agentAnsweredRecently(db, projectId, phone, now))) {
      await queueDirectMessage(db, { projectId, providerId: account.id, phone, profileId: null, kind: 'auto_reply', payload: { type: 'text', text: account.autoReply.text } }, now);
      outbound = true;
      autoReplied = true;
    }
  }
  if (outbound) ctx.effects.queuedProviders.add(account.id);

  await db
    .insertInto('conversations')
    .values({
      project_id: projectId,
      phone,
      provider_id: account.id,
      profile_id: profileId,
      last_inbound_at: at,
      last_outbound_at: outbound ? now : null,
      last_text: event.text ?? `[${event.messageType}]`,
      last_direction: 'in',
      last_auto_reply_at: autoReplied ? now : null,
      last_campaign_id: campaignId,
      sender_name: senderName,
      unread: 1,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.columns(['project_id', 'phone']).doUpdateSet({
        // Replies go through the account the user wrote to last: WhatsApp's 24-hour window belongs to
        // that business number. An older message to another number, applied late, does not move it.
        provider_id: sql`case when conversations.last_inbound_at is null or excluded.last_inbound_at >= conversations.last_inbound_at then excluded.provider_id else conversations.provider_id end`,
        profile_id: sql`coalesce(excluded.profile_id, conversations.profile_id)`,
        last_inbound_at: sql`case when conversations.last_inbound_at is null or excluded.last_inbound_at > conversations.last_inbound_at then excluded.last_inbound_at else conversations.last_inbound_at end`,
        last_outbound_at: sql`coalesce(excluded.last_outbound_at, conversations.last_outbound_at)`,
        // The newest activity decides what the Inbox list shows (an older message applied late does not).
        last_text: sql`case when excluded.updated_at >= conversations.updated_at then excluded.last_text else conversations.last_text end`,
        last_direction: sql`case when excluded.updated_at >= conversations.updated_at then excluded.last_direction else conversations.last_direction end`,
        // The campaign of the user's latest attributed message: an older one applied late (its
        // callback retried, or stuck behind others) does not take the context back to its campaign.
        last_campaign_id: sql`case when excluded.last_campaign_id is not null and (conversations.last_campaign_id is null or conversations.last_inbound_at is null or excluded.last_inbound_at >= conversations.last_inbound_at) then excluded.last_campaign_id else conversations.last_campaign_id end`,
        last_auto_reply_at: sql`coalesce(excluded.last_auto_reply_at, conversations.last_auto_reply_at)`,
        // The name from the sender's latest message that has one (a name changed in WhatsApp shows at once).
        sender_name: sql`case when excluded.sender_name is not null and (conversations.sender_name is null or conversations.last_inbound_at is null or excluded.last_inbound_at >= conversations.last_inbound_at) then excluded.sender_name else conversations.sender_name end`,
        unread: sql`conversations.unread + 1`,
        updated_at: sql`case when excluded.updated_at > conversations.updated_at then excluded.updated_at else conversations.updated_at end`,
      }),
    )
    .execute();
  ctx.effects.conversations.set(`${projectId}\n${phone}`, { projectId, phone });
}

/** A Gupshup self-serve user event (opted-in / opted-out): the same phone-level DND change. */
export async function applyUserPreference(db: Kysely<Database>, account: AccountInfo, phone: string, optedOut: boolean): Promise<boolean> {
  return changePhoneDnd(db, account.projectId, phone, optedOut, 'provider');
}

/** The newest message of `kind` queued to the phone in the last 24 hours (one range of `messages_phone`). */
function latestRecent(db: Kysely<Database>, projectId: string, phone: string, kind: MessageKind, now: number) {
  return db
    .selectFrom('messages')
    .select('payload')
    .where('project_id', '=', projectId)
    .where('phone', '=', phone)
    .where('created_at', '>=', now - SESSION_WINDOW_MS)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * A keyword that changes nothing (STOP from a phone already opted out: a second STOP, or an
 * opt-out made through the subscribe API) is still confirmed, unless this same confirmation went to
 * the phone in the last 24 hours: a user who never saw it would otherwise think the STOP was
 * ignored, and the 24-hour limit keeps a bot answering our confirmation with STOP from a loop.
 */
async function confirmedRecently(db: Kysely<Database>, projectId: string, phone: string, reply: string, now: number): Promise<boolean> {
  const last = await latestRecent(db, projectId, phone, 'keyword_reply', now);
  const payload = last ? readPayload(last.payload) : null;
  return payload?.type === 'text' && payload.text === reply;
}

/**
 * An agent answered this phone from the Inbox in the last 24 hours: the user is talking with a
 * person, and the account's automatic answer for unknown numbers would interrupt them.
 */
async function agentAnsweredRecently(db: Kysely<Database>, projectId: string, phone: string, now: number): Promise<boolean> {
  return (await latestRecent(db, projectId, phone, 'reply', now)) !== undefined;
}
