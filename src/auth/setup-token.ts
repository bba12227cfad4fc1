/**
 * The one-time link that creates the first admin. While no user exists, every server start makes a
 * fresh token (only its hash is stored) and prints the link; using it creates the admin and burns it.
 */
import type { Db } from '../storage/db.js';
import { randomToken } from '../ids.js';
import { safeEqual, sha256Hex } from './hash.js';

const KEY = 'setup_token_hash';

export async function issueSetupToken(db: Db): Promise<string> {
  const token = randomToken(24);
  const value = sha256Hex(token);
  await db.kysely
    .insertInto('instance_settings')
    .values({ key: KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
  return token;
}

export async function checkSetupToken(db: Db, token: string): Promise<boolean> {
  const row = await db.kysely.selectFrom('instance_settings').select('value').where('key', '=', KEY).executeTakeFirst();
  return row !== undefined && safeEqual(row.value, sha256Hex(token));
}

export async function burnSetupToken(db: Db): Promise<void> {
  await db.kysely.deleteFrom('instance_settings').where('key', '=', KEY).execute();
}
