/**
 * Finds the instance master key: WACAST_SECRET_KEY when set, else `<data dir>/secret.key`, created
 * with mode 0600 on first run. A canary sealed under the key is kept in the database, so starting
 * with a different key fails at boot with a clear message instead of failing later on a send.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../storage/db.js';
import { SecretBox, WrongSecretKeyError } from './secret-box.js';
import { decodeSecretKey } from '../config.js';
import { prepareDataDir } from '../storage/data-dir.js';

const CANARY_KEY = 'secret_key_canary';
const CANARY_TEXT = 'wacast-secret-key-check';

export interface MasterKeySource {
  key: Buffer;
  /** "WACAST_SECRET_KEY" or the key file path. */
  origin: string;
  created: boolean;
}

export function loadMasterKey(options: { secretKey: Buffer | undefined; dataDir: string }): MasterKeySource {
  if (options.secretKey) return { key: options.secretKey, origin: 'WACAST_SECRET_KEY', created: false };
  const file = join(options.dataDir, 'secret.key');
  if (existsSync(file)) return readKeyFile(file);
  prepareDataDir(options.dataDir);
  const key = randomBytes(32);
  // Written whole to a private file of this process, then linked into place: processes starting
  // together on a new data directory (serve and worker) never read a half-written key file, and
  // exactly one key wins — the others read it.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return readKeyFile(file);
    throw error;
  } finally {
    unlinkSync(draft);
  }
  return { key, origin: file, created: true };
}

function readKeyFile(file: string): MasterKeySource {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = decodeSecretKey(readFileSync(file, 'utf8'));
  if (!key) throw new WrongSecretKeyError(`The key file ${file} is damaged: it must hold 64 hex characters.`);
  return { key, origin: file, created: false };
}

/** Stores a canary on first use and verifies it afterwards; throws WrongSecretKeyError on mismatch. */
export async function verifyMasterKey(db: Db, box: SecretBox, origin: string): Promise<void> {
  const row = await db.kysely.selectFrom('instance_settings').select('value').where('key', '=', CANARY_KEY).executeTakeFirst();
  if (!row) {
    await db.kysely
      .insertInto('instance_settings')
      .values({ key: CANARY_KEY, value: box.encrypt(CANARY_TEXT) })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return verifyMasterKey(db, box, origin);
  }
  let text: string;
  try {
    text = box.decrypt(row.value);
  } catch {
    throw new WrongSecretKeyError(
      `The secret key from ${origin} is not the key this database's credentials were encrypted with. Start wacast with the original WACAST_SECRET_KEY (or restore the original key file).`,
    );
  }
  if (text !== CANARY_TEXT) throw new WrongSecretKeyError(`The secret key check failed for ${origin}.`);
}

/** The key the canary is stored under in `instance_settings`. */
export const SECRET_KEY_CANARY = CANARY_KEY;

/** Whether `key` opens a database's sealed canary (its `instance_settings` value): the key its credentials need. */
export function keyOpensCanary(sealed: string, key: Buffer): boolean {
  try {
    return new SecretBox(key).decrypt(sealed) === CANARY_TEXT;
  } catch {
    return false;
  }
}
