/**
 * Frequency cap: "skip a recipient who already received `messages` WhatsApp campaign messages from
 * this project in the last `days` days". Set per campaign (Delivery section), checked once per
 * recipient when publish creates the message rows; capped recipients get a `skipped` row with the
 * reason `frequency_cap`, counted under skipped → frequency cap.
 *
 * Counted: campaign messages of other campaigns of the project created in the window that went or
 * may still go out — queued, sending, sent, delivered, read, unknown (skipped, cancelled and failed
 * ones reached nobody). Two campaigns created at the same moment check against what the other has
 * materialised so far: the cap holds between campaigns one after another, not within a race.
 *
 * A campaign published with a send time (scheduled) is checked when each message is about to be
 * sent instead (the dispatcher, `sentRecentlyCounts`): at publish, the window would end days before
 * its messages go out, counting messages that will be out of it by then and missing those sent
 * meanwhile. Counted then: other campaigns' messages that went out (or are going out) with a send
 * time in the window.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Db } from '../storage/db.js';
import type { FieldProblem } from '../errors.js';

export interface FrequencyCap {
  /** At most this many messages per recipient… */
  messages: number;
  /** …in this many days (a rolling window ending at publish). */
  days: number;
}

export const FREQUENCY_CAP_LIMITS = { messages: { min: 1, max: 100 }, days: { min: 1, max: 90 } } as const;

/** A bound of the cap in a request body, refused with the words of checkFrequencyCap below. */
function capField(field: keyof typeof FREQUENCY_CAP_LIMITS) {
  const { min, max } = FREQUENCY_CAP_LIMITS[field];
  const message = `must be a whole number from ${min} to ${max}`;
  return z.number().int(message).min(min, message).max(max, message);
}

/** `frequencyCap` in a request body (a campaign, the audience estimate): its bounds are in the OpenAPI document. */
export const frequencyCapInput = z.strictObject({ messages: capField('messages'), days: capField('days') });

const COUNTED_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'read', 'unknown'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Validates `frequencyCap` of a campaign input; reports problems under `frequencyCap.*`. */
export function checkFrequencyCap(input: unknown, problems: FieldProblem[]): FrequencyCap | null {
  if (input === undefined || input === null) return null;
  if (typeof input !== 'object' || Array.isArray(input)) {
    problems.push({ path: 'frequencyCap', message: 'must be {"messages": N, "days": D} or null (no cap)' });
    return null;
  }
  const cap = input as Record<string, unknown>;
  let ok = true;
  for (const field of ['messages', 'days'] as const) {
    const value = cap[field];
    const { min, max } = FREQUENCY_CAP_LIMITS[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push({ path: `frequencyCap.${field}`, message: `must be a whole number from ${min} to ${max}` });
      ok = false;
    }
  }
  return ok ? { messages: cap.messages as number, days: cap.days as number } : null;
}

/** What a capped recipient's message row says. */
export function frequencyCapDetail(cap: FrequencyCap, received: number): string {
  const days = cap.days === 1 ? 'day' : `${cap.days} days`;
  return `already received ${received} message(s) in the last ${days} (frequency cap: ${cap.messages} per ${days})`;
}

/**
 * Messages each of `profileIds` received in the cap's window, from campaigns other than
 * `campaignId` (profiles with none are absent). One indexed range read per profile
 * (`messages_profile`: profile, created_at).
 */
export async function recentMessageCounts(db: Db, campaignId: string, profileIds: readonly string[], cap: FrequencyCap, now = Date.now()): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (profileIds.length === 0) return counts;
  const rows = await db.kysely
    .selectFrom('messages')
    .select(['profile_id', sql<number>`count(*)`.as('received')])
    .where('profile_id', 'in', [...profileIds])
    .where('created_at', '>=', now - cap.days * DAY_MS)
    .where('kind', '=', 'campaign')
    .where('campaign_id', '!=', campaignId)
    .where('status', 'in', [...COUNTED_STATUSES])
    .groupBy('profile_id')
    .execute();
  for (const row of rows) if (row.profile_id) counts.set(row.profile_id, Number(row.received));
  return counts;
}

