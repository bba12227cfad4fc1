/**
 * The Inbox: two-way conversations per phone. A conversation is created by the first inbound
 * message (see webhooks/inbound.ts); this module lists them, shows one (inbound and outbound
 * messages in time order, with delivery status and campaign context), queues agent replies and
 * marks conversations read. Every query is scoped to the project: another project's phone answers
 * 404 exactly like an unknown one.
 *
 * Replies follow WhatsApp's rule: free text (a session message, sent through the Gupshup two-way
 * account / Vonage) only within 24 hours of the user's last message; outside it, only an approved
 * template.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { MessageKind, MessageStatus } from '../storage/schema.js';
import { parseJson } from '../storage/json.js';
import { AppError, conflict, notFound, validationFailed, type FieldProblem } from '../errors.js';
import { invalidCursor } from '../cursors.js';
import { readPayload, type MessagePayload } from '../campaigns/message-payload.js';
import { getTemplateRow } from '../templates/templates.service.js';
import { fillPlaceholders, liquidInTypedValues } from '../templates/placeholders.js';
import { outboundUrlProblem } from '../net/outbound-url.js';
import { SESSION_WINDOW_MS } from '../webhooks/inbound.js';
import { queueDirectMessage } from './direct-messages.js';
import { mediaUrlRequired } from '../templates/attachments.js';
import { whatsappSpellings } from '../audience/phone-spellings.js';
import { caseSpellings, lowerText, profileNameKey, startsWithIgnoringCase } from '../storage/dialect.js';
import { whatsappUserIdOf } from '../providers/provider-phone.js';
import { pairedNumberOf } from '../webhooks/whatsapp-users.js';

export interface ConversationSummary {
  phone: string;
  providerId: string;
  profile: { id: string; identity: string; name: string | null } | null;
  /**
   * The WhatsApp profile name the sender set in their app, from their latest message that carried
   * one; null when none did. Chosen by the sender and unverified: plain text, render it as text,
   * never as HTML. The dashboard shows it next to the phone of senders without a profile.
   */
  senderName: string | null;
  lastText: string | null;
  lastDirection: 'in' | 'out' | null;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  unread: number;
  /** The campaign the latest attributed reply answers. */
  campaign: { id: string; name: string } | null;
  /** True while a session (free-text) reply is allowed: the user wrote within 24 hours. */
  windowOpen: boolean;
  /** When the 24-hour window closes (or closed); null when the user never wrote. */
  windowClosesAt: number | null;
  /**
   * Templates are refused: the phone has a phone-level DND (STOP, subscribe API) or its profile
   * has `MSG-dndWhatsApp` true. A free-text reply stays possible while the window is open.
   */
  optedOut: boolean;
  /**
   * Templates are refused: the conversation's profile has not opted in to WhatsApp (`MSG-whatsapp`
   * is not true; PRODUCT §1.4). False without a profile. A free-text reply stays possible while
   * the window is open.
   */
  notOptedIn: boolean;
  updatedAt: number;
}

/** Delivery ticks of an outbound message, as WhatsApp shows them. */
export type Ticks = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface ConversationMessage {
  id: string;
  direction: 'in' | 'out';
  /** Epoch ms: received (inbound), sent or else queued (outbound). */
  at: number;
  /** Plain text (render as text, never as HTML); null for media without caption. */
  text: string | null;
  messageType: string;
  /** Outbound: campaign, test, reply, auto_reply or keyword_reply. */
  kind: MessageKind | null;
  status: MessageStatus | null;
  ticks: Ticks | null;
  campaign: { id: string; name: string } | null;
  error: { category: string | null; code: string | null; detail: string | null } | null;
  sentAt: number | null;
  deliveredAt: number | null;
  readAt: number | null;
  failedAt: number | null;
  mediaUrl: string | null;
  /** Where a shared location is (inbound `location` messages whose payload has valid coordinates), else null. */
  location: SharedLocation | null;
}

export interface SharedLocation {
  /** Degrees, -90 to 90. */
  latitude: number;
  /** Degrees, -180 to 180. */
  longitude: number;
  /** Plain text, as the user's app sent it (a place's name and address), or null. */
  name: string | null;
  address: string | null;
}

