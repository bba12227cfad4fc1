/**
 * Campaigns: a template sent to an audience through one provider account, personalised per
 * profile. States: draft → (scheduled →) running ⇄ paused → completed | stopped (| failed).
 * Publishing only changes the state; the Publisher creates the message rows in the background and
 * the dispatcher sends them, so even a 1,000,000-recipient publish answers at once.
 */
import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { Insertable, Updateable } from 'kysely';
import type { CampaignRow, CampaignState, CampaignsTable, TemplateRow } from '../storage/schema.js';
import { writeTransaction } from '../storage/transaction.js';
import { lockForUpdate } from '../storage/row-locks.js';
import { newId } from '../ids.js';
import { parseJson, toJson } from '../storage/json.js';
import { conflict, notFound, validationFailed, type FieldProblem } from '../errors.js';
import { campaignWarnings, type CampaignWarning, type WarningFacts } from './delivery-report-warning.js';
import { idCursor } from '../cursors.js';
import { compileParams, liquidProblem } from '../templates/render.js';
import { fixedOrigin, outboundUrlProblem } from '../net/outbound-url.js';
import { inDndWindow, isValidTime, isValidTimezone, localMinutes, type DndWindow } from './dnd.js';
import { CampaignDeltas } from './counters.js';
import { checkFrequencyCap, type FrequencyCap } from './frequency-cap.js';
import { mediaUrlRequired } from '../templates/attachments.js';
import { estimateAudience } from '../audience/audience.service.js';
import { exceedsLimit, messagingLimitMessage, messagingLimitOf, type LimitFacts } from '../providers/messaging-limit.js';
import { isRecord } from '../providers/provider-wire.js';
import { recordActivity, type ActivityAction, type Actor } from './campaign-activity.js';

const AUDIENCE_KINDS: readonly string[] = ['segmentId', 'all', 'identities'];

export type Audience = { segmentId: string } | { all: true } | { identities: string[] };

export interface CampaignInput {
  name: string;
  providerId?: string | undefined;
  templateId: string;
  audience: Audience;
  params: string[];
  mediaUrl?: string | null | undefined;
  sendAt?: number | string | null | undefined;
  ratePerSecond?: number | null | undefined;
  dnd?: DndWindow | null | undefined;
  cutoffAt?: number | string | null | undefined;
  conversionEvent?: string | null | undefined;
  /** Skip recipients who already received this many messages in this many days. */
  frequencyCap?: FrequencyCap | null | undefined;
}

export interface CampaignStats {
  targeted: number;
  skipped: { notOptedIn: number; dnd: number; invalidPhone: number; renderError: number; frequencyCap: number; total: number };
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  unknown: number;
  cancelled: number;
  replied: number;
  converted: number;
  failedByCategory: Record<string, number>;
}

export interface Campaign {
  id: string;
  name: string;
  providerId: string;
  templateId: string;
  audience: Audience;
  params: string[];
  mediaUrl: string | null;
  sendAt: number | null;
  ratePerSecond: number | null;
  dnd: DndWindow | null;
  cutoffAt: number | null;
  conversionEvent: string | null;
  frequencyCap: FrequencyCap | null;
  state: CampaignState;
  stateReason: string | null;
  clonedFrom: string | null;
  createdAt: number;
  updatedAt: number;
  publishedAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  /** True once every recipient has a message row (publish finished). */
  audienceMaterialized: boolean;
  stats: CampaignStats;
  /** Things about the campaign's sending that need a person's attention (delivery-report-warning.ts). */
  warnings: CampaignWarning[];
}

const MAX_IDENTITIES = 100_000;

/** The furthest instant from 1970 a date can name (JavaScript's Date range, ±100,000,000 days). */
const MAX_TIME_MS = 8_640_000_000_000_000;

function toTime(value: number | string | null | undefined, path: string, problems: FieldProblem[]): number | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  // A fraction of a millisecond or a number beyond any date is no time: stored, it broke the
  // bigint column on PostgreSQL (a 500) and was kept as nonsense on SQLite.
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_TIME_MS) {
    problems.push({ path, message: 'must be a date-time (ISO 8601 such as 2026-12-01T09:00:00Z, or epoch milliseconds)' });
    return null;
  }
  return ms;
}

interface Checked {
  row: Pick<
    Insertable<CampaignsTable>,
    'name' | 'provider_id' | 'template_id' | 'audience' | 'params' | 'media_url' | 'send_at' | 'rate_per_second' | 'dnd' | 'cutoff_at' | 'conversion_event' | 'frequency_cap'
  >;
  /** The template as it was checked against (publish makes sure it is still so when it commits). */
  template: TemplateRow;
}

/**
 * Which times must lie in the future. A draft's must (at create, edit, publish and clone): a send
 * time or cut-off already past would send at once, or cancel everything at once. A published
 * campaign's only when the change sets them: its send time may have passed because it started.
 */
export interface TimeChecks {
  sendAt: boolean;
  cutoffAt: boolean;
  /** Publishing now: a campaign without a send time starts at once. */
  publishing?: boolean;
  /** Whether the campaign may not start inside DND hours that discard (below). */
  dndStart: boolean;
}

const DRAFT_TIME_CHECKS: TimeChecks = { sendAt: true, cutoffAt: true, dndStart: true };

