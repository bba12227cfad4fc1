/**
 * WhatsApp's daily messaging limit: a business number may start conversations with at most so many
 * unique users in a rolling 24 hours (its tier: 250 → 1,000 → 10,000 → 100,000 → unlimited). Beyond
 * it the provider fails the extra template messages after they were accepted. wacast does not know
 * the tier (providers do not report it): the account's owner sets it (`dailyRecipientLimit`), and
 * wacast shows the usage and warns — never refuses — when a campaign's audience is larger than what
 * is left. The tier set may be out of date (WhatsApp raises it by itself), hence no enforcement.
 *
 * Usage: distinct phones the account sent a campaign message to in the last 24 hours — messages
 * with a send time (`sent_at`) in the window that are sent, delivered or read, and `unknown` ones
 * (may have arrived) that went unknown in the window. Failed messages opened no conversation (the
 * ones WhatsApp fails over the limit included) and are not counted; replies, auto-replies and
 * keyword replies are session messages inside a conversation the user opened, and test messages go
 * to a team's own phones: neither counts (`kind = 'campaign'` only).
 */
import { sql } from 'kysely';
import type { Db } from '../storage/db.js';
import type { FieldProblem } from '../errors.js';

/** The tiers a number can be on, below unlimited. */
export const DAILY_RECIPIENT_LIMITS = [250, 1000, 10_000, 100_000] as const;
export type DailyRecipientLimit = (typeof DAILY_RECIPIENT_LIMITS)[number];

/** What is said of any other value of `dailyRecipientLimit`. */
export const DAILY_RECIPIENT_LIMIT_PROBLEM =
  "must be one of 250, 1000, 10000 or 100000 (unique users per 24 hours, the number's WhatsApp messaging limit tier), or null for unlimited / not set";

export const LIMIT_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * A campaign may still get a send time a little after it ended (messages in flight when it was
 * stopped); campaigns that ended up to this long before the window are read too.
 */
const ENDED_SLACK_MS = 60 * 60 * 1000;

const COUNTED_STATUSES = ['sent', 'delivered', 'read', 'unknown'] as const;

export interface MessagingLimit {
  limit: DailyRecipientLimit;
  usedLast24h: number;
  /** limit − usedLast24h, never below 0. */
  remaining: number;
}

/** What is wrong with a `dailyRecipientLimit` of an account input, or null (undefined: not given). */
export function dailyRecipientLimitProblem(value: unknown): FieldProblem | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && (DAILY_RECIPIENT_LIMITS as readonly number[]).includes(value)) return null;
  return { path: 'dailyRecipientLimit', message: DAILY_RECIPIENT_LIMIT_PROBLEM };
}

/** Reads a stored limit: anything other than a tier is "not set". */
export function asDailyRecipientLimit(value: number | null | undefined): DailyRecipientLimit | null {
  return value !== null && value !== undefined && (DAILY_RECIPIENT_LIMITS as readonly number[]).includes(Number(value)) ? (Number(value) as DailyRecipientLimit) : null;
}

/**
 * Distinct phones the account sent a campaign message to in the 24 hours before `now` (rules
 * above). Read through the account's campaigns that may have sent in the window (started, and not
 * ended before it) and, per campaign, the `messages_campaign_status` (campaign_id, status, id)
 * index for the counted statuses: the cost is the messages of campaigns that sent in the last
 * day, never the whole table, and no index is added to the send path.
 *
 * The project and the account are named on the campaigns (a campaign's messages are its
 * project's and its account's), not again on the messages: with `messages.project_id = ?` SQLite
 * chose `messages_phone` (project_id, phone, created_at) to read distinct phones in order — every
 * message of the project, 190 ms instead of 3 ms on 500,000 rows — and with `campaign_id IN
 * (subquery)` it scanned the whole table when the account had few campaigns. The plan is checked
 * on both engines by test/campaigns/messaging-limit-plan.test.ts.
 */
export async function usedLast24h(db: Db, projectId: string, providerId: string, now = Date.now()): Promise<number> {
  const row = await usedLast24hQuery(db, projectId, providerId, now).executeTakeFirst();
  return Number(row?.used ?? 0);
}

/** The query of `usedLast24h` (exported for its query-plan test). */
export function usedLast24hQuery(db: Db, projectId: string, providerId: string, now: number) {
  const since = now - LIMIT_WINDOW_MS;
  // CROSS JOIN: SQLite then keeps campaigns as the outer loop (its documented way to fix the join
  // order); PostgreSQL plans it as any inner join.
  return db.kysely
    .selectFrom('campaigns')
    .crossJoin('messages')
    .select(sql<number | string>`count(distinct messages.phone)`.as('used'))
    .where('campaigns.project_id', '=', projectId)
    .where('campaigns.provider_id', '=', providerId)
    .where('campaigns.started_at', 'is not', null)
    .where((eb) => eb.or([eb('campaigns.completed_at', 'is', null), eb('campaigns.completed_at', '>=', since - ENDED_SLACK_MS)]))
    .whereRef('messages.campaign_id', '=', 'campaigns.id')
    .where('messages.status', 'in', [...COUNTED_STATUSES])
    .where('messages.kind', '=', 'campaign')
    .where(sql<boolean>`coalesce(messages.sent_at, messages.updated_at) >= ${since}`);
}

/** The account's limit with its usage now, or null when no limit is set. */
export async function messagingLimitOf(db: Db, projectId: string, account: { id: string; daily_recipient_limit: number | null }, now = Date.now()): Promise<MessagingLimit | null> {
  const limit = asDailyRecipientLimit(account.daily_recipient_limit);
  if (limit === null) return null;
  const used = await usedLast24h(db, projectId, account.id, now);
  return { limit, usedLast24h: used, remaining: Math.max(0, limit - used) };
}

export interface LimitFacts {
  /** Recipients the campaign would message (reachable, less those a frequency cap skips). */
  audience: number;
  limit: number;
  usedLast24h: number;
}

/** Whether an audience is more than what the account has left. */
export function exceedsLimit(facts: LimitFacts): boolean {
  return facts.audience > Math.max(0, facts.limit - facts.usedLast24h);
}

const n = (value: number) => value.toLocaleString('en-US');

/** The warning's words, or null when the audience fits in what is left. */
export function messagingLimitMessage(facts: LimitFacts, when: 'now' | 'at_publish' = 'now'): string | null {
  if (!exceedsLimit(facts)) return null;
  const remaining = Math.max(0, facts.limit - facts.usedLast24h);
  const verb = when === 'now' ? 'is' : 'was, when published,';
  const fail = Math.max(0, facts.audience - remaining);
  return (
    `This audience of ${n(facts.audience)} ${verb} more than the ${n(facts.limit)} unique users this number may message in 24 hours (${n(remaining)} left); ` +
    `WhatsApp will fail the rest (about ${n(fail)} ${fail === 1 ? 'message' : 'messages'}). Send to a smaller audience, spread it over several days, or ` +
    "update the account's daily messaging limit if WhatsApp raised its tier. Recipients already messaged in the last 24 hours count once, so fewer may fail."
  );
}