/**
 * SQL: true when the profile row `alias` has already reached `cap` at `now`, so that publishing
 * now would skip it — the messages `recentMessageCounts` counts, without excluding a campaign (an
 * estimate is for a campaign not published yet, which has none). "At least `messages` of them" is
 * asked as "a row exists at position `messages`" (LIMIT 1 OFFSET messages−1): one range read of
 * `messages_profile` (profile_id, created_at) per profile that stops at the `messages`th counted
 * message, so a profile messaged daily costs at most `messages` rows, not its whole window. With
 * an OFFSET, PostgreSQL keeps the EXISTS a per-row probe (measured: ~15 % faster than counting a
 * LIMITed subquery; see docs/campaigns.md for the cost). The subquery names the profile's project
 * as well, so the count can never reach into another project.
 */
export function frequencyCapReachedSql(cap: FrequencyCap, now: number, alias = 'profiles'): RawBuilder<SqlBool> {
  const profile = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<SqlBool>`exists (select 1 from messages as capped
    where capped.profile_id = ${profile('id')} and capped.project_id = ${profile('project_id')}
      and capped.created_at >= ${now - cap.days * DAY_MS} and capped.kind = 'campaign'
      and capped.status in (${sql.join([...COUNTED_STATUSES])})
    limit 1 offset ${cap.messages - 1})`;
}

/** Whether a campaign's cap is checked as each message is sent rather than at publish: it was published with a send time. */
export function capCheckedAtSend(campaign: { send_at: number | null }): boolean {
  return campaign.send_at !== null;
}

/**
 * How far back a message's creation is looked for when counting by send time: a message sent in
 * the window may have been created (published) long before. Campaigns published more than this
 * before they sent are not counted; it bounds the read to one index range per profile.
 */
export const SEND_TIME_LOOKBACK_MS = 90 * DAY_MS;
const WENT_OUT_STATUSES = ['sending', 'sent', 'delivered', 'read', 'unknown'] as const;

/**
 * Campaign messages each of `profileIds` received from campaigns other than `campaignId` with a
 * send time in the cap's window ending `now` (unknown ones by when they went unknown): the check
 * of a scheduled campaign, when its messages are sent. One indexed range read per profile
 * (`messages_profile`: profile, created_at), bounded by SEND_TIME_LOOKBACK_MS. A profile's messages
 * are all its project's; naming the project too made SQLite read the project's messages by phone
 * instead (see messaging-limit.ts).
 *
 * Messages of other campaigns that are claimed but not sent yet (`sending`) count only when they
 * were claimed before ours (`claimedAt`; at the same millisecond, the campaign with the smaller
 * id is first). Two capped campaigns sending to one person at the same moment both claim, then
 * both check: counting every claimed message, each would see the other's and both would skip the
 * person, who then gets neither; counting none, both would send. With one order both agree on,
 * exactly the later one is held back.
 */
export async function sentRecentlyCounts(
  db: Db,
  campaignId: string,
  profileIds: readonly string[],
  cap: FrequencyCap,
  claimedAt: number,
  now = Date.now(),
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (profileIds.length === 0) return counts;
  const since = now - cap.days * DAY_MS;
  const rows = await db.kysely
    .selectFrom('messages')
    .select(['profile_id', sql<number>`count(*)`.as('received')])
    .where('profile_id', 'in', [...profileIds])
    .where('created_at', '>=', since - SEND_TIME_LOOKBACK_MS)
    .where('kind', '=', 'campaign')
    .where('campaign_id', '!=', campaignId)
    .where('status', 'in', [...WENT_OUT_STATUSES])
    .where(sql<boolean>`coalesce(sent_at, updated_at) >= ${since}`)
    .where((eb) =>
      eb.or([
        eb('status', '!=', 'sending'),
        eb('updated_at', '<', claimedAt),
        eb.and([eb('updated_at', '=', claimedAt), eb('campaign_id', '<', campaignId)]),
      ]),
    )
    .groupBy('profile_id')
    .execute();
  for (const row of rows) if (row.profile_id) counts.set(row.profile_id, Number(row.received));
  return counts;
}