/** Validates a whole campaign definition; every problem is reported with its field path. */
export async function checkCampaign(deps: Pick<AppDeps, 'db' | 'config'>, projectId: string, input: CampaignInput, timeChecks: TimeChecks = DRAFT_TIME_CHECKS): Promise<Checked> {
  const problems: FieldProblem[] = [];
  const { db } = deps;
  const name = (input.name ?? '').trim();
  if (!name) problems.push({ path: 'name', message: 'is required' });
  else if (name.length > 200) problems.push({ path: 'name', message: 'must be at most 200 characters' });

  let providerId = input.providerId;
  if (!providerId) {
    const fallback = await db.kysely
      .selectFrom('provider_accounts')
      .select('id')
      .where('project_id', '=', projectId)
      .where('deleted_at', 'is', null)
      .where('is_default', '=', 1)
      .executeTakeFirst();
    providerId = fallback?.id;
    if (!providerId) problems.push({ path: 'providerId', message: 'is required: this project has no default provider account (add one under Settings → Channels → WhatsApp)' });
  }
  const provider = providerId
    ? await db.kysely
        .selectFrom('provider_accounts')
        .select(['id', 'rate_per_second'])
        .where('id', '=', providerId)
        .where('project_id', '=', projectId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst()
    : undefined;
  if (providerId && !provider) problems.push({ path: 'providerId', message: 'is not a provider account of this project' });

  const template = input.templateId
    ? await db.kysely
        .selectFrom('templates')
        .selectAll()
        .where('id', '=', input.templateId)
        .where('project_id', '=', projectId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst()
    : undefined;
  if (!input.templateId) problems.push({ path: 'templateId', message: 'is required' });
  else if (!template) problems.push({ path: 'templateId', message: 'is not a template of this project' });
  else if (provider && template.provider_id !== provider.id) {
    problems.push({ path: 'templateId', message: 'belongs to another provider account: pick a template registered for the chosen provider' });
  }

  const audience = input.audience as Record<string, unknown> | undefined;
  const audienceKinds = audience ? AUDIENCE_KINDS.filter((key) => audience[key] !== undefined) : [];
  // The audience is stored as given: a field beside its kind would be kept, and every later answer
  // that shows the campaign would fail its response schema.
  const strayAudienceFields = isRecord(audience) ? Object.keys(audience).filter((key) => !AUDIENCE_KINDS.includes(key)) : [];
  if (strayAudienceFields.length > 0) {
    problems.push({ path: `audience.${strayAudienceFields[0]}`, message: `is not an audience field: use exactly one of segmentId, all or identities` });
  } else if (!isRecord(audience) || audienceKinds.length !== 1) {
    problems.push({ path: 'audience', message: 'must be exactly one of {"segmentId": "…"}, {"all": true} or {"identities": ["…"]}' });
  } else if ('segmentId' in audience) {
    const segment = await db.kysely
      .selectFrom('segments')
      .select('id')
      .where('id', '=', String(audience.segmentId))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    if (!segment) problems.push({ path: 'audience.segmentId', message: 'is not a segment of this project' });
  } else if ('all' in audience) {
    if (audience.all !== true) problems.push({ path: 'audience.all', message: 'must be true' });
  } else if ('identities' in audience) {
    const identities = audience.identities;
    if (!Array.isArray(identities) || identities.length === 0) problems.push({ path: 'audience.identities', message: 'must be a non-empty list of profile identities' });
    else if (identities.length > MAX_IDENTITIES) problems.push({ path: 'audience.identities', message: `may hold at most ${MAX_IDENTITIES.toLocaleString('en-US')} identities; use a segment for more` });
    else if (identities.some((identity) => typeof identity !== 'string' || identity === '')) problems.push({ path: 'audience.identities', message: 'must contain only non-empty strings' });
  }

  const params = Array.isArray(input.params) ? input.params : [];
  if (!Array.isArray(input.params)) problems.push({ path: 'params', message: 'must be a list with one Liquid value per template placeholder' });
  if (template && params.length !== template.placeholder_count) {
    problems.push({
      path: 'params',
      message: `the template has ${template.placeholder_count} placeholder(s) ({{1}}…{{${template.placeholder_count}}}) but ${params.length} value(s) were given`,
    });
  }
  if (params.some((param) => typeof param !== 'string')) problems.push({ path: 'params', message: 'must contain only strings' });
  else {
    const compiled = compileParams(params);
    if (!compiled.ok) problems.push(...compiled.problems);
  }

  const mediaUrl = input.mediaUrl ? input.mediaUrl.trim() : null;
  if (template && template.attachment_type !== 'none' && !mediaUrl) {
    problems.push({ path: 'mediaUrl', message: mediaUrlRequired(template.attachment_type) });
  }
  if (template && template.attachment_type === 'none' && mediaUrl) {
    problems.push({ path: 'mediaUrl', message: 'must be empty: the template has no attachment' });
  }
  // The publisher renders a media URL that holds {{: refuse what it could not parse now.
  const mediaLiquidProblem = mediaUrl?.includes('{{') ? liquidProblem(mediaUrl) : null;
  if (mediaLiquidProblem) problems.push({ path: 'mediaUrl', message: mediaLiquidProblem });
  else if (mediaUrl) {
    // With Liquid in it, the URL is checked as far as it is fixed: its host when no Liquid is in
    // the host, and every rendered URL at publish (renderedUrlProblem and, when the host itself is
    // rendered, renderedHostProblems; a failing one is skipped).
    const origin = fixedOrigin(mediaUrl);
    const problem = origin ? await outboundUrlProblem(origin === mediaUrl ? mediaUrl : `${origin}/`, deps.config.allowPrivateUrls) : null;
    if (problem) problems.push({ path: 'mediaUrl', message: problem });
  }

  const now = Date.now();
  const sendAt = toTime(input.sendAt, 'sendAt', problems);
  const cutoffAt = toTime(input.cutoffAt, 'cutoffAt', problems);
  if (timeChecks.sendAt && sendAt !== null && sendAt <= now) {
    problems.push({ path: 'sendAt', message: 'must be in the future: pick a new time, or leave it empty to send when published' });
  }
  if (cutoffAt !== null) {
    if (sendAt !== null && cutoffAt <= sendAt) problems.push({ path: 'cutoffAt', message: 'must be after the send time' });
    else if (timeChecks.cutoffAt && cutoffAt <= now) problems.push({ path: 'cutoffAt', message: 'must be in the future: messages not sent by the cut-off are cancelled' });
  }

  let rate: number | null = null;
  if (input.ratePerSecond !== undefined && input.ratePerSecond !== null) {
    rate = input.ratePerSecond;
    if (!Number.isInteger(rate) || rate < 1) problems.push({ path: 'ratePerSecond', message: 'must be a whole number of at least 1' });
    else if (provider && rate > provider.rate_per_second) {
      problems.push({ path: 'ratePerSecond', message: `must be at most ${provider.rate_per_second}, the provider account's limit` });
    }
  }

  let dnd: DndWindow | null = null;
  if (input.dnd) {
    const window = input.dnd;
    if (!isValidTime(window.from)) problems.push({ path: 'dnd.from', message: 'must be a time HH:MM (24-hour), e.g. 21:00' });
    if (!isValidTime(window.to)) problems.push({ path: 'dnd.to', message: 'must be a time HH:MM (24-hour), e.g. 09:00' });
    if (!isValidTimezone(window.timezone)) problems.push({ path: 'dnd.timezone', message: 'must be an IANA timezone such as Asia/Kolkata or Europe/Berlin' });
    if (window.action !== 'delay' && window.action !== 'discard') problems.push({ path: 'dnd.action', message: 'must be "delay" or "discard"' });
    // The same start and end would be an empty window: DND hours that never apply.
    if (isValidTime(window.from) && window.from === window.to) {
      problems.push({ path: 'dnd.to', message: `must differ from dnd.from: ${window.from} to ${window.to} is no window at all (turn DND hours off to send at any time)` });
    }
    dnd = { from: window.from, to: window.to, timezone: window.timezone, action: window.action };
    // Starting inside DND hours that discard would discard every message at once (the scheduler
    // ends such a campaign within a second): refused, saying what to do instead.
    const startsAt = sendAt ?? (timeChecks.publishing ? now : null);
    const windowValid = !problems.some((problem) => problem.path.startsWith('dnd.'));
    if (windowValid && dnd.action === 'discard' && timeChecks.dndStart && startsAt !== null && inDndWindow(dnd, startsAt)) {
      const local = localMinutes(startsAt, dnd.timezone);
      const clock = `${String(Math.floor(local / 60)).padStart(2, '0')}:${String(local % 60).padStart(2, '0')}`;
      problems.push({
        path: 'dnd',
        message: `would discard every message: the campaign ${sendAt === null ? 'starts now' : 'starts'} at ${clock} ${dnd.timezone}, inside its DND hours (${dnd.from}–${dnd.to}). Send outside them, or choose "delay" to send when they end`,
      });
    }
  }

  const frequencyCap = checkFrequencyCap(input.frequencyCap, problems);

  const conversionEvent = input.conversionEvent?.trim() || null;
  if (problems.length > 0) throw validationFailed(problems);
  return {
    row: {
      name,
      provider_id: provider!.id,
      template_id: template!.id,
      audience: toJson(input.audience),
      params: toJson(params),
      media_url: mediaUrl,
      send_at: sendAt,
      rate_per_second: rate,
      dnd: dnd ? toJson(dnd) : null,
      cutoff_at: cutoffAt,
      conversion_event: conversionEvent,
      frequency_cap: frequencyCap ? toJson(frequencyCap) : null,
    },
    template: template!,
  };
}

async function getRow(deps: Pick<AppDeps, 'db'>, projectId: string, id: string): Promise<CampaignRow> {
  const row = await deps.db.kysely.selectFrom('campaigns').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound('Campaign', id);
  return row;
}

/**
 * Creates a draft, with its `created` entry (or, for a copy, `cloned_from` on it and `cloned` on
 * the original) in the same transaction.
 */
export async function createCampaign(
  deps: Pick<AppDeps, 'db' | 'config'>,
  projectId: string,
  input: CampaignInput,
  actor: Actor,
  clonedFrom: { id: string; name: string } | null = null,
): Promise<Campaign> {
  const { row } = await checkCampaign(deps, projectId, input);
  const now = Date.now();
  const id = newId(now);
  await deps.db.kysely.transaction().execute(async (trx) => {
    await trx
      .insertInto('campaigns')
      .values({ ...row, id, project_id: projectId, state: 'draft', state_reason: null, cloned_from: clonedFrom?.id ?? null, created_at: now, updated_at: now, published_at: null, started_at: null, completed_at: null, materialize_cursor: null, materialized_at: null })
      .execute();
    await trx.insertInto('campaign_counters').values({ campaign_id: id }).execute();
    await recordActivity(
      trx,
      clonedFrom
        ? [
            { projectId, campaignId: clonedFrom.id, action: 'cloned', actor, at: now, details: { campaignId: id, name: row.name } },
            { projectId, campaignId: id, action: 'cloned_from', actor, at: now, details: { campaignId: clonedFrom.id, name: clonedFrom.name } },
          ]
        : { projectId, campaignId: id, action: 'created', actor, at: now },
    );
  });
  return getCampaign(deps, projectId, id);
}

/** The API name of each column an edit may change. */
const FIELD_OF_COLUMN: Record<keyof Checked['row'], keyof CampaignInput> = {
  name: 'name',
  provider_id: 'providerId',
  template_id: 'templateId',
  audience: 'audience',
  params: 'params',
  media_url: 'mediaUrl',
  send_at: 'sendAt',
  rate_per_second: 'ratePerSecond',
  dnd: 'dnd',
  cutoff_at: 'cutoffAt',
  conversion_event: 'conversionEvent',
  frequency_cap: 'frequencyCap',
};
const JSON_COLUMNS = new Set<string>(['audience', 'params', 'dnd', 'frequency_cap']);

/** A value in one spelling whatever the engine (PostgreSQL's jsonb orders object keys its own way). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The API names of the fields whose stored value the edit changes. */
function changedFields(before: CampaignRow, after: Checked['row']): Array<keyof CampaignInput> {
  const changed: Array<keyof CampaignInput> = [];
  for (const [column, field] of Object.entries(FIELD_OF_COLUMN) as Array<[keyof Checked['row'], keyof CampaignInput]>) {
    const old = before[column];
    const next = after[column];
    const same = JSON_COLUMNS.has(column) ? canonical(parseJson(old, null)) === canonical(parseJson(next, null)) : canonical(old) === canonical(next);
    if (!same) changed.push(field);
  }
  return changed;
}

const EDITABLE_WHEN_PUBLISHED = new Set(['name', 'ratePerSecond', 'cutoffAt', 'dnd']);

/**
 * Checks a change of a campaign: drafts can change entirely, scheduled and paused campaigns only
 * their name and delivery settings (409 otherwise); then every field problem of the result (422).
 */
async function checkCampaignPatch(deps: Pick<AppDeps, 'db' | 'config'>, projectId: string, row: CampaignRow, patch: Partial<CampaignInput>): Promise<Checked> {
  if (row.state !== 'draft') {
    const blocked = Object.keys(patch).filter((key) => !EDITABLE_WHEN_PUBLISHED.has(key));
    if (row.state === 'running' || row.state === 'completed' || row.state === 'stopped' || row.state === 'failed' || blocked.length > 0) {
      throw conflict(
        'campaign_not_editable',
        row.state === 'running'
          ? 'A running campaign cannot be edited: pause it first (then only its name and delivery settings can change), or clone it.'
          : row.state === 'scheduled' || row.state === 'paused'
            ? `A ${row.state} campaign can only change its name, messages per second, cut-off and DND hours (not ${blocked.join(', ')}); clone it to change the rest.`
            : `A ${row.state} campaign cannot be edited; clone it instead.`,
      );
    }
  }
  // A scheduled campaign given new DND hours must not start inside them either.
  const notStarted = row.state === 'scheduled' || (row.state === 'paused' && row.started_at === null);
  const timeChecks = row.state === 'draft' ? DRAFT_TIME_CHECKS : { sendAt: false, cutoffAt: patch.cutoffAt !== undefined, dndStart: notStarted && patch.dnd !== undefined };
  return checkCampaign(deps, projectId, { ...toCampaignInput(row), ...patch }, timeChecks);
}

/** The checks of PATCH for a request whose body failed its schema (see refuseInvalidBody). */
export async function campaignPatchProblems(deps: Pick<AppDeps, 'db' | 'config'>, projectId: string, id: string, patch: Partial<CampaignInput>): Promise<void> {
  await checkCampaignPatch(deps, projectId, await getRow(deps, projectId, id), patch);
}

/**
 * Changes a campaign. The write applies only if the campaign is still in the state it was checked
 * in: a draft published (or a scheduled campaign started) between the check and the write is
 * checked again as it is now, so a running campaign never takes a change only a draft may have.
 */
export async function updateCampaign(deps: Pick<AppDeps, 'db' | 'config'>, projectId: string, id: string, patch: Partial<CampaignInput>, actor: Actor): Promise<Campaign> {
  for (let attempt = 1; ; attempt++) {
    const row = await getRow(deps, projectId, id);
    const { row: checked } = await checkCampaignPatch(deps, projectId, row, patch);
    // The entry names the fields whose value changed, compared with the row the change applies to
    // (the write is conditional on its state; another edit in between changes updated_at only).
    const fields = changedFields(row, checked);
    const now = Date.now();
    const updated = await deps.db.kysely.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('campaigns')
        .set({ ...checked, updated_at: now })
        .where('id', '=', id)
        .where('project_id', '=', projectId)
        .where('state', '=', row.state)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      // Saved unchanged: nothing to record.
      if (fields.length > 0) await recordActivity(trx, { projectId, campaignId: id, action: 'edited', actor, at: now, details: { fields } });
      return true;
    });
    if (updated) break;
    if (attempt === EDIT_ATTEMPTS) throw conflict('changed_while_editing', 'The campaign kept changing state while it was being saved: open it again and save.');
  }
  return getCampaign(deps, projectId, id);
}

