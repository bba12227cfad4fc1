/**
 * Project API credentials: `X-Wacast-Account-Id` + `X-Wacast-Passcode` (and the CleverTap-style
 * `X-CleverTap-Account-Id` / `X-CleverTap-Passcode` on the upload alias). The passcode has 160
 * random bits and is shown once; only its sha256 is stored.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/db.js';
import { newId, randomToken } from '../ids.js';
import { safeEqual, sha256Hex } from './hash.js';

/** A credential as listed, plus its passcode — returned by the create only. */
export interface NewCredential {
  id: string;
  accountId: string;
  passcode: string;
  label: string;
  createdAt: number;
  lastUsedAt: null;
}

const ACCOUNT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newAccountId(): string {
  const bytes = randomBytes(12);
  let out = '';
  for (const byte of bytes) out += ACCOUNT_ALPHABET[byte % ACCOUNT_ALPHABET.length];
  return `WAC-${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}`;
}

export async function createApiCredential(db: Db, projectId: string, label = 'default'): Promise<NewCredential> {
  const accountId = newAccountId();
  const passcode = randomToken(20);
  const now = Date.now();
  const id = newId(now);
  await db.kysely
    .insertInto('api_credentials')
    .values({ id, project_id: projectId, account_id: accountId, passcode_hash: sha256Hex(passcode), label, created_at: now, last_used_at: null })
    .execute();
  return { id, accountId, passcode, label, createdAt: now, lastUsedAt: null };
}

/**
 * The credential (its row id, account id and label) and the project it belongs to, or null when
 * they are wrong. The label names the caller in a campaign's activity.
 */
export async function verifyApiCredential(db: Db, accountId: string, passcode: string): Promise<{ credentialId: string; projectId: string; accountId: string; label: string } | null> {
  const row = await db.kysely
    .selectFrom('api_credentials')
    .select(['project_id', 'passcode_hash', 'id', 'last_used_at', 'account_id', 'label'])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row || !safeEqual(row.passcode_hash, sha256Hex(passcode))) return null;
  const now = Date.now();
  // Record use at most once a minute: uploads arrive in tight loops.
  if (row.last_used_at === null || now - row.last_used_at > 60_000) {
    await db.kysely.updateTable('api_credentials').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { credentialId: row.id, projectId: row.project_id, accountId: row.account_id, label: row.label };
}

/** True while the credential (by its row id) has not been revoked. */
export async function apiCredentialExists(db: Db, credentialId: string): Promise<boolean> {
  const row = await db.kysely.selectFrom('api_credentials').select('id').where('id', '=', credentialId).executeTakeFirst();
  return row !== undefined;
}

export async function listApiCredentials(db: Db, projectId: string) {
  const rows = await db.kysely
    .selectFrom('api_credentials')
    .select(['id', 'account_id', 'label', 'created_at', 'last_used_at'])
    .where('project_id', '=', projectId)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({ id: row.id, accountId: row.account_id, label: row.label, createdAt: row.created_at, lastUsedAt: row.last_used_at }));
}

/**
 * Revokes one credential of the project: requests with it are refused from now on (it is read
 * from the database on every request). False when the project has no such credential.
 */
export async function revokeApiCredential(db: Db, projectId: string, id: string): Promise<boolean> {
  const result = await db.kysely.deleteFrom('api_credentials').where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