export interface Conversation extends ConversationSummary {
  /** One page, oldest first. */
  messages: ConversationMessage[];
  /** Cursor of the next older page, or null. */
  nextCursor: string | null;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The `:phone` path parameter (E.164, URL-encoded `%2B…`; a missing `+` is tolerated), or the
 * WhatsApp user id of a sender known only by it (docs/callbacks.md, "Users known by WhatsApp user id").
 */
export function conversationPhone(value: string): string {
  const userId = whatsappUserIdOf(value);
  if (userId !== undefined) return userId;
  const compact = value.trim().replace(/[\s()-]/g, '');
  const phone = compact.startsWith('+') ? compact : `+${compact}`;
  if (!E164.test(phone)) {
    throw validationFailed([{ path: 'phone', message: 'must be an E.164 phone number (URL-encoded, e.g. %2B919876543210) or a WhatsApp user id (US.13491208655302741918)' }]);
  }
  return phone;
}

/**
 * The conversation a `:phone` path parameter names (conversationPhone). A user id paired with a
 * number since its conversation began names the number's conversation, which the id's joined
 * (whatsapp-users.ts): a dashboard or client still holding the id's address finds it there.
 */
export async function conversationKey(deps: Pick<AppDeps, 'db'>, projectId: string, value: string): Promise<string> {
  const key = conversationPhone(value);
  if (whatsappUserIdOf(key) === undefined) return key;
  const kept = await deps.db.kysely.selectFrom('conversations').select('phone').where('project_id', '=', projectId).where('phone', '=', key).executeTakeFirst();
  if (kept) return key;
  return (await pairedNumberOf(deps.db.kysely, projectId, key)) ?? key;
}

/** The conversation went away between the reply's checks and its write (its user id was paired meanwhile). */
class ConversationMoved extends Error {}

function windowOf(lastInboundAt: number | null, now: number) {
  const closesAt = lastInboundAt === null ? null : lastInboundAt + SESSION_WINDOW_MS;
  return { windowOpen: closesAt !== null && closesAt > now, windowClosesAt: closesAt };
}

function encodeCursor(parts: Array<string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeCursor(cursor: string, shape: Array<'string' | 'number'>): Array<string | number> {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // Numbers are epoch milliseconds: a fraction or 1e400 would reach the database (a bigint on PostgreSQL).
    const fits = (part: unknown, index: number) => (shape[index] === 'number' ? Number.isSafeInteger(part) : typeof part === 'string');
    if (Array.isArray(parts) && parts.length === shape.length && parts.every(fits)) return parts as Array<string | number>;
  } catch {
    // reported below
  }
  throw invalidCursor();
}

function summaryQuery(deps: Pick<AppDeps, 'db'>, projectId: string) {
  return deps.db.kysely
    .selectFrom('conversations as c')
    .leftJoin('profiles as p', (join) => join.onRef('p.id', '=', 'c.profile_id').onRef('p.project_id', '=', 'c.project_id'))
    .leftJoin('campaigns as k', (join) => join.onRef('k.id', '=', 'c.last_campaign_id').onRef('k.project_id', '=', 'c.project_id'))
    // A phone-level DND is stored for every WhatsApp spelling of the number: the exact phone is enough.
    .leftJoin('phone_dnd as d', (join) => join.onRef('d.project_id', '=', 'c.project_id').onRef('d.phone', '=', 'c.phone'))
    .select([
      'c.phone', 'c.provider_id', 'c.profile_id', 'c.sender_name', 'c.last_text', 'c.last_direction', 'c.last_inbound_at', 'c.last_outbound_at', 'c.unread',
      'c.updated_at', 'p.identity', 'p.properties', 'p.msg_whatsapp', 'p.dnd_whatsapp', 'k.id as campaign_id', 'k.name as campaign_name', 'd.dnd as phone_dnd',
    ])
    .where('c.project_id', '=', projectId);
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryQuery>['executeTakeFirstOrThrow']>>;
type ConversationProfile = NonNullable<ConversationSummary['profile']>;
/** A profile found by phone, with its `MSG-whatsapp` and `MSG-dndWhatsApp`. */
interface LaterProfile {
  profile: ConversationProfile;
  optedIn: boolean;
  dnd: boolean;
}

function profileOf(id: string, identity: string, properties: unknown): ConversationProfile {
  const name = parseJson<Record<string, unknown>>(properties, {}).Name;
  return { id, identity, name: typeof name === 'string' ? name : null };
}

/**
 * Profiles of the conversations stored without one (or whose profile was deleted): the sender had
 * no profile when they wrote, and one with their phone may have been imported since. Found as the
 * inbound path finds them — either WhatsApp spelling of the number, most recently updated first —
 * with one query per page.
 */
async function laterProfiles(deps: Pick<AppDeps, 'db'>, projectId: string, rows: SummaryRow[]): Promise<Map<string, LaterProfile>> {
  const found = new Map<string, LaterProfile>();
  const missing = rows.filter((row) => !(row.profile_id && row.identity));
  if (missing.length === 0) return found;
  const spellings = new Map(missing.map((row) => [row.phone, whatsappSpellings(row.phone)]));
  const profiles = await deps.db.kysely
    .selectFrom('profiles')
    .select(['id', 'identity', 'phone', 'properties', 'msg_whatsapp', 'dnd_whatsapp'])
    .where('project_id', '=', projectId)
    .where('phone', 'in', [...new Set([...spellings.values()].flat())])
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const [phone, phones] of spellings) {
    const profile = profiles.find((candidate) => candidate.phone !== null && phones.includes(candidate.phone));
    if (profile) found.set(phone, { profile: profileOf(profile.id, profile.identity, profile.properties), optedIn: profile.msg_whatsapp === 1, dnd: profile.dnd_whatsapp === 1 });
  }
  return found;
}

/** Why templates are refused to this conversation, if they are (see ConversationSummary.optedOut). */
function optOutOf(row: SummaryRow, laterProfile?: LaterProfile): 'phone_dnd' | 'profile_dnd' | null {
  if (row.phone_dnd === 1) return 'phone_dnd';
  const profileDnd = row.profile_id && row.identity ? row.dnd_whatsapp === 1 : laterProfile?.dnd === true;
  return profileDnd ? 'profile_dnd' : null;
}

/**
 * The conversation's profile has not opted in to WhatsApp (`MSG-whatsapp` not true): PRODUCT §1.4
 * allows messaging a profile only when it is true, so templates are refused. A sender with no
 * profile is not judged here (no profile, no MSG-whatsapp to read).
 */
function notOptedIn(row: SummaryRow, laterProfile?: LaterProfile): boolean {
  if (row.profile_id && row.identity) return row.msg_whatsapp !== 1;
  return laterProfile !== undefined && !laterProfile.optedIn;
}

function toSummary(row: SummaryRow, now: number, laterProfile?: LaterProfile): ConversationSummary {
  return {
    phone: row.phone,
    providerId: row.provider_id,
    profile: row.profile_id && row.identity ? profileOf(row.profile_id, row.identity, row.properties) : (laterProfile?.profile ?? null),
    senderName: row.sender_name ?? null,
    lastText: row.last_text,
    lastDirection: row.last_direction ?? null,
    lastInboundAt: row.last_inbound_at,
    lastOutboundAt: row.last_outbound_at,
    unread: row.unread,
    campaign: row.campaign_id && row.campaign_name ? { id: row.campaign_id, name: row.campaign_name } : null,
    ...windowOf(row.last_inbound_at, now),
    optedOut: optOutOf(row, laterProfile) !== null,
    notOptedIn: notOptedIn(row, laterProfile),
    updatedAt: row.updated_at,
  };
}

/** The longest search text accepted: names and phone numbers are far shorter. */
export const MAX_SEARCH_LENGTH = 100;

/** Which conversations the Inbox list shows: every filter given must hold. */
export interface ConversationFilters {
  /** Digits contained in the phone number (the older, digits-only search). */
  phone?: string | undefined;
  /**
   * A search: digits contained in the phone number (when `q` is a phone number: digits, spaces,
   * `+`, `-`, `(`, `)`, `.`), or the start of any word of the profile's Name or of the sender's
   * WhatsApp name (case ignored as the database's `lower()` ignores it: ASCII letters on SQLite,
   * all letters on PostgreSQL).
   */
  q?: string | undefined;
  /** Only conversations with unread messages. */
  unread?: boolean | undefined;
  /** Only conversations whose 24-hour window is open (a free-text reply is possible) or closed. */
  window?: 'open' | 'closed' | undefined;
  /** Only conversations whose latest reply attributed to a campaign answers this one. */
  campaignId?: string | undefined;
}

/**
 * The search condition of `q` (see ConversationFilters.q). A name that starts with `q` is found
 * first, as the Audience search finds it: the profile's Name through the `profiles_name_search`
 * index (one range per search, whatever the number of profiles), the sender's name on the
 * conversation row itself. A later word of a name is checked on each conversation the walk reads.
 * The phone is matched by contained digits over the project's conversations (their primary key
 * holds it). Costs: docs/callbacks.md, decision 0009.
 */
function searchCondition(deps: Pick<AppDeps, 'db'>, projectId: string, q: string): RawBuilder<SqlBool> {
  const { dialect } = deps.db;
  const text = q.trim().replace(/\s+/g, ' ');
  const terms: RawBuilder<SqlBool>[] = [];
  const digits = text.replace(/[\s\-().+]/g, '');
  if (/^\d+$/.test(digits)) terms.push(sql<SqlBool>`${sql.ref('c.phone')} like ${`%${digits}%`}`);
  // Names are lower-cased by the database, the text with them (startsWithIgnoringCase), in each
  // casing a name may be stored in (caseSpellings: SQLite folds ASCII letters only).
  const spellings = caseSpellings(text);
  const anySpelling = (condition: (spelling: string) => RawBuilder<SqlBool>) => sql<SqlBool>`(${sql.join(spellings.map(condition), sql` or `)})`;
  terms.push(...spellings.map((spelling) => startsWithIgnoringCase(dialect, sql`lower(${sql.ref('c.sender_name')})`, spelling)));
  const named = (column: 'id' | 'phone') =>
    sql`select ${sql.ref(`n.${column}`)} from ${sql.table('profiles')} as n where ${sql.ref('n.project_id')} = ${projectId} and ${anySpelling((spelling) => startsWithIgnoringCase(dialect, profileNameKey(dialect, 'n'), spelling))}`;
  // The conversation's profile, or a profile with its phone imported since the sender wrote (the one the list shows).
  terms.push(sql<SqlBool>`${sql.ref('c.profile_id')} in (${named('id')})`);
  terms.push(sql<SqlBool>`${sql.ref('c.phone')} in (${named('phone')})`);
  // A later word of either name ("patel" finds "Asha Patel"): no index can serve it, so it is
  // checked on the conversations the walk reads, after the cheaper terms above — the sender name
  // on the row, the profile Name on the profile the list joins anyway (`p`), and only for a
  // conversation without one, on the profile found by its phone (one indexed lookup).
  const hasWord = (expression: RawBuilder<unknown>) =>
    anySpelling((spelling) => {
      const word = sql`' ' || ${lowerText(dialect, spelling)}`;
      return dialect === 'postgres' ? sql<SqlBool>`strpos(' ' || ${expression}, ${word}) > 0` : sql<SqlBool>`instr(' ' || ${expression}, ${word}) > 0`;
    });
  terms.push(hasWord(sql`lower(${sql.ref('c.sender_name')})`));
  terms.push(hasWord(profileNameKey(dialect, 'p')));
  terms.push(
    sql<SqlBool>`(${sql.ref('p.id')} is null and exists (select 1 from ${sql.table('profiles')} as w where ${sql.ref('w.project_id')} = ${projectId} and ${sql.ref('w.phone')} = ${sql.ref('c.phone')} and ${hasWord(profileNameKey(dialect, 'w'))}))`,
  );
  return sql<SqlBool>`(${sql.join(terms, sql` or `)})`;
}

/**
 * The query of one page of the list (`limit` + 1 rows, to know whether more follow): conversations,
 * most recent activity first, that pass every filter given. Exported for the query-plan tests.
 */
export function conversationListQuery(
  deps: Pick<AppDeps, 'db'>,
  projectId: string,
  options: ConversationFilters & { cursor?: string | undefined; limit: number },
  now: number,
) {
  let query = summaryQuery(deps, projectId);
  if (options.phone !== undefined) {
    const digits = options.phone.replace(/\D/g, '');
    if (!digits) throw validationFailed([{ path: 'phone', message: 'must contain digits of the phone number to find' }]);
    query = query.where('c.phone', 'like', `%${digits}%`);
  }
  const q = options.q?.trim() ?? '';
  if (q !== '') query = query.where(searchCondition(deps, projectId, q));
  if (options.unread) query = query.where('c.unread', '>', 0);
  if (options.window === 'open') query = query.where('c.last_inbound_at', '>', now - SESSION_WINDOW_MS);
  if (options.window === 'closed') query = query.where((eb) => eb.or([eb('c.last_inbound_at', 'is', null), eb('c.last_inbound_at', '<=', now - SESSION_WINDOW_MS)]));
  if (options.campaignId !== undefined) query = query.where('c.last_campaign_id', '=', options.campaignId);
  if (options.cursor !== undefined) {
    const [updatedAt, phone] = decodeCursor(options.cursor, ['number', 'string']) as [number, string];
    query = query.where((eb) => eb.or([eb('c.updated_at', '<', updatedAt), eb.and([eb('c.updated_at', '=', updatedAt), eb('c.phone', '<', phone)])]));
  }
  return query.orderBy('c.updated_at', 'desc').orderBy('c.phone', 'desc').limit(options.limit + 1);
}

/** Conversations, most recent activity first, that pass every filter given (ConversationFilters). */
export async function listConversations(
  deps: Pick<AppDeps, 'db'>,
  projectId: string,
  options: ConversationFilters & { cursor?: string | undefined; limit: number },
  now = Date.now(),
): Promise<{ items: ConversationSummary[]; nextCursor: string | null }> {
  const rows = await conversationListQuery(deps, projectId, options, now).execute();
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  const profiles = await laterProfiles(deps, projectId, page);
  return {
    items: page.map((row) => toSummary(row, now, profiles.get(row.phone))),
    nextCursor: rows.length > options.limit && last ? encodeCursor([last.updated_at, last.phone]) : null,
  };
}

/** The unread count's query (see countUnreadConversations). */
export function unreadCountQuery(deps: Pick<AppDeps, 'db'>, projectId: string) {
  return deps.db.kysely
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('project_id', '=', projectId)
    .where('unread', '>', 0);
}

/**
 * How many conversations of the project have unread messages: one count over the
 * `conversations_unread` partial index (migration 0013), which holds only those conversations.
 */
export async function countUnreadConversations(deps: Pick<AppDeps, 'db'>, projectId: string): Promise<number> {
  const row = await unreadCountQuery(deps, projectId).executeTakeFirstOrThrow();
  return Number(row.count);
}

async function summaryOf(deps: Pick<AppDeps, 'db'>, projectId: string, phone: string, now: number): Promise<ConversationSummary> {
  const row = await summaryQuery(deps, projectId).where('c.phone', '=', phone).executeTakeFirst();
  if (!row) throw notFound('Conversation', phone);
  return toSummary(row, now, (await laterProfiles(deps, projectId, [row])).get(phone));
}

function ticksOf(status: MessageStatus): Ticks | null {
  switch (status) {
    case 'queued':
    case 'sending':
    case 'unknown':
      return 'pending';
    case 'sent':
    case 'delivered':
    case 'read':
    case 'failed':
      return status;
    default:
      return null;
  }
}

/**
 * A media URL of an inbound message, where the provider's payload has one and it is http(s): the
 * dashboard makes it a link, and a `javascript:` or `data:` URL in a callback must not become one.
 */
function inboundMediaUrl(payload: unknown): string | null {
  const url = payloadMediaUrl(payload);
  return url !== null && /^https?:\/\//i.test(url.trim()) ? url : null;
}

function payloadMediaUrl(payload: unknown): string | null {
  const record = parseJson<Record<string, unknown> | null>(payload, null);
  if (!record || typeof record !== 'object') return null;
  if (typeof record.mediaUrl === 'string') return record.mediaUrl;
  const inner = record.payload;
  if (inner && typeof inner === 'object' && typeof (inner as Record<string, unknown>).url === 'string') return (inner as Record<string, string>).url!;
  for (const key of ['image', 'video', 'audio', 'file', 'sticker']) {
    const media = record[key];
    if (media && typeof media === 'object' && typeof (media as Record<string, unknown>).url === 'string') return (media as Record<string, string>).url!;
  }
  return null;
}

/** Longer names or addresses than this in a location are cut: they are labels, not messages. */
const MAX_PLACE_TEXT = 300;

function coordinate(value: unknown, limit: number): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(number) && Math.abs(number) <= limit ? number : null;
}