/**
 * A stored audience as the API shows it: its kind only. Campaigns saved before fields beside the
 * kind were refused may hold one, which the strict answer schema would turn into a 500.
 */
function storedAudience(text: CampaignRow['audience']): Audience {
  const stored = parseJson<unknown>(text, { all: true });
  if (!isRecord(stored)) return stored as Audience;
  if (stored.segmentId !== undefined) return { segmentId: stored.segmentId as string };
  if (stored.identities !== undefined) return { identities: stored.identities as string[] };
  if (stored.all !== undefined) return { all: stored.all as true };
  return stored as Audience;
}

/** An edit re-checks at most this many times when the campaign's state changes before it writes. */
const EDIT_ATTEMPTS = 3;

function toCampaignInput(row: CampaignRow): CampaignInput {
  return {
    name: row.name,
    providerId: row.provider_id,
    templateId: row.template_id,
    audience: storedAudience(row.audience),
    params: parseJson<string[]>(row.params, []),
    mediaUrl: row.media_url,
    sendAt: row.send_at,
    ratePerSecond: row.rate_per_second,
    dnd: parseJson<DndWindow | null>(row.dnd, null),
    cutoffAt: row.cutoff_at,
    conversionEvent: row.conversion_event,
    frequencyCap: parseJson<FrequencyCap | null>(row.frequency_cap, null),
  };
}

