/**
 * Templates: a provider account's approved WhatsApp templates, registered in wacast by namespace
 * (`ABC:welcome_message`), body with positional placeholders and attachment type.
 */
import type { AppDeps } from '../deps.js';
import type { Kysely } from 'kysely';
import type { Database, TemplateRow } from '../storage/schema.js';
import { writeTransaction } from '../storage/transaction.js';
import { lockForUpdate } from '../storage/row-locks.js';
import { newId } from '../ids.js';
import { conflict, notFound, validationFailed, type FieldProblem } from '../errors.js';
import { checkPlaceholders } from './placeholders.js';
import { ACTIVE_CAMPAIGN_STATES } from '../providers/provider-accounts.service.js';

export const NAMESPACE_PATTERN = /^[A-Z0-9_]+:[a-z0-9_]+$/;
export const MAX_TEMPLATE_LENGTH = 1024;
export const ATTACHMENT_TYPES = ['none', 'image', 'video', 'document'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** Characters as a person counts them (Unicode code points): `'👋'.length` is 2, this is 1. */
export function characterCount(text: string): number {
  return Array.from(text).length;
}

export interface Template {
  id: string;
  providerId: string;
  namespace: string;
  body: string;
  placeholderCount: number;
  attachmentType: AttachmentType;
  language: string;
  createdAt: number;
  updatedAt: number;
}

export interface TemplateInput {
  providerId: string;
  namespace: string;
  body: string;
  attachmentType: AttachmentType;
  language?: string | undefined;
}

export function toTemplate(row: TemplateRow): Template {
  return {
    id: row.id,
    providerId: row.provider_id,
    namespace: row.namespace,
    body: row.body,
    placeholderCount: row.placeholder_count,
    attachmentType: row.attachment_type,
    language: row.language,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function check(deps: Pick<AppDeps, 'db'>, projectId: string, input: Partial<TemplateInput>): Promise<{ problems: FieldProblem[]; count: number }> {
  const problems: FieldProblem[] = [];
  let count = 0;
  if (input.namespace !== undefined && !NAMESPACE_PATTERN.test(input.namespace)) {
    problems.push({
      path: 'namespace',
      message: 'must be the Gupshup account name in capitals, a colon, and the template name in lower case, e.g. ABC:welcome_message (letters, digits, _)',
    });
  }
  if (input.body !== undefined) {
    if (input.body.trim() === '') problems.push({ path: 'body', message: 'is required' });
    // Characters, not UTF-16 units: an emoji is one character to WhatsApp but two to .length.
    else if (characterCount(input.body) > MAX_TEMPLATE_LENGTH) {
      problems.push({ path: 'body', message: `must be at most ${MAX_TEMPLATE_LENGTH} characters (it has ${characterCount(input.body)})` });
    }
    else {
      const placeholders = checkPlaceholders(input.body);
      if (placeholders.ok) count = placeholders.count;
      else problems.push({ path: 'body', message: placeholders.message });
    }
  }
  if (input.language !== undefined && !/^[a-z]{2,3}([_-][A-Za-z]{2,4})?$/.test(input.language)) {
    problems.push({ path: 'language', message: 'must be a language code such as en, en_US or pt_BR' });
  }
  if (input.providerId !== undefined) {
    const provider = await deps.db.kysely
      .selectFrom('provider_accounts')
      .select('id')
      .where('id', '=', input.providerId)
      .where('project_id', '=', projectId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!provider) problems.push({ path: 'providerId', message: 'is not a provider account of this project' });
  }
  return { problems, count };
}

/**
 * What is wrong with the given fields of a template (each checked on its own; the provider
 * account must belong to the project). The routes also run it on the fields their schema accepted
 * when others were refused, so one answer names every problem.
 */
export async function templateProblems(deps: Pick<AppDeps, 'db'>, projectId: string, input: Partial<TemplateInput>): Promise<FieldProblem[]> {
  return (await check(deps, projectId, input)).problems;
}

/** One template per provider account, namespace and language: which one a send means must be clear. */
async function assertNoDuplicate(db: Kysely<Database>, projectId: string, key: { providerId: string; namespace: string; language: string }, exceptId?: string): Promise<void> {
  let query = db
    .selectFrom('templates')
    .select('id')
    .where('project_id', '=', projectId)
    .where('provider_id', '=', key.providerId)
    .where('namespace', '=', key.namespace)
    .where('language', '=', key.language)
    .where('deleted_at', 'is', null);
  if (exceptId) query = query.where('id', '!=', exceptId);
  const duplicate = await query.executeTakeFirst();
  if (duplicate) throw conflict('template_exists', `A template ${key.namespace} (${key.language}) already exists for this provider account.`, { id: duplicate.id });
}

export async function createTemplate(deps: Pick<AppDeps, 'db'>, projectId: string, input: TemplateInput): Promise<Template> {
  const { problems, count } = await check(deps, projectId, { ...input, language: input.language ?? 'en' });
  if (problems.length > 0) throw validationFailed(problems);
  const language = input.language ?? 'en';
  await assertNoDuplicate(deps.db.kysely, projectId, { providerId: input.providerId, namespace: input.namespace, language });
  const now = Date.now();
  const row: TemplateRow = {
    id: newId(now),
    project_id: projectId,
    provider_id: input.providerId,
    namespace: input.namespace,
    body: input.body,
    placeholder_count: count,
    attachment_type: input.attachmentType,
    language,
    created_at: now,
    updated_at: now,
    deleted_at: null,
  };
  await deps.db.kysely.insertInto('templates').values(row).execute();
  return toTemplate(row);
}

export async function getTemplateRow(deps: Pick<AppDeps, 'db'>, projectId: string, id: string): Promise<TemplateRow> {
  const row = await deps.db.kysely
    .selectFrom('templates')
    .selectAll()
    .where('id', '=', id)
    .where('project_id', '=', projectId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound('Template', id);
  return row;
}

export async function listTemplates(deps: Pick<AppDeps, 'db'>, projectId: string, providerId?: string): Promise<Template[]> {
  let query = deps.db.kysely.selectFrom('templates').selectAll().where('project_id', '=', projectId).where('deleted_at', 'is', null);
  if (providerId) query = query.where('provider_id', '=', providerId);
  return (await query.orderBy('created_at').execute()).map(toTemplate);
}

async function assertNotInUse(db: Kysely<Database>, projectId: string, id: string, action: string): Promise<void> {
  const busy = await db
    .selectFrom('campaigns')
    .select(['id', 'name', 'state'])
    .where('project_id', '=', projectId)
    .where('template_id', '=', id)
    .where('state', 'in', [...ACTIVE_CAMPAIGN_STATES])
    .limit(5)
    .execute();
  if (busy.length > 0) {
    throw conflict(
      'template_in_use',
      `This template cannot be ${action} while ${busy.map((campaign) => `"${campaign.name}" (${campaign.state})`).join(', ')} ${busy.length === 1 ? 'uses' : 'use'} it: stop or finish ${busy.length === 1 ? 'that campaign' : 'those campaigns'} first, or create a new template.`,
      { campaigns: busy.map((campaign) => campaign.id) },
    );
  }
}

/**
 * The template's row, locked for the rest of the transaction (PostgreSQL `FOR UPDATE`; SQLite's
 * write transaction is exclusive). A change takes it before its "in use" check, and publish takes
 * the same lock, so a campaign published meanwhile either commits before the check (the change is
 * refused) or sees the template as changed (and is checked against it again, or refused).
 */
async function lockTemplate(deps: Pick<AppDeps, 'db'>, trx: Kysely<Database>, projectId: string, id: string): Promise<TemplateRow> {
  const row = await lockForUpdate(
    trx.selectFrom('templates').selectAll().where('id', '=', id).where('project_id', '=', projectId).where('deleted_at', 'is', null),
    deps.db.dialect,
  ).executeTakeFirst();
  if (!row) throw notFound('Template', id);
  return row;
}

export async function updateTemplate(deps: Pick<AppDeps, 'db'>, projectId: string, id: string, patch: Partial<TemplateInput>): Promise<Template> {
  // The fields are checked before the transaction; their problems are answered after "not found"
  // and "in use", as before.
  const { problems, count } = await check(deps, projectId, patch);
  return writeTransaction(deps.db, async (trx) => {
    // An account the template moves to is locked before the template (publish's order), so it
    // cannot be deleted between this check and the move (its templates are deleted with it).
    if (patch.providerId !== undefined && !problems.some((problem) => problem.path === 'providerId')) {
      const account = await lockForUpdate(
        trx.selectFrom('provider_accounts').select('id').where('id', '=', patch.providerId).where('project_id', '=', projectId).where('deleted_at', 'is', null),
        deps.db.dialect,
      ).executeTakeFirst();
      if (!account) problems.push({ path: 'providerId', message: 'is not a provider account of this project' });
    }
    const row = await lockTemplate(deps, trx, projectId, id);
    await assertNotInUse(trx, projectId, id, 'edited');
    if (problems.length > 0) throw validationFailed(problems);
    const next: TemplateRow = {
      ...row,
      ...(patch.providerId !== undefined ? { provider_id: patch.providerId } : {}),
      ...(patch.namespace !== undefined ? { namespace: patch.namespace } : {}),
      ...(patch.body !== undefined ? { body: patch.body, placeholder_count: count } : {}),
      ...(patch.attachmentType !== undefined ? { attachment_type: patch.attachmentType } : {}),
      ...(patch.language !== undefined ? { language: patch.language } : {}),
      updated_at: Date.now(),
    };
    // A change of namespace, language or account may land on another template's key (refused on
    // create, it was accepted here, leaving two templates a send could not tell apart).
    await assertNoDuplicate(trx, projectId, { providerId: next.provider_id, namespace: next.namespace, language: next.language }, id);
    await trx
      .updateTable('templates')
      .set({
        provider_id: next.provider_id,
        namespace: next.namespace,
        body: next.body,
        placeholder_count: next.placeholder_count,
        attachment_type: next.attachment_type,
        language: next.language,
        updated_at: next.updated_at,
      })
      .where('id', '=', id)
      .where('project_id', '=', projectId)
      .execute();
    return toTemplate(next);
  });
}

/** Deleted templates are kept (marked) for the history of the campaigns that used them. */
export async function deleteTemplate(deps: Pick<AppDeps, 'db'>, projectId: string, id: string): Promise<void> {
  await writeTransaction(deps.db, async (trx) => {
    await lockTemplate(deps, trx, projectId, id);
    await assertNotInUse(trx, projectId, id, 'deleted');
    const now = Date.now();
    await trx.updateTable('templates').set({ deleted_at: now, updated_at: now }).where('id', '=', id).where('project_id', '=', projectId).execute();
  });
}