function placeText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, MAX_PLACE_TEXT) : null;
}

/**
 * The coordinates of an inbound location, wherever the provider puts them: Gupshup Enterprise
 * `location` (a JSON object, or the string the gateway sent when it was not one), Gupshup
 * self-serve `payload` ({latitude, longitude}), Vonage `location` ({lat, long}); name and address
 * when given. Null without two coordinates in range: the dashboard builds a map link from them.
 */
function inboundLocation(payload: unknown): SharedLocation | null {
  const record = parseJson<Record<string, unknown> | null>(payload, null);
  if (!record || typeof record !== 'object') return null;
  for (const candidate of [record.location, record.payload]) {
    const place = typeof candidate === 'string' ? parseJson<unknown>(candidate, null) : candidate;
    if (!place || typeof place !== 'object') continue;
    const fields = place as Record<string, unknown>;
    const latitude = coordinate(fields.latitude ?? fields.lat, 90);
    const longitude = coordinate(fields.longitude ?? fields.long ?? fields.lng, 180);
    if (latitude !== null && longitude !== null) return { latitude, longitude, name: placeText(fields.name), address: placeText(fields.address) };
  }
  return null;
}

function outboundText(payload: MessagePayload | null): { text: string | null; mediaUrl: string | null } {
  if (!payload) return { text: null, mediaUrl: null };
  if (payload.type === 'text') return { text: payload.text, mediaUrl: null };
  return { text: payload.body, mediaUrl: payload.mediaUrl ?? null };
}