export function statsFromCounters(counters: Record<string, number> | undefined, failures: Array<{ category: string; count: number }>): CampaignStats {
  const c = (key: string) => Number(counters?.[key] ?? 0);
  const skipped = {
    notOptedIn: c('skipped_not_opted_in'),
    dnd: c('skipped_dnd'),
    invalidPhone: c('skipped_invalid_phone'),
    renderError: c('skipped_render_error'),
    frequencyCap: c('skipped_frequency_cap'),
    total: 0,
  };
  skipped.total = skipped.notOptedIn + skipped.dnd + skipped.invalidPhone + skipped.renderError + skipped.frequencyCap;
  return {
    targeted: c('targeted'),
    skipped,
    queued: c('queued'),
    sent: c('sent'),
    delivered: c('delivered'),
    read: c('read'),
    failed: c('failed'),
    unknown: c('unknown'),
    cancelled: c('cancelled'),
    replied: c('replied'),
    converted: c('converted'),
    failedByCategory: Object.fromEntries(failures.filter((failure) => failure.count > 0).map((failure) => [failure.category, Number(failure.count)])),
  };
}

/** The account fields a campaign's warnings need, from a provider_accounts row (or a join). */
function warningAccount(
  row: { nickname: string | null; last_receipt_at: number | null; last_throttled_at: number | null; deleted_at: number | null } | undefined,
): WarningFacts['account'] {
  return row?.nickname == null ? null : { nickname: row.nickname, lastReceiptAt: row.last_receipt_at, lastThrottledAt: row.last_throttled_at, deleted: row.deleted_at !== null };
}

