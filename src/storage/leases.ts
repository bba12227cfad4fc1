/**
 * Named leases (`provider:<id>`, `scheduler`, `applier`): at most one holder at a time across all
 * processes sharing the database. A holder renews before expiry; a crashed holder's lease simply
 * runs out and another process takes over.
 */
import { sql, type Kysely } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './schema.js';

/** Takes or renews `name` for `owner` until now + ttlMs; true when `owner` holds it afterwards. */
export async function acquireLease(db: Db, name: string, owner: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  const result = await sql<{ owner: string }>`
    insert into leases (name, owner, expires_at) values (${name}, ${owner}, ${now + ttlMs})
    on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at
    where leases.expires_at < ${now} or leases.owner = excluded.owner
    returning owner`.execute(db.kysely);
  return result.rows.length === 1 && result.rows[0]!.owner === owner;
}

/**
 * Gives `name` up. With `holdMs`, nobody may take it for that long yet: a provider account's
 * lease is held a second past its last send, because the next owner's pacer does not know what
 * this process sent in that second (the two together could exceed the account's rate).
 */
export async function releaseLease(db: Db, name: string, owner: string, holdMs = 0, now = Date.now()): Promise<void> {
  if (holdMs > 0) {
    await db.kysely.updateTable('leases').set({ expires_at: now + holdMs }).where('name', '=', name).where('owner', '=', owner).execute();
    return;
  }
  await db.kysely.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
}

/**
 * Inside a write transaction: true when `owner` still holds `name`, which then runs until at least
 * now + ttlMs; false when another process took it over (or it was released). Run it as the
 * transaction's first statement: the lease row stays locked until the commit (PostgreSQL: a row
 * lock; SQLite: the write lock), so nobody can take the lease between this check and the commit,
 * and the transaction's effects are those of the only holder. A lease that ran out while nobody
 * took it is still this owner's (a takeover changes the owner, a release deletes the row).
 */
export async function holdLease(trx: Kysely<Database>, name: string, owner: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  const result = await trx
    .updateTable('leases')
    .set({ expires_at: sql<number>`case when expires_at > ${now + ttlMs} then expires_at else ${now + ttlMs} end` })
    .where('name', '=', name)
    .where('owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