/** One conversation with a page of its messages (the latest `limit`, or older ones with `cursor`). */
export async function getConversation(
  deps: Pick<AppDeps, 'db'>,
  projectId: string,
  phone: string,
  options: { cursor?: string | undefined; limit: number },
  now = Date.now(),
): Promise<Conversation> {
  const summary = await summaryOf(deps, projectId, phone, now);
  const before = options.cursor !== undefined ? (decodeCursor(options.cursor, ['number', 'string']) as [number, string]) : null;
  const { kysely } = deps.db;

  let inbound = kysely
    .selectFrom('inbound_messages')
    .select(['id', 'received_at', 'text', 'message_type', 'payload', 'campaign_id'])
    .where('project_id', '=', projectId)
    .where('phone', '=', phone);
  if (before) inbound = inbound.where((eb) => eb.or([eb('received_at', '<', before[0]), eb.and([eb('received_at', '=', before[0]), eb('id', '<', before[1])])]));
  const inboundRows = await inbound.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(options.limit + 1).execute();

  const at = sql<number>`coalesce(sent_at, created_at)`;
  let outbound = kysely
    .selectFrom('messages')
    .select([
      'id', at.as('at'), 'kind', 'status', 'payload', 'campaign_id', 'error_category', 'error_code', 'error_detail', 'sent_at', 'delivered_at', 'read_at', 'failed_at',
    ])
    .where('project_id', '=', projectId)
    .where('phone', '=', phone)
    .where('status', 'not in', ['skipped', 'cancelled'])
    // A campaign's message joins the conversation when it is sent: queued, it may be due in days (a
    // scheduled campaign, DND hours) or be cancelled, and "pending" between real messages would
    // read as already on its way. An agent's own reply shows pending at once.
    .where((eb) => eb.not(eb.and([eb('kind', '=', 'campaign'), eb('status', '=', 'queued')])));
  if (before) outbound = outbound.where((eb) => eb.or([eb(at, '<', before[0]), eb.and([eb(at, '=', before[0]), eb('id', '<', before[1])])]));
  const outboundRows = await outbound.orderBy(at, 'desc').orderBy('id', 'desc').limit(options.limit + 1).execute();

  const campaignIds = [...new Set([...inboundRows, ...outboundRows].map((row) => row.campaign_id).filter((id): id is string => id !== null))];
  const campaigns = new Map<string, string>();
  if (campaignIds.length > 0) {
    const rows = await kysely.selectFrom('campaigns').select(['id', 'name']).where('project_id', '=', projectId).where('id', 'in', campaignIds).execute();
    for (const row of rows) campaigns.set(row.id, row.name);
  }
  const campaignOf = (id: string | null) => (id && campaigns.has(id) ? { id, name: campaigns.get(id)! } : null);

  const items: ConversationMessage[] = [
    ...inboundRows.map((row) => ({
      id: row.id,
      direction: 'in' as const,
      at: row.received_at,
      text: row.text,
      messageType: row.message_type,
      kind: null,
      status: null,
      ticks: null,
      campaign: campaignOf(row.campaign_id),
      error: null,
      sentAt: null,
      deliveredAt: null,
      readAt: null,
      failedAt: null,
      mediaUrl: inboundMediaUrl(row.payload),
      location: row.message_type === 'location' ? inboundLocation(row.payload) : null,
    })),
    ...outboundRows.map((row) => {
      const payload = readPayload(row.payload);
      const content = outboundText(payload);
      return {
        id: row.id,
        direction: 'out' as const,
        at: Number(row.at),
        text: content.text,
        messageType: payload?.type === 'template' ? 'template' : 'text',
        kind: row.kind,
        status: row.status,
        ticks: ticksOf(row.status),
        campaign: campaignOf(row.campaign_id),
        error: row.status === 'failed' || row.status === 'unknown' ? { category: row.error_category, code: row.error_code, detail: row.error_detail } : null,
        sentAt: row.sent_at,
        deliveredAt: row.delivered_at,
        readAt: row.read_at,
        failedAt: row.failed_at,
        mediaUrl: content.mediaUrl,
        location: null,
      };
    }),
  ];
  items.sort((a, b) => b.at - a.at || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0));
  const page = items.slice(0, options.limit);
  const oldest = page[page.length - 1];
  return {
    ...summary,
    messages: page.reverse(),
    nextCursor: items.length > options.limit && oldest ? encodeCursor([oldest.at, oldest.id]) : null,
  };
}