function toCampaign(row: CampaignRow, stats: CampaignStats, account: WarningFacts['account'], now = Date.now()): Campaign {
  const input = toCampaignInput(row);
  return {
    id: row.id,
    name: row.name,
    providerId: row.provider_id,
    templateId: row.template_id,
    audience: input.audience,
    params: input.params,
    mediaUrl: row.media_url,
    sendAt: row.send_at,
    ratePerSecond: row.rate_per_second,
    dnd: input.dnd ?? null,
    cutoffAt: row.cutoff_at,
    conversionEvent: row.conversion_event,
    frequencyCap: input.frequencyCap ?? null,
    state: row.state,
    stateReason: row.state_reason,
    clonedFrom: row.cloned_from,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    audienceMaterialized: row.materialized_at !== null,
    stats,
    warnings: [...campaignWarnings({ state: row.state, startedAt: row.started_at, stats, account, now }), ...limitWarningOf(row)],
  };
}

/** The messaging-limit warning recorded at publish, if any. */
function limitWarningOf(row: CampaignRow): CampaignWarning[] {
  const facts = parseJson<LimitFacts | null>(row.messaging_limit_warning, null);
  const message = facts ? messagingLimitMessage(facts, 'at_publish') : null;
  return message ? [{ code: 'messaging_limit', message }] : [];
}

/**
 * Recipients the campaign would message now (reachable, less those its frequency cap skips) against
 * what its account has left of WhatsApp's daily messaging limit: the facts when the audience is
 * larger, else null. Only accounts with a limit set pay for the count (the builder's reach query).
 */
