/**
 * Batched reads and writes of profile and event rows, shared by the upload API, the CSV import
 * and the system's own events. Each function takes the executor of the caller's transaction and
 * issues one statement per chunk of rows, never one per row.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../storage/db.js';
import type { Database } from '../storage/schema.js';
import { parseJson, toJson } from '../storage/json.js';
import { supportsRowLocks } from '../storage/dialect.js';
import { newId } from '../ids.js';
import { eventNameKey } from './audience.limits.js';
import { profileColumns, type Properties } from './profile-data.js';

/** A Kysely handle: the database or a transaction. */
export type Executor = Kysely<Database>;

// 1000 rows × 9 columns = 9,000 parameters per statement: below SQLite's 32,766 and PostgreSQL's
// 65,535, and large enough that statement overhead is amortised (measured: 120k rows/s SQLite).
const ROWS_PER_STATEMENT = 1000;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface LoadedProfile {
  id: string;
  identity: string;
  properties: Properties;
  /** JSON of `properties` as loaded, to tell whether a change rewrote anything. */
  original: string;
}

/**
 * The profiles with these identities, by identity. With `lock` (PostgreSQL only) the rows are
 * locked until the transaction ends, so concurrent uploads to one profile apply one after the
 * other instead of losing updates; SQLite transactions are serialised anyway.
 */
export async function loadProfiles(
  trx: Executor,
  dialect: Dialect,
  projectId: string,
  identities: readonly string[],
  options: { lock?: boolean } = {},
): Promise<Map<string, LoadedProfile>> {
  const found = new Map<string, LoadedProfile>();
  for (const part of chunk(identities, ROWS_PER_STATEMENT)) {
    let query = trx
      .selectFrom('profiles')
      .select(['id', 'identity', 'properties'])
      .where('project_id', '=', projectId)
      .where('identity', 'in', part)
      // Identity order: the order of the (project_id, identity) index, so no sort, and one lock
      // order for every writer. (Ordering by id made SQLite walk the (project_id, id) index
      // over the whole project for every batch.)
      .orderBy('identity');
    if (options.lock && supportsRowLocks(dialect)) query = query.forUpdate();
    for (const row of await query.execute()) {
      const properties = parseJson<Properties>(row.properties, {});
      found.set(row.identity, { id: row.id, identity: row.identity, properties, original: JSON.stringify(properties) });
    }
  }
  return found;
}

/**
 * Creates empty profiles for the identities that have none (`ON CONFLICT DO NOTHING`, so two
 * concurrent calls cannot create a profile twice) and returns the identities it created.
 */
export async function createMissingProfiles(trx: Executor, projectId: string, identities: readonly string[], now: number): Promise<Set<string>> {
  const created = new Set<string>();
  const sorted = [...identities].sort();
  for (const part of chunk(sorted, ROWS_PER_STATEMENT)) {
    const rows = await trx
      .insertInto('profiles')
      .values(part.map((identity) => ({
        id: newId(now),
        project_id: projectId,
        identity,
        phone: null,
        properties: '{}',
        msg_whatsapp: null,
        dnd_whatsapp: null,
        created_at: now,
        updated_at: now,
      })))
      .onConflict((conflict) => conflict.columns(['project_id', 'identity']).doNothing())
      .returning('identity')
      .execute();
    for (const row of rows) created.add(row.identity);
  }
  return created;
}

export interface ProfileWrite {
  id: string;
  identity: string;
  properties: Properties;
}

/**
 * Writes profiles (insert, or update by identity), one statement per 1000 rows. The indexed
 * columns are derived from the properties here, so they cannot disagree. Identities must be
 * unique within one call.
 */
export async function writeProfiles(trx: Executor, projectId: string, rows: readonly ProfileWrite[], now: number): Promise<void> {
  for (const part of chunk(rows, ROWS_PER_STATEMENT)) {
    await trx
      .insertInto('profiles')
      .values(part.map((row) => ({
        id: row.id,
        project_id: projectId,
        identity: row.identity,
        properties: toJson(row.properties),
        ...profileColumns(row.properties),
        created_at: now,
        updated_at: now,
      })))
      .onConflict((conflict) =>
        conflict.columns(['project_id', 'identity']).doUpdateSet((eb) => ({
          properties: eb.ref('excluded.properties'),
          phone: eb.ref('excluded.phone'),
          msg_whatsapp: eb.ref('excluded.msg_whatsapp'),
          dnd_whatsapp: eb.ref('excluded.dnd_whatsapp'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/**
 * Inserts new profiles, skipping identities that exist (another writer may have created one since
 * they were looked up), and returns the identities it inserted; the caller merges into the others.
 */
export async function insertNewProfiles(trx: Executor, projectId: string, rows: readonly ProfileWrite[], now: number): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (const part of chunk(rows, ROWS_PER_STATEMENT)) {
    const done = await trx
      .insertInto('profiles')
      .values(part.map((row) => ({
        id: row.id,
        project_id: projectId,
        identity: row.identity,
        properties: toJson(row.properties),
        ...profileColumns(row.properties),
        created_at: now,
        updated_at: now,
      })))
      .onConflict((conflict) => conflict.columns(['project_id', 'identity']).doNothing())
      .returning('identity')
      .execute();
    for (const row of done) inserted.add(row.identity);
  }
  return inserted;
}

export async function deleteProfiles(trx: Executor, projectId: string, ids: readonly string[]): Promise<void> {
  for (const part of chunk(ids, ROWS_PER_STATEMENT)) {
    await trx.deleteFrom('profiles').where('project_id', '=', projectId).where('id', 'in', part).execute();
  }
}

export interface EventWrite {
  profileId: string;
  name: string;
  properties: Properties;
  /** Epoch milliseconds. */
  ts: number;
}

/**
 * Appends events to profiles, one statement per 1000 events. No name checks here: the system's
 * own events (`Notification Sent`, …) are recorded through this function too; uploads check
 * names before (upload.records.ts).
 */
export async function insertEvents(trx: Executor, projectId: string, events: readonly EventWrite[], now = Date.now()): Promise<void> {
  for (const part of chunk(events, ROWS_PER_STATEMENT)) {
    await trx
      .insertInto('events')
      .values(part.map((event) => ({
        id: newId(now),
        project_id: projectId,
        profile_id: event.profileId,
        name: event.name,
        name_key: eventNameKey(event.name),
        properties: toJson(event.properties),
        ts: event.ts,
        created_at: now,
      })))
      .execute();
  }
}