export interface ReplyInput {
  text?: string | undefined;
  templateId?: string | undefined;
  params?: string[] | undefined;
  mediaUrl?: string | undefined;
}

/** WhatsApp's limit for a text message body. */
export const MAX_REPLY_TEXT = 4096;

/**
 * Queues an agent's reply through the conversation's provider account (priority 0: before
 * campaigns). Text → a session message, only inside the 24-hour window (else 409 window_closed);
 * a template (`templateId`, `params`) → any time, unless the phone opted out (phone-level DND:
 * 409 phone_opted_out), its profile has `MSG-dndWhatsApp` true (409 profile_dnd) or its profile
 * has not opted in to WhatsApp (`MSG-whatsapp` not true: 409 profile_not_opted_in).
 */
export async function replyToConversation(deps: AppDeps, projectId: string, phone: string, input: ReplyInput, now = Date.now()): Promise<ConversationMessage> {
  const problems: FieldProblem[] = [];
  const hasText = input.text !== undefined;
  const hasTemplate = input.templateId !== undefined;
  if (hasText === hasTemplate) {
    throw validationFailed([{ path: hasText ? 'templateId' : 'text', message: 'send either text (a session message) or templateId with params (a template), not both or neither' }]);
  }
  const conversation = await deps.db.kysely
    .selectFrom('conversations')
    .select(['provider_id', 'profile_id', 'last_inbound_at'])
    .where('project_id', '=', projectId)
    .where('phone', '=', phone)
    .executeTakeFirst();
  if (!conversation) throw notFound('Conversation', phone);
  const provider = await deps.db.kysely
    .selectFrom('provider_accounts')
    .select(['id', 'deleted_at'])
    .where('id', '=', conversation.provider_id)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  if (!provider || provider.deleted_at !== null) {
    throw conflict('provider_deleted', 'The provider account this conversation came through was deleted: replies cannot be sent from it.');
  }

  // The sender's profile: the conversation's, or one imported with their phone since they wrote,
  // as the Inbox shows it — so the reply is in that profile's messages too.
  const row = await summaryQuery(deps, projectId).where('c.phone', '=', phone).executeTakeFirstOrThrow();
  const laterProfile = (await laterProfiles(deps, projectId, [row])).get(phone);
  const profileId = row.profile_id && row.identity ? row.profile_id : (laterProfile?.profile.id ?? null);

  let payload: MessagePayload;
  if (hasText) {
    const text = input.text!.trim();
    if (!text) problems.push({ path: 'text', message: 'must not be empty' });
    if (text.length > MAX_REPLY_TEXT) problems.push({ path: 'text', message: `must be at most ${MAX_REPLY_TEXT} characters` });
    if (problems.length > 0) throw validationFailed(problems);
    const { windowOpen, windowClosesAt } = windowOf(conversation.last_inbound_at, now);
    if (!windowOpen) {
      throw conflict(
        'window_closed',
        windowClosesAt === null
          ? 'This user has not written yet: a free-text reply is only allowed within 24 hours of their last message. Send a template instead (templateId and params).'
          : `The 24-hour window closed at ${new Date(windowClosesAt).toISOString()}: a free-text reply is only allowed within 24 hours of the user's last message. Send a template instead (templateId and params).`,
        { windowClosesAt, lastInboundAt: conversation.last_inbound_at },
      );
    }
    payload = { type: 'text', text };
  } else {
    const template = await getTemplateRow(deps, projectId, input.templateId!).catch((error: unknown) => {
      if (error instanceof AppError && error.status === 404) return null;
      throw error;
    });
    const params = input.params ?? [];
    if (!template) problems.push({ path: 'templateId', message: 'is not a template of this project' });
    else {
      if (template.provider_id !== conversation.provider_id) problems.push({ path: 'templateId', message: "belongs to another provider account than this conversation's" });
      if (params.length !== template.placeholder_count) {
        problems.push({ path: 'params', message: `the template has ${template.placeholder_count} placeholder(s) but ${params.length} value(s) were given` });
      }
      if (template.attachment_type !== 'none' && !input.mediaUrl) problems.push({ path: 'mediaUrl', message: mediaUrlRequired(template.attachment_type) });
    }
    params.forEach((value, index) => {
      if (value.trim() === '') problems.push({ path: `params.${index}`, message: 'must not be empty' });
    });
    problems.push(...liquidInTypedValues(params));
    if (input.mediaUrl) {
      const problem = await outboundUrlProblem(input.mediaUrl, deps.config.allowPrivateUrls);
      if (problem) problems.push({ path: 'mediaUrl', message: problem });
    }
    if (problems.length > 0 || !template) throw validationFailed(problems);
    // A template is a business-initiated message: refused to a user who asked for none, as campaigns are.
    const optOut = optOutOf(row, laterProfile);
    if (optOut === 'phone_dnd') {
      throw conflict('phone_opted_out', 'This phone number opted out (phone-level DND): templates are not sent to it. A free-text reply is still possible while the 24-hour window is open.');
    }
    if (optOut === 'profile_dnd') {
      const identity = row.identity ?? laterProfile?.profile.identity ?? '';
      throw conflict(
        'profile_dnd',
        `The profile ${identity} has MSG-dndWhatsApp true: templates are not sent to it. A free-text reply is still possible while the 24-hour window is open.`,
      );
    }
    if (notOptedIn(row, laterProfile)) {
      const identity = row.identity ?? laterProfile?.profile.identity ?? '';
      throw conflict(
        'profile_not_opted_in',
        `The profile ${identity} has not opted in to WhatsApp (MSG-whatsapp is not true): templates are only sent to users who opted in. Once the user has agreed to receive WhatsApp messages, set MSG-whatsapp to true on the profile (upload API or CSV import), then send the template. A free-text reply is still possible while the 24-hour window is open.`,
      );
    }
    payload = { type: 'template', templateId: template.id, params, body: fillPlaceholders(template.body, params), ...(input.mediaUrl ? { mediaUrl: input.mediaUrl } : {}) };
  }

  let id: string;
  try {
    id = await deps.db.kysely.transaction().execute(async (trx) => {
      // The conversation row first: on PostgreSQL it waits here for an applier pass pairing this
      // user id, which moves the conversation and its messages to the number — a message queued
      // under the id after that would be left out of both conversations.
      const updated = await trx
        .updateTable('conversations')
        .set({
          last_outbound_at: now,
          last_text: payload.type === 'text' ? payload.text : payload.body,
          last_direction: 'out',
          updated_at: sql<number>`case when updated_at > ${now} then updated_at else ${now} end`,
        })
        .where('project_id', '=', projectId)
        .where('phone', '=', phone)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) throw new ConversationMoved();
      return queueDirectMessage(trx, { projectId, providerId: conversation.provider_id, phone, profileId, kind: 'reply', payload }, now);
    });
  } catch (error) {
    if (!(error instanceof ConversationMoved)) throw error;
    // Paired meanwhile: the reply goes to the number's conversation, checked again from the start.
    const number = whatsappUserIdOf(phone) === undefined ? null : await pairedNumberOf(deps.db.kysely, projectId, phone);
    if (number === null) throw notFound('Conversation', phone);
    return replyToConversation(deps, projectId, number, input, now);
  }
  deps.bus.emit('messages-queued', conversation.provider_id);
  deps.bus.emit('conversation-changed', projectId, phone);
  const content = outboundText(payload);
  return {
    id,
    direction: 'out',
    at: now,
    text: content.text,
    messageType: payload.type === 'template' ? 'template' : 'text',
    kind: 'reply',
    status: 'queued',
    ticks: 'pending',
    campaign: null,
    error: null,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    failedAt: null,
    mediaUrl: content.mediaUrl,
    location: null,
  };
}