export async function messagingLimitExceeded(
  deps: Pick<AppDeps, 'db'>,
  projectId: string,
  providerId: string,
  audience: Audience,
  frequencyCap: FrequencyCap | null,
): Promise<LimitFacts | null> {
  const account = await deps.db.kysely
    .selectFrom('provider_accounts')
    .select(['id', 'daily_recipient_limit'])
    .where('id', '=', providerId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  const limit = account ? await messagingLimitOf(deps.db, projectId, account) : null;
  if (!limit) return null;
  const estimate = await estimateAudience(deps.db, projectId, audience, { frequencyCap });
  const facts = { audience: estimate.reachable - (estimate.frequencyCapped ?? 0), limit: limit.limit, usedLast24h: limit.usedLast24h };
  return exceedsLimit(facts) ? facts : null;
}

/** The campaign with its stats: four indexed reads, whatever the campaign's size. */
export async function getCampaign(deps: Pick<AppDeps, 'db'>, projectId: string, id: string): Promise<Campaign> {
  const row = await getRow(deps, projectId, id);
  const counters = await deps.db.kysely.selectFrom('campaign_counters').selectAll().where('campaign_id', '=', id).executeTakeFirst();
  const failures = await deps.db.kysely.selectFrom('campaign_failures').select(['category', 'count']).where('campaign_id', '=', id).execute();
  const account = await deps.db.kysely
    .selectFrom('provider_accounts')
    .select(['nickname', 'last_receipt_at', 'last_throttled_at', 'deleted_at'])
    .where('id', '=', row.provider_id)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return toCampaign(row, statsFromCounters(counters as unknown as Record<string, number> | undefined, failures), warningAccount(account));
}

export async function listCampaigns(
  deps: Pick<AppDeps, 'db'>,
  projectId: string,
  options: { state?: CampaignState | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: Array<Campaign & { createdBy: CreatedBy | null }>; nextCursor: string | null }> {
  let query = deps.db.kysely
    .selectFrom('campaigns')
    .leftJoin('campaign_counters', 'campaign_counters.campaign_id', 'campaigns.id')
    .leftJoin('provider_accounts', 'provider_accounts.id', 'campaigns.provider_id')
    .selectAll('campaigns')
    .select([
      'provider_accounts.nickname as account_nickname',
      'provider_accounts.last_receipt_at as account_last_receipt_at',
      'provider_accounts.last_throttled_at as account_last_throttled_at',
      'provider_accounts.deleted_at as account_deleted_at',
    ])
    .select([
      'campaign_counters.targeted', 'campaign_counters.queued', 'campaign_counters.sent', 'campaign_counters.delivered',
      'campaign_counters.read', 'campaign_counters.failed', 'campaign_counters.unknown', 'campaign_counters.cancelled',
      'campaign_counters.replied', 'campaign_counters.converted', 'campaign_counters.skipped_not_opted_in', 'campaign_counters.skipped_dnd',
      'campaign_counters.skipped_invalid_phone', 'campaign_counters.skipped_render_error', 'campaign_counters.skipped_frequency_cap',
    ])
    .where('campaigns.project_id', '=', projectId);
  if (options.state) query = query.where('campaigns.state', '=', options.state);
  const after = idCursor(options.cursor);
  if (after) query = query.where('campaigns.id', '<', after);
  const rows = await query.orderBy('campaigns.id', 'desc').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit);
  // The failure categories of the whole page in one indexed read (primary key campaign_id,
  // category): the list answers the same stats as GET /campaigns/:id, not an empty breakdown.
  const failures = new Map<string, Array<{ category: string; count: number }>>();
  if (page.length > 0) {
    const failureRows = await deps.db.kysely
      .selectFrom('campaign_failures')
      .select(['campaign_id', 'category', 'count'])
      .where('campaign_id', 'in', page.map((row) => row.id))
      .execute();
    for (const failure of failureRows) failures.set(failure.campaign_id, [...(failures.get(failure.campaign_id) ?? []), failure]);
  }
  const creators = await createdByOf(deps, projectId, page.map((row) => row.id));
  return {
    items: page.map((row) =>
      toCampaign(
        row as unknown as CampaignRow,
        statsFromCounters(row as unknown as Record<string, number>, failures.get(row.id) ?? []),
        warningAccount({
          nickname: row.account_nickname,
          last_receipt_at: row.account_last_receipt_at,
          last_throttled_at: row.account_last_throttled_at,
          deleted_at: row.account_deleted_at,
        }),
      ),
    ).map((campaign) => ({ ...campaign, createdBy: creators.get(campaign.id) ?? null })),
    nextCursor: rows.length > options.limit ? page[page.length - 1]!.id : null,
  };
}

/**
 * Moves the campaign from one of `from` to `to`, and records `activity` by `actor` in the same
 * transaction; 409 (and no entry) when its state is not one of `from`.
 */
/** Who created a campaign (or the copy), from its activity; null for campaigns older than it. */
export interface CreatedBy {
  type: 'user' | 'api' | 'system';
  label: string;
}

/** The creators of a page of campaigns: one read by the activity's (campaign_id, id) index. */
async function createdByOf(deps: Pick<AppDeps, 'db'>, projectId: string, campaignIds: string[]): Promise<Map<string, CreatedBy>> {
  const creators = new Map<string, CreatedBy>();
  if (campaignIds.length === 0) return creators;
  const rows = await deps.db.kysely
    .selectFrom('campaign_activity')
    .select(['campaign_id', 'actor_type', 'actor_label'])
    .where('campaign_id', 'in', campaignIds)
    .where('project_id', '=', projectId)
    .where('action', 'in', ['created', 'cloned_from'])
    .execute();
  for (const row of rows) creators.set(row.campaign_id, { type: row.actor_type, label: row.actor_label });
  return creators;
}

async function setState(
  deps: Pick<AppDeps, 'db' | 'bus'>,
  projectId: string,
  id: string,
  from: readonly CampaignState[],
  to: CampaignState,
  action: string,
  activity: { action: ActivityAction; actor: Actor; details?: Record<string, unknown> },
  extra: Updateable<CampaignsTable> = {},
): Promise<void> {
  const now = Date.now();
  const changed = await deps.db.kysely.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('campaigns')
      .set({ state: to, updated_at: now, ...extra })
      .where('id', '=', id)
      .where('project_id', '=', projectId)
      .where('state', 'in', [...from])
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await recordActivity(trx, { projectId, campaignId: id, at: now, ...activity });
    return true;
  });
  if (!changed) {
    const row = await getRow(deps, projectId, id);
    throw conflict('invalid_state', `Cannot ${action} a ${row.state} campaign (allowed from: ${from.join(', ')}).`, { state: row.state });
  }
  deps.bus.emit('campaign-changed', id, 'state');
}

