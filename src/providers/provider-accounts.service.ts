/**
 * Provider accounts: a project's connections to Gupshup or Nexmo. Credentials are validated per
 * type, stored envelope-encrypted, and only ever returned masked. Each account owns one callback
 * token (≥128 random bits) shared by its two callback URLs.
 */
import type { AppDeps } from '../deps.js';
import type { Database, ProviderAccountRow } from '../storage/schema.js';
import { newId } from '../ids.js';
import { parseJson, toJson } from '../storage/json.js';
import { AppError, conflict, notFound, validationFailed, type FieldProblem } from '../errors.js';
import type { ProviderCredentials, ProviderType } from './provider.js';
import { mergeCredentials, parseCredentials, publicCredentials } from './credentials.js';
import { callbackUrls, isIssuedCallbackToken, issueCallbackToken } from './callback-token.js';
import type { Kysely } from 'kysely';
import type { Db } from '../storage/db.js';
import { writeTransaction } from '../storage/transaction.js';
import { lockForUpdate } from '../storage/row-locks.js';
import { asDailyRecipientLimit, dailyRecipientLimitProblem, messagingLimitOf, type DailyRecipientLimit, type MessagingLimit } from './messaging-limit.js';

/** WhatsApp's default business-number tier is 80 messages per second. */
export const DEFAULT_RATE_PER_SECOND = 80;
export const MAX_RATE_PER_SECOND = 10_000;
export const RATE_PER_SECOND_PROBLEM = `must be a whole number from 1 to ${MAX_RATE_PER_SECOND.toLocaleString('en-US')}`;

export interface ProviderAccount {
  id: string;
  type: ProviderType;
  nickname: string;
  isDefault: boolean;
  ratePerSecond: number;
  autoReply: { enabled: boolean; text: string };
  credentials: Record<string, string>;
  inboundCallbackUrl: string;
  deliveryCallbackUrl: string;
  /** When the latest accepted delivery report / inbound message arrived (callback-arrivals.ts). */
  lastReceiptAt: number | null;
  lastInboundAt: number | null;
  /** When a delivery report last said the provider throttled the account (provider-throttling.ts). */
  lastThrottledAt: number | null;
  /** WhatsApp messaging limit tier set by the owner (unique users per 24 h); null unlimited / not set. */
  dailyRecipientLimit: DailyRecipientLimit | null;
  /** The limit with its usage in the last 24 hours; null without a limit (messaging-limit.ts). */
  messagingLimit: MessagingLimit | null;
  createdAt: number;
  updatedAt: number;
}

export interface ProviderAccountInput {
  type: ProviderType;
  nickname: string;
  isDefault?: boolean | undefined;
  ratePerSecond?: number | undefined;
  autoReply?: { enabled: boolean; text?: string | undefined } | undefined;
  callbackToken?: string | undefined;
  credentials: Record<string, unknown>;
  dailyRecipientLimit?: number | null | undefined;
}

export type ProviderAccountPatch = Partial<Omit<ProviderAccountInput, 'type' | 'callbackToken' | 'credentials'>> & {
  credentials?: Record<string, unknown> | undefined;
};

/** Campaign states in which a provider account (or template) is in use and must not change. */
export const ACTIVE_CAMPAIGN_STATES = ['scheduled', 'running', 'paused'] as const;