/** Marks a conversation read (unread = 0). */
export function markConversationRead(deps: Pick<AppDeps, 'db' | 'bus'>, projectId: string, phone: string, now = Date.now()): Promise<ConversationSummary> {
  return setUnread(deps, projectId, phone, sql<number>`0`, now);
}

/**
 * Marks a conversation unread again, so that it is left for later or for a colleague: its unread
 * count becomes 1 unless it already has unread messages (their count is kept). Other dashboards
 * learn of it through the Inbox event stream.
 */
export function markConversationUnread(deps: Pick<AppDeps, 'db' | 'bus'>, projectId: string, phone: string, now = Date.now()): Promise<ConversationSummary> {
  return setUnread(deps, projectId, phone, sql<number>`case when unread > 0 then unread else 1 end`, now);
}

/** Sets a conversation's unread count (404 when the project has no such conversation), answers it and tells the Inbox streams. */
async function setUnread(deps: Pick<AppDeps, 'db' | 'bus'>, projectId: string, phone: string, unread: RawBuilder<number>, now: number): Promise<ConversationSummary> {
  const result = await deps.db.kysely.updateTable('conversations').set({ unread }).where('project_id', '=', projectId).where('phone', '=', phone).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw notFound('Conversation', phone);
  const summary = await summaryOf(deps, projectId, phone, now);
  deps.bus.emit('conversation-changed', projectId, phone);
  return summary;
}