/** A publish re-checks at most this many times when what it checked changes before it commits. */
const PUBLISH_ATTEMPTS = 3;

/**
 * Publishes a draft. The check (template, account, audience…) and the state change are one step
 * against deleting the account or editing or deleting the template: the transaction locks the
 * campaign, account and template rows (in that order; PostgreSQL `FOR UPDATE`, SQLite a write
 * transaction), the same rows those changes lock before their "in use" check. Whichever commits
 * first wins: a change committed after the check but before the lock is seen here, and the
 * campaign is checked again, so the publish is refused with the reason a later publish would get.
 */
export async function publishCampaign(deps: Pick<AppDeps, 'db' | 'bus' | 'config'>, projectId: string, id: string, actor: Actor): Promise<Campaign> {
  for (let attempt = 1; ; attempt++) {
    const row = await getRow(deps, projectId, id);
    if (row.state !== 'draft') throw conflict('invalid_state', `Cannot publish a ${row.state} campaign: it was published already.`, { state: row.state });
    // The template, account and audience may have changed since the draft was saved. Checked
    // before the transaction: a media URL's check resolves its host, too slow to hold locks for.
    const checked = await checkCampaign(deps, projectId, toCampaignInput(row), { ...DRAFT_TIME_CHECKS, publishing: true });
    // A warning, never a refusal (the tier set may be out of date); counted before the locks.
    const input = toCampaignInput(row);
    const overLimit = await messagingLimitExceeded(deps, projectId, checked.row.provider_id, input.audience, input.frequencyCap ?? null);
    const now = Date.now();
    const scheduled = row.send_at !== null && row.send_at > now;
    const published = await writeTransaction(deps.db, async (trx) => {
      const dialect = deps.db.dialect;
      const campaign = await lockForUpdate(trx.selectFrom('campaigns').selectAll().where('id', '=', id).where('project_id', '=', projectId), dialect).executeTakeFirst();
      const account = await lockForUpdate(
        trx.selectFrom('provider_accounts').select('id').where('id', '=', checked.row.provider_id).where('project_id', '=', projectId).where('deleted_at', 'is', null),
        dialect,
      ).executeTakeFirst();
      const template = await lockForUpdate(
        trx.selectFrom('templates').selectAll().where('id', '=', checked.template.id).where('project_id', '=', projectId).where('deleted_at', 'is', null),
        dialect,
      ).executeTakeFirst();
      if (!campaign || !account || !template || !sameRow(campaign, row) || !sameRow(template, checked.template)) return false;
      await trx
        .updateTable('campaigns')
        .set({
          state: scheduled ? 'scheduled' : 'running',
          updated_at: now,
          published_at: now,
          messaging_limit_warning: overLimit ? JSON.stringify(overLimit) : null,
          ...(scheduled ? {} : { started_at: now }),
        })
        .where('id', '=', id)
        .where('state', '=', 'draft')
        .execute();
      await recordActivity(trx, {
        projectId,
        campaignId: id,
        action: 'published',
        actor,
        at: now,
        details: scheduled ? { state: 'scheduled', sendAt: row.send_at } : { state: 'running' },
      });
      return true;
    });
    if (published) break;
    if (attempt === PUBLISH_ATTEMPTS) {
      throw conflict('changed_while_publishing', 'The campaign, its template or its provider account kept changing while it was being published: publish it again.');
    }
  }
  deps.bus.emit('campaign-changed', id, 'state');
  return getCampaign(deps, projectId, id);
}

