/**
 * Reading profiles for the API and the dashboard: one profile with its reachability and latest
 * events, search, the event timeline and the messages a profile received. Read-only.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../storage/db.js';
import { parseJson } from '../storage/json.js';
import { caseSpellings, profileNameKey, startsWith, startsWithIgnoringCase } from '../storage/dialect.js';
import { notFound } from '../errors.js';
import { idCursor, timeIdCursor } from '../cursors.js';
import { reachability, UNREACHABLE_REASON_TEXT, type UnreachableReason } from './reachability.js';
import type { Properties } from './profile-data.js';
import { textProblem } from './audience.limits.js';

export interface EventView {
  id: string;
  name: string;
  properties: Properties;
  /** Epoch milliseconds. */
  ts: number;
}

export interface ProfileReachability {
  reachable: boolean;
  reason: UnreachableReason | null;
  /** The reason in words, or null. */
  reasonText: string | null;
  msgWhatsapp: boolean | null;
  dndWhatsapp: boolean | null;
  /** The phone-level DND row of the profile's phone, if any (dnd false = resubscribed). */
  phoneDnd: { dnd: boolean; source: string; updatedAt: number } | null;
}

export interface ProfileView {
  id: string;
  identity: string;
  phone: string | null;
  properties: Properties;
  whatsappReachable: boolean;
  reachability: ProfileReachability;
  /** The latest events, newest first. */
  events: EventView[];
  createdAt: number;
  updatedAt: number;
}

export interface ProfileSummary {
  id: string;
  identity: string;
  phone: string | null;
  name: string | null;
  whatsappReachable: boolean;
  updatedAt: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const flag = (value: number | null) => (value === null ? null : value === 1);

/** The profile's row id, or a 404 (also for another project's identity). */
export async function profileIdOf(db: Db, projectId: string, identity: string): Promise<string> {
  // No stored identity holds what textProblem refuses (and PostgreSQL cannot compare a NUL).
  if (textProblem(identity) !== null) throw notFound('Profile', identity);
  const row = await db.kysely.selectFrom('profiles').select('id').where('project_id', '=', projectId).where('identity', '=', identity).executeTakeFirst();
  if (!row) throw notFound('Profile', identity);
  return row.id;
}

/** Events of a profile, newest first, optionally one event name only. */
export async function listProfileEvents(
  db: Db,
  projectId: string,
  profileId: string,
  options: { limit: number; cursor?: string | undefined; nameKey?: string | undefined },
): Promise<Page<EventView>> {
  let query = db.kysely
    .selectFrom('events')
    .select(['id', 'name', 'properties', 'ts'])
    .where('project_id', '=', projectId)
    .where('profile_id', '=', profileId);
  if (options.nameKey) query = query.where('name_key', '=', options.nameKey);
  const after = timeIdCursor(options.cursor);
  if (after) query = query.where((eb) => eb.or([eb('ts', '<', after.ts), eb.and([eb('ts', '=', after.ts), eb('id', '<', after.id)])]));
  const rows = await query.orderBy('ts', 'desc').orderBy('id', 'desc').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit).map((row) => ({ id: row.id, name: row.name, properties: parseJson<Properties>(row.properties, {}), ts: row.ts }));
  const last = page.at(-1);
  return { items: page, nextCursor: rows.length > options.limit && last ? `${last.ts}:${last.id}` : null };
}