function toAccount(deps: Pick<AppDeps, 'config'>, row: ProviderAccountRow, messagingLimit: MessagingLimit | null): ProviderAccount {
  return {
    id: row.id,
    type: row.type,
    nickname: row.nickname,
    isDefault: row.is_default === 1,
    ratePerSecond: row.rate_per_second,
    autoReply: { enabled: row.auto_reply_enabled === 1, text: row.auto_reply_text ?? '' },
    credentials: parseJson<Record<string, string>>(row.credentials_public, {}),
    ...callbackUrls(deps.config.publicUrl, row.type, row.callback_token),
    lastReceiptAt: row.last_receipt_at ?? null,
    lastInboundAt: row.last_inbound_at ?? null,
    lastThrottledAt: row.last_throttled_at ?? null,
    dailyRecipientLimit: asDailyRecipientLimit(row.daily_recipient_limit),
    messagingLimit,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function checkCommon(input: {
  nickname?: string | undefined;
  ratePerSecond?: number | undefined;
  autoReply?: { enabled: boolean; text?: string | undefined } | undefined;
  dailyRecipientLimit?: unknown;
}): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const limitProblem = dailyRecipientLimitProblem(input.dailyRecipientLimit);
  if (limitProblem) problems.push(limitProblem);
  if (input.nickname !== undefined && input.nickname.trim() === '') problems.push({ path: 'nickname', message: 'is required' });
  if (input.ratePerSecond !== undefined && (!Number.isInteger(input.ratePerSecond) || input.ratePerSecond < 1 || input.ratePerSecond > MAX_RATE_PER_SECOND)) {
    problems.push({ path: 'ratePerSecond', message: RATE_PER_SECOND_PROBLEM });
  }
  if (input.autoReply?.enabled && !(input.autoReply.text ?? '').trim()) {
    problems.push({ path: 'autoReply.text', message: 'is required when the auto reply is on' });
  }
  if ((input.autoReply?.text ?? '').length > 1000) problems.push({ path: 'autoReply.text', message: 'must be at most 1000 characters' });
  return problems;
}

export function issueDraftCallbackUrls(deps: Pick<AppDeps, 'config' | 'secrets'>, type: ProviderType) {
  const callbackToken = issueCallbackToken(deps.secrets);
  return { callbackToken, ...callbackUrls(deps.config.publicUrl, type, callbackToken) };
}

/**
 * What is wrong with the given fields of a new account; credentials are checked only with a
 * `type` (their fields depend on it). The create route also runs it on the fields its schema
 * accepted when others were refused, so one answer names every problem.
 */
export function newAccountProblems(deps: Pick<AppDeps, 'secrets'>, input: Partial<ProviderAccountInput>): FieldProblem[] {
  const problems = checkCommon(input);
  if (input.type !== undefined && input.credentials !== undefined) {
    const parsed = parseCredentials(input.type, input.credentials);
    if (!parsed.ok) problems.push(...parsed.problems);
  }
  if (input.callbackToken !== undefined && !isIssuedCallbackToken(deps.secrets, input.callbackToken)) {
    problems.push({ path: 'callbackToken', message: 'was not issued by this server: request one with POST /api/v1/providers/callback-urls, or omit it' });
  }
  return problems;
}

/**
 * A transaction that may change which account is the project's default. The project's row is
 * locked first, so such changes of one project run one after the other: on PostgreSQL two first
 * accounts saved at once (a double-clicked Save) each saw "no default yet", neither saw the
 * other's uncommitted row, and the project ended with two defaults.
 */
function defaultsTransaction<T>(db: Db, projectId: string, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return writeTransaction(db, async (trx) => {
    await lockForUpdate(trx.selectFrom('projects').select('id').where('id', '=', projectId), db.dialect).execute();
    return work(trx);
  });
}

export async function createProviderAccount(deps: AppDeps, projectId: string, input: ProviderAccountInput): Promise<ProviderAccount> {
  const problems = newAccountProblems(deps, input);
  const parsed = parseCredentials(input.type, input.credentials);
  if (problems.length > 0 || !parsed.ok) throw validationFailed(problems);
  const now = Date.now();
  const id = newId(now);
  await defaultsTransaction(deps.db, projectId, async (trx) => {
    const others = await trx
      .selectFrom('provider_accounts')
      .select('id')
      .where('project_id', '=', projectId)
      .where('deleted_at', 'is', null)
      .where('is_default', '=', 1)
      .executeTakeFirst();
    const makeDefault = input.isDefault === true || others === undefined;
    if (makeDefault) {
      await trx.updateTable('provider_accounts').set({ is_default: 0 }).where('project_id', '=', projectId).execute();
    }
    const row = {
      id,
      project_id: projectId,
      type: input.type,
      nickname: input.nickname.trim(),
      is_default: makeDefault ? 1 : 0,
      rate_per_second: input.ratePerSecond ?? DEFAULT_RATE_PER_SECOND,
      auto_reply_enabled: input.autoReply?.enabled ? 1 : 0,
      auto_reply_text: input.autoReply?.text?.trim() || null,
      daily_recipient_limit: input.dailyRecipientLimit ?? null,
      credentials_ciphertext: deps.secrets.encryptJson(parsed.credentials),
      credentials_public: toJson(publicCredentials(input.type, parsed.credentials)),
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    // The token shown before saving is adopted unless an account has it already (the same form
    // saved twice) or had it (rotated away: it may have leaked): then this account gets a token of
    // its own. ON CONFLICT rather than a read first: two concurrent saves both read "free", and the
    // second insert failed with a 500 whose logged error held the token (PostgreSQL puts the key's
    // value in the error's detail).
    const retired = input.callbackToken
      ? await trx.selectFrom('retired_callback_tokens').select('token').where('token', '=', input.callbackToken).executeTakeFirst()
      : undefined;
    const adopted = input.callbackToken && !retired
      ? await trx
          .insertInto('provider_accounts')
          .values({ ...row, callback_token: input.callbackToken })
          .onConflict((oc) => oc.column('callback_token').doNothing())
          .executeTakeFirst()
      : undefined;
    if (Number(adopted?.numInsertedOrUpdatedRows ?? 0) === 0) {
      await trx.insertInto('provider_accounts').values({ ...row, callback_token: issueCallbackToken(deps.secrets) }).execute();
    }
  });
  return getProviderAccount(deps, projectId, id);
}

async function getRow(deps: Pick<AppDeps, 'db'>, projectId: string, id: string): Promise<ProviderAccountRow> {
  const row = await deps.db.kysely
    .selectFrom('provider_accounts')
    .selectAll()
    .where('id', '=', id)
    .where('project_id', '=', projectId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound('Provider account', id);
  return row;
}

export async function getProviderAccount(deps: Pick<AppDeps, 'db' | 'config'>, projectId: string, id: string): Promise<ProviderAccount> {
  const row = await getRow(deps, projectId, id);
  return toAccount(deps, row, await messagingLimitOf(deps.db, projectId, row));
}

export async function listProviderAccounts(deps: Pick<AppDeps, 'db' | 'config'>, projectId: string): Promise<ProviderAccount[]> {
  const rows = await deps.db.kysely
    .selectFrom('provider_accounts')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .execute();
  // The usage of accounts with a limit, one bounded read each (a project has a handful of accounts).
  return Promise.all(rows.map(async (row) => toAccount(deps, row, await messagingLimitOf(deps.db, projectId, row))));
}

interface CheckedPatch {
  problems: FieldProblem[];
  credentials: ProviderCredentials | null;
  autoReplyEnabled: boolean;
  autoReplyText: string;
}

/** Every problem of a change to a saved account, in one list (the route adds the schema's). */
function checkPatch(deps: Pick<AppDeps, 'secrets'>, row: ProviderAccountRow, patch: ProviderAccountPatch): CheckedPatch {
  // The auto reply as it would be: `{enabled: true}` alone keeps the text already saved.
  const autoReplyEnabled = patch.autoReply ? patch.autoReply.enabled : row.auto_reply_enabled === 1;
  const autoReplyText = patch.autoReply?.text !== undefined ? patch.autoReply.text.trim() : (row.auto_reply_text ?? '');
  const problems = checkCommon({ ...patch, autoReply: patch.autoReply ? { enabled: autoReplyEnabled, text: autoReplyText } : undefined });
  // The project always has one default account: it changes by marking another one, never by
  // unmarking this one (which used to answer 200 and change nothing).
  if (patch.isDefault === false && row.is_default === 1) {
    problems.push({ path: 'isDefault', message: 'cannot be turned off on the default account: mark another account as default instead' });
  }
  let credentials: ProviderCredentials | null = null;
  if (patch.credentials) {
    const stored = deps.secrets.decryptJson<ProviderCredentials>(row.credentials_ciphertext);
    const parsed = parseCredentials(row.type, mergeCredentials(row.type, stored, patch.credentials));
    if (parsed.ok) credentials = parsed.credentials;
    else problems.push(...parsed.problems);
  }
  return { problems, credentials, autoReplyEnabled, autoReplyText };
}

/** The problems of a change (for a request whose body failed its schema: see refuseInvalidBody). */
export async function accountPatchProblems(deps: Pick<AppDeps, 'db' | 'secrets'>, projectId: string, id: string, patch: ProviderAccountPatch): Promise<FieldProblem[]> {
  return checkPatch(deps, await getRow(deps, projectId, id), patch).problems;
}

export async function updateProviderAccount(deps: AppDeps, projectId: string, id: string, patch: ProviderAccountPatch): Promise<ProviderAccount> {
  const row = await getRow(deps, projectId, id);
  const { problems, credentials, autoReplyEnabled, autoReplyText } = checkPatch(deps, row, patch);
  if (problems.length > 0) throw validationFailed(problems);
  await defaultsTransaction(deps.db, projectId, async (trx) => {
    if (patch.isDefault === true) {
      await trx.updateTable('provider_accounts').set({ is_default: 0 }).where('project_id', '=', projectId).execute();
    }
    await trx
      .updateTable('provider_accounts')
      .set({
        ...(patch.nickname !== undefined ? { nickname: patch.nickname.trim() } : {}),
        ...(patch.ratePerSecond !== undefined ? { rate_per_second: patch.ratePerSecond } : {}),
        ...(patch.dailyRecipientLimit !== undefined ? { daily_recipient_limit: patch.dailyRecipientLimit } : {}),
        ...(patch.isDefault === true ? { is_default: 1 } : {}),
        auto_reply_enabled: autoReplyEnabled ? 1 : 0,
        auto_reply_text: autoReplyText || null,
        ...(credentials
          ? { credentials_ciphertext: deps.secrets.encryptJson(credentials), credentials_public: toJson(publicCredentials(row.type, credentials)) }
          : {}),
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .where('project_id', '=', projectId)
      .execute();
  });
  return getProviderAccount(deps, projectId, id);
}

export async function rotateCallbackToken(deps: AppDeps, projectId: string, id: string): Promise<ProviderAccount> {
  const row = await getRow(deps, projectId, id);
  const now = Date.now();
  await deps.db.kysely.transaction().execute(async (trx) => {
    // The old token answers 404 from now on, and no new account may adopt it (see createProviderAccount).
    await trx
      .insertInto('retired_callback_tokens')
      .values({ token: row.callback_token, provider_id: id, retired_at: now })
      .onConflict((oc) => oc.column('token').doNothing())
      .execute();
    await trx
      .updateTable('provider_accounts')
      .set({ callback_token: issueCallbackToken(deps.secrets), updated_at: now })
      .where('id', '=', id)
      .where('project_id', '=', projectId)
      .execute();
  });
  return getProviderAccount(deps, projectId, id);
}

/**
 * Deletes an account unless a scheduled, running or paused campaign uses it. The row is kept
 * (marked deleted) so finished campaigns keep their history; its callback URLs stop answering.
 * The "in use" check and the delete are one step: the account's row is locked first (PostgreSQL
 * `FOR UPDATE`; SQLite's write transaction is exclusive), and publish locks it too, so a campaign
 * published meanwhile either commits before (the delete is refused) or sees the account deleted.
 */
export async function deleteProviderAccount(deps: AppDeps, projectId: string, id: string): Promise<void> {
  const now = Date.now();
  await defaultsTransaction(deps.db, projectId, async (trx) => {
    const row = await lockForUpdate(
      trx.selectFrom('provider_accounts').selectAll().where('id', '=', id).where('project_id', '=', projectId).where('deleted_at', 'is', null),
      deps.db.dialect,
    ).executeTakeFirst();
    if (!row) throw notFound('Provider account', id);
    const busy = await trx
      .selectFrom('campaigns')
      .select(['id', 'name', 'state'])
      .where('project_id', '=', projectId)
      .where('provider_id', '=', id)
      .where('state', 'in', [...ACTIVE_CAMPAIGN_STATES])
      .limit(5)
      .execute();
    if (busy.length > 0) {
      throw conflict(
        'provider_in_use',
        `This provider account is used by ${busy.map((campaign) => `"${campaign.name}" (${campaign.state})`).join(', ')}: stop ${busy.length === 1 ? 'that campaign' : 'those campaigns'} first.`,
        { campaigns: busy.map((campaign) => campaign.id) },
      );
    }
    await trx.updateTable('provider_accounts').set({ deleted_at: now, is_default: 0, updated_at: now }).where('id', '=', id).execute();
    await trx.updateTable('templates').set({ deleted_at: now, updated_at: now }).where('provider_id', '=', id).where('deleted_at', 'is', null).execute();
    // Which WhatsApp user id is which number only served this account's callbacks, which stop now.
    await trx.deleteFrom('whatsapp_users').where('provider_id', '=', id).execute();
    if (row.is_default === 1) {
      const next = await trx
        .selectFrom('provider_accounts')
        .select('id')
        .where('project_id', '=', projectId)
        .where('deleted_at', 'is', null)
        .orderBy('created_at')
        .executeTakeFirst();
      if (next) await trx.updateTable('provider_accounts').set({ is_default: 1 }).where('id', '=', next.id).execute();
    }
  });
}

/** Everything the sending side needs about an account, credentials decrypted. Not for API output. */
export interface ProviderAccountSecrets {
  id: string;
  projectId: string;
  type: ProviderType;
  ratePerSecond: number;
  autoReply: { enabled: boolean; text: string };
  credentials: ProviderCredentials;
  updatedAt: number;
  deleted: boolean;
}

export async function loadProviderSecrets(deps: Pick<AppDeps, 'db' | 'secrets'>, id: string): Promise<ProviderAccountSecrets | null> {
  const row = await deps.db.kysely.selectFrom('provider_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    projectId: row.project_id,
    type: row.type,
    ratePerSecond: row.rate_per_second,
    autoReply: { enabled: row.auto_reply_enabled === 1, text: row.auto_reply_text ?? '' },
    credentials: deps.secrets.decryptJson<ProviderCredentials>(row.credentials_ciphertext),
    updatedAt: row.updated_at,
    deleted: row.deleted_at !== null,
  };
}

/** The live account a callback token belongs to, or null (unknown or deleted → 404). */
export async function findByCallbackToken(deps: Pick<AppDeps, 'db'>, type: ProviderType, token: string) {
  const row = await deps.db.kysely
    .selectFrom('provider_accounts')
    .select(['id', 'project_id', 'type'])
    .where('callback_token', '=', token)
    .where('type', '=', type)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row ?? null;
}

export function assertProviderType(value: string): ProviderType {
  if (value === 'gupshup' || value === 'nexmo') return value;
  throw new AppError(404, 'not_found', `Unknown provider ${JSON.stringify(value)}.`);
}