/** The same row read twice: nothing changed in between. */
function sameRow(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function pauseCampaign(deps: Pick<AppDeps, 'db' | 'bus'>, projectId: string, id: string, actor: Actor): Promise<Campaign> {
  // A reason left by `wacast restore`'s pause is about that pause only.
  await setState(deps, projectId, id, ['running', 'scheduled'], 'paused', 'pause', { action: 'paused', actor }, { state_reason: null });
  return getCampaign(deps, projectId, id);
}

export async function resumeCampaign(deps: Pick<AppDeps, 'db' | 'bus'>, projectId: string, id: string, actor: Actor): Promise<Campaign> {
  const row = await getRow(deps, projectId, id);
  const now = Date.now();
  const scheduled = row.send_at !== null && row.send_at > now;
  // Resumed inside DND hours that discard, the scheduler would end the campaign within a second and
  // discard everything still queued: refused, saying when it can go on.
  const dnd = parseJson<DndWindow | null>(row.dnd, null);
  if (row.state === 'paused' && !scheduled && dnd?.action === 'discard' && inDndWindow(dnd, now)) {
    throw conflict(
      'inside_dnd_hours',
      `Cannot resume now: it is inside the campaign's DND hours (${dnd.from}–${dnd.to} ${dnd.timezone}), which discard what is still queued. Resume after ${dnd.to} ${dnd.timezone}, or change the DND action to "delay" first.`,
      { state: row.state },
    );
  }
  const to = scheduled ? 'scheduled' : 'running';
  await setState(deps, projectId, id, ['paused'], to, 'resume', { action: 'resumed', actor, details: { state: to } }, { state_reason: null, ...(scheduled || row.started_at ? {} : { started_at: now }) });
  return getCampaign(deps, projectId, id);
}

/** Stops for good: what is still queued is cancelled; messages already with the provider finish. */
/**
 * What a stop says on the campaign (`stateReason`) and on the messages it cancels: who stopped it,
 * as the activity log names them, so the message log alone answers "why was this not sent?".
 */
export function stoppedBy(actor: Actor): string {
  if (actor.type === 'api') return `stopped through the API credentials "${actor.label}" (${actor.id})`;
  return `stopped by ${actor.label}`;
}

export async function stopCampaign(deps: Pick<AppDeps, 'db' | 'bus'>, projectId: string, id: string, actor: Actor, reason = stoppedBy(actor)): Promise<Campaign> {
  await setState(deps, projectId, id, ['running', 'scheduled', 'paused'], 'stopped', 'stop', { action: 'stopped', actor, details: { reason } }, { completed_at: Date.now(), state_reason: reason });
  await cancelQueued(deps, id, reason);
  return getCampaign(deps, projectId, id);
}

/** Cancels every still-queued message of a campaign, with its counters. Returns how many. */
export async function cancelQueued(deps: Pick<AppDeps, 'db' | 'bus'>, campaignId: string, reason: string): Promise<number> {
  const now = Date.now();
  const cancelled = await deps.db.kysely.transaction().execute(async (trx) => {
    const rows = await trx
      .updateTable('messages')
      .set({ status: 'cancelled', error_detail: reason, updated_at: now })
      .where('campaign_id', '=', campaignId)
      .where('status', '=', 'queued')
      .returning(sql<number>`1`.as('one'))
      .execute();
    if (rows.length > 0) {
      const deltas = new CampaignDeltas();
      deltas.addCounts(campaignId, { queued: -rows.length, cancelled: rows.length });
      await deltas.write(trx);
    }
    return rows.length;
  });
  if (cancelled > 0) deps.bus.emit('campaign-changed', campaignId, 'progress');
  return cancelled;
}

export async function cloneCampaign(deps: Pick<AppDeps, 'db' | 'config'>, projectId: string, id: string, actor: Actor): Promise<Campaign> {
  const row = await getRow(deps, projectId, id);
  const input = toCampaignInput(row);
  // Times already past are dropped (the copy would be refused with them); a cut-off still ahead is
  // kept, also for a campaign that sends at publish.
  const now = Date.now();
  const sendAt = typeof input.sendAt === 'number' && input.sendAt > now ? input.sendAt : null;
  const cutoffAt = typeof input.cutoffAt === 'number' && input.cutoffAt > now ? input.cutoffAt : null;
  // The account's limit may have been lowered since: the copy gets the limit (a copy refused for its
  // rate could not even be opened to fix it).
  const account = await deps.db.kysely.selectFrom('provider_accounts').select('rate_per_second').where('id', '=', row.provider_id).where('project_id', '=', projectId).executeTakeFirst();
  const ratePerSecond = account && input.ratePerSecond != null ? Math.min(input.ratePerSecond, account.rate_per_second) : input.ratePerSecond;
  return createCampaign(deps, projectId, { ...input, name: `${row.name} (copy)`.slice(0, 200), sendAt, cutoffAt, ratePerSecond }, actor, { id: row.id, name: row.name });
}

export async function deleteCampaign(deps: Pick<AppDeps, 'db'>, projectId: string, id: string): Promise<void> {
  const row = await getRow(deps, projectId, id);
  if (row.state !== 'draft') throw conflict('invalid_state', `Only drafts can be deleted; this campaign is ${row.state}.`);
  await deps.db.kysely.deleteFrom('campaigns').where('id', '=', id).where('project_id', '=', projectId).execute();
}