/** One profile by identity with reachability (and why) and its latest `eventLimit` events. */
export async function getProfileView(db: Db, projectId: string, identity: string, eventLimit = 50): Promise<ProfileView> {
  if (textProblem(identity) !== null) throw notFound('Profile', identity);
  const row = await db.kysely
    .selectFrom('profiles')
    .leftJoin('phone_dnd', (join) => join.onRef('phone_dnd.project_id', '=', 'profiles.project_id').onRef('phone_dnd.phone', '=', 'profiles.phone'))
    .select([
      'profiles.id',
      'profiles.identity',
      'profiles.phone',
      'profiles.properties',
      'profiles.msg_whatsapp',
      'profiles.dnd_whatsapp',
      'profiles.created_at',
      'profiles.updated_at',
      'phone_dnd.dnd as phone_dnd',
      'phone_dnd.source as phone_dnd_source',
      'phone_dnd.updated_at as phone_dnd_updated_at',
    ])
    .where('profiles.project_id', '=', projectId)
    .where('profiles.identity', '=', identity)
    .executeTakeFirst();
  if (!row) throw notFound('Profile', identity);
  const facts = { msgWhatsapp: flag(row.msg_whatsapp), dndWhatsapp: flag(row.dnd_whatsapp), phone: row.phone, phoneDnd: row.phone_dnd === 1 };
  const verdict = reachability(facts);
  const events = await listProfileEvents(db, projectId, row.id, { limit: eventLimit });
  return {
    id: row.id,
    identity: row.identity,
    phone: row.phone,
    properties: parseJson<Properties>(row.properties, {}),
    whatsappReachable: verdict.reachable,
    reachability: {
      reachable: verdict.reachable,
      reason: verdict.reason,
      reasonText: verdict.reason ? UNREACHABLE_REASON_TEXT[verdict.reason] : null,
      msgWhatsapp: facts.msgWhatsapp,
      dndWhatsapp: facts.dndWhatsapp,
      phoneDnd:
        row.phone_dnd === null || row.phone_dnd_source === null || row.phone_dnd_updated_at === null
          ? null
          : { dnd: row.phone_dnd === 1, source: row.phone_dnd_source, updatedAt: row.phone_dnd_updated_at },
    },
    events: events.items,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Profiles, newest first. `q` matches a prefix of the identity, of the phone (digits with the
 * country code, `+`, spaces and dashes ignored) or of the Name, case ignored (caseSpellings: in
 * each usual casing, as SQLite's `lower()` folds ASCII letters only).
 */
export async function searchProfiles(db: Db, projectId: string, options: { q?: string | undefined; limit: number; cursor?: string | undefined }): Promise<Page<ProfileSummary>> {
  let query = db.kysely
    .selectFrom('profiles')
    .leftJoin('phone_dnd', (join) => join.onRef('phone_dnd.project_id', '=', 'profiles.project_id').onRef('phone_dnd.phone', '=', 'profiles.phone'))
    .select([
      'profiles.id',
      'profiles.identity',
      'profiles.phone',
      'profiles.properties',
      'profiles.msg_whatsapp',
      'profiles.dnd_whatsapp',
      'profiles.updated_at',
      'phone_dnd.dnd as phone_dnd',
    ]);
  const q = options.q?.trim() ?? '';
  const inProject = sql<SqlBool>`${sql.ref('profiles.project_id')} = ${projectId}`;
  const afterId = idCursor(options.cursor);
  const after = afterId ? sql<SqlBool>` and ${sql.ref('profiles.id')} < ${afterId}` : sql``;
  if (q === '') {
    query = query.where(sql<SqlBool>`${inProject}${after}`).orderBy('profiles.id', 'desc');
  } else {
    const prefixes: RawBuilder<SqlBool>[] = [
      startsWith(db.dialect, sql.ref('profiles.identity'), q),
      ...caseSpellings(q).map((spelling) => startsWithIgnoringCase(db.dialect, profileNameKey(db.dialect), spelling)),
    ];
    const digits = q.replace(/[\s\-().]/g, '').replace(/^\+/, '');
    if (/^\d{2,}$/.test(digits)) prefixes.push(startsWith(db.dialect, sql.ref('profiles.phone'), `+${digits}`));
    // The project test sits inside each branch so that each branch is one index range (SQLite's
    // multi-index OR: ~10 ms on 1M profiles, against ~1 s when it scans the project in id order);
    // the order term is an expression for the same reason: ordering by the bare id makes SQLite
    // prefer walking the (project_id, id) index.
    query = query
      .where(sql<SqlBool>`(${sql.join(prefixes.map((prefix) => sql`(${inProject} and ${prefix}${after})`), sql` or `)})`)
      .orderBy(sql`${sql.ref('profiles.id')} || ''`, 'desc');
  }
  const rows = await query.limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit).map((row) => {
    const properties = parseJson<Properties>(row.properties, {});
    const name = properties.Name;
    return {
      id: row.id,
      identity: row.identity,
      phone: row.phone,
      name: typeof name === 'string' ? name : null,
      whatsappReachable: reachability({ msgWhatsapp: flag(row.msg_whatsapp), dndWhatsapp: flag(row.dnd_whatsapp), phone: row.phone, phoneDnd: row.phone_dnd === 1 }).reachable,
      updatedAt: row.updated_at,
    };
  });
  return { items: page, nextCursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
}

export interface ProfileMessageView {
  id: string;
  campaignId: string | null;
  campaignName: string | null;
  kind: string;
  status: string;
  skipReason: string | null;
  phone: string | null;
  providerMessageId: string | null;
  errorCategory: string | null;
  errorCode: string | null;
  errorDetail: string | null;
  createdAt: number;
  sentAt: number | null;
  deliveredAt: number | null;
  readAt: number | null;
  failedAt: number | null;
}

/** Messages sent (or skipped) to a profile, newest first. Cursor: `<created_at>:<id>`. */
export async function listProfileMessages(db: Db, projectId: string, profileId: string, options: { limit: number; cursor?: string | undefined }): Promise<Page<ProfileMessageView>> {
  let query = db.kysely
    .selectFrom('messages')
    .leftJoin('campaigns', (join) => join.onRef('campaigns.id', '=', 'messages.campaign_id').onRef('campaigns.project_id', '=', 'messages.project_id'))
    .select([
      'messages.id',
      'messages.campaign_id',
      'campaigns.name as campaign_name',
      'messages.kind',
      'messages.status',
      'messages.skip_reason',
      'messages.phone',
      'messages.provider_message_id',
      'messages.error_category',
      'messages.error_code',
      'messages.error_detail',
      'messages.created_at',
      'messages.sent_at',
      'messages.delivered_at',
      'messages.read_at',
      'messages.failed_at',
    ])
    .where('messages.project_id', '=', projectId)
    .where('messages.profile_id', '=', profileId);
  const after = timeIdCursor(options.cursor);
  if (after) {
    query = query.where((eb) => eb.or([eb('messages.created_at', '<', after.ts), eb.and([eb('messages.created_at', '=', after.ts), eb('messages.id', '<', after.id)])]));
  }
  const rows = await query.orderBy('messages.created_at', 'desc').orderBy('messages.id', 'desc').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit).map((row) => ({
    id: row.id,
    campaignId: row.campaign_id,
    campaignName: row.campaign_name,
    kind: row.kind,
    status: row.status,
    skipReason: row.skip_reason,
    phone: row.phone,
    providerMessageId: row.provider_message_id,
    errorCategory: row.error_category,
    errorCode: row.error_code,
    errorDetail: row.error_detail,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    readAt: row.read_at,
    failedAt: row.failed_at,
  }));
  const last = page.at(-1);
  return { items: page, nextCursor: rows.length > options.limit && last ? `${last.createdAt}:${last.id}` : null };
}
