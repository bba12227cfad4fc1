/**
 * Publish, the heavy part: creates one message row per recipient of a published campaign, in
 * batches, while the dispatcher already sends the first ones. Each batch is one transaction that
 * inserts the rows (`on conflict (campaign_id, profile_id) do nothing`: re-running can never
 * duplicate), adds the counters of what it really inserted, and moves the resume cursor, so a
 * crash in the middle resumes where it stopped. Campaigns being published at the same time take
 * turns, a batch each. Recipients that cannot be messaged get a `skipped` row with the reason (not
 * opted in, DND, invalid phone, frequency cap, render error).
 *
 * A campaign that ends before its audience is all added (stopped, cut off, DND hours that discard,
 * failed at publish) still gets one row per recipient: the rest are written `cancelled` with the
 * campaign's reason, without rendering anything. So `targeted` is the whole audience, and every
 * targeted profile is in exactly one state (PRODUCT §3, §4.2).
 */
import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { Db } from '../storage/db.js';
import type { CampaignRow, CampaignState, MessageStatus, TemplateRow } from '../storage/schema.js';
import type { BackgroundService } from '../worker/background-service.js';
import { newId } from '../ids.js';
import { parseJson, toJson } from '../storage/json.js';
import { acquireLease, releaseLease } from '../storage/leases.js';
import { yieldToEventLoop } from '../storage/db.js';
import { refreshStaleStatistics } from '../storage/dialect.js';
import { insertJsonRows, type JsonRowColumn } from '../storage/json-rows.js';
import { compileParams, newProfileLiquid, profileScope, renderParams, type CompiledParams } from '../templates/render.js';
import { fillPlaceholders } from '../templates/placeholders.js';
import { CampaignDeltas, type CounterColumn } from './counters.js';
import { streamRecipients, type Recipient } from './audience-source.js';
import { capCheckedAtSend, frequencyCapDetail, recentMessageCounts, type FrequencyCap } from './frequency-cap.js';
import { reachability, UNREACHABLE_REASON_TEXT, type UnreachableReason } from '../audience/reachability.js';
import { cancelQueued, type Audience } from './campaigns.service.js';
import type { MessagePayload } from './message-payload.js';
import { fixedOrigin, renderedHostProblems, renderedUrlProblem } from '../net/outbound-url.js';
import { recordActivity, SYSTEM_ACTORS } from './campaign-activity.js';
import { diskSpaceMonitor } from '../ops/disk-space.js';

export type SkipReason = 'not_opted_in' | 'dnd' | 'invalid_phone' | 'render_error' | 'frequency_cap';

const SKIP_COUNTER: Record<SkipReason, CounterColumn> = {
  not_opted_in: 'skipped_not_opted_in',
  dnd: 'skipped_dnd',
  invalid_phone: 'skipped_invalid_phone',
  render_error: 'skipped_render_error',
  frequency_cap: 'skipped_frequency_cap',
};

const text = (name: string): JsonRowColumn => ({ name, type: 'text' });
const big = (name: string): JsonRowColumn => ({ name, type: 'bigint' });
const MESSAGE_COLUMNS: JsonRowColumn[] = [
  text('id'), text('project_id'), text('campaign_id'), text('profile_id'), text('provider_id'), text('phone'), text('kind'),
  { name: 'priority', type: 'integer' }, text('status'), text('skip_reason'), { name: 'payload', type: 'json' }, text('error_detail'),
  { name: 'attempts', type: 'integer' }, big('available_at'), big('created_at'), big('updated_at'),
];

/** States in which a campaign sends nothing more: its rows created from then on are cancelled. */
const ENDED_STATES: ReadonlySet<CampaignState> = new Set(['stopped', 'completed', 'failed']);

/** Campaign messages go after replies (0) and auto-replies (1). */
export const CAMPAIGN_PRIORITY = 5;
const E164 = /^\+[1-9]\d{6,14}$/;
const mediaLiquid = newProfileLiquid();

export type Decision =
  | { kind: 'send'; payload: MessagePayload }
  | { kind: 'skip'; reason: SkipReason; detail: string };

const SKIP_FOR: Record<UnreachableReason, SkipReason> = { not_opted_in: 'not_opted_in', dnd: 'dnd', phone_dnd: 'dnd', no_phone: 'invalid_phone' };

/** The campaign's frequency cap and what each recipient of the batch already received. */
export interface CapCheck {
  cap: FrequencyCap;
  received: ReadonlyMap<string, number>;
}

/** What happens to one recipient. Pure apart from rendering. */
export function decide(
  recipient: Recipient,
  template: TemplateRow,
  compiled: CompiledParams,
  mediaUrl: string | null,
  capCheck: CapCheck | null = null,
  allowPrivateUrls = false,
): Decision {
  const reach = reachability(recipient);
  if (reach.reason) return { kind: 'skip', reason: SKIP_FOR[reach.reason], detail: UNREACHABLE_REASON_TEXT[reach.reason] };
  if (!recipient.phone || !E164.test(recipient.phone)) {
    return { kind: 'skip', reason: 'invalid_phone', detail: `not an E.164 phone number: ${recipient.phone ?? ''}` };
  }
  const received = capCheck?.received.get(recipient.id) ?? 0;
  if (capCheck && received >= capCheck.cap.messages) return { kind: 'skip', reason: 'frequency_cap', detail: frequencyCapDetail(capCheck.cap, received) };
  const rendered = renderParams(compiled, recipient);
  if (!rendered.ok) return { kind: 'skip', reason: 'render_error', detail: rendered.reason };
  let media = mediaUrl ?? undefined;
  if (media && media.includes('{{')) {
    try {
      media = String(mediaLiquid.parseAndRenderSync(media, profileScope(recipient))).trim();
    } catch (error) {
      return { kind: 'skip', reason: 'render_error', detail: `media URL: ${(error as Error).message.split(', line')[0]}` };
    }
    const problem = /\s/.test(media) ? 'must not contain spaces' : renderedUrlProblem(media, allowPrivateUrls);
    if (problem) return { kind: 'skip', reason: 'render_error', detail: `media URL rendered to "${media.slice(0, 100)}", which ${problem}` };
  }
  return {
    kind: 'send',
    payload: { type: 'template', templateId: template.id, params: rendered.values, body: fillPlaceholders(template.body, rendered.values), ...(media ? { mediaUrl: media } : {}) },
  };
}

/**
 * When the host of the media URL is rendered per recipient, the rendered host names that resolve to
 * a private address (checked once per distinct name, renderedHostProblems) skip their recipients
 * like any other media URL that cannot be sent. The saved URL's fixed part was checked when saved.
 */
async function skipPrivateMediaHosts(decisions: Array<Decision | null>, allowPrivateUrls: boolean): Promise<void> {
  const mediaOf = (decision: Decision | null) => (decision?.kind === 'send' && decision.payload.type === 'template' ? decision.payload.mediaUrl : undefined);
  const urls = new Set<string>();
  for (const decision of decisions) {
    const media = mediaOf(decision);
    if (media) urls.add(media);
  }
  const problems = await renderedHostProblems(urls, allowPrivateUrls);
  if (problems.size === 0) return;
  decisions.forEach((decision, index) => {
    const media = mediaOf(decision);
    const problem = media === undefined ? undefined : problems.get(media);
    if (media !== undefined && problem) decisions[index] = { kind: 'skip', reason: 'render_error', detail: `media URL rendered to "${media.slice(0, 100)}", which ${problem}` };
  });
}

/**
 * Deciding a batch of recipients (mostly rendering their Liquid values) may take this long; a
 * campaign over it fails. Rendering is synchronous, on a thread every project shares: a value
 * renders in microseconds (a batch of 1,000 in ~15 ms), and one kept just under the per-render
 * limit (1 s, render.ts) would otherwise hold the publisher for 1 s per recipient.
 */
export const BATCH_DECISION_BUDGET_MS = 2000;

/** A batch's decisions took longer than BATCH_DECISION_BUDGET_MS: the message is the campaign's reason. */
class DecisionBudgetExceeded extends Error {}

export interface PublishOptions {
  batchSize: number;
  leaseMs: number;
}

const DEFAULT_OPTIONS: PublishOptions = { batchSize: 1000, leaseMs: 30_000 };

/** What one step of a materialisation did. */
export type StepOutcome = 'more' | 'done' | 'lost';

/**
 * The materialisation of one campaign, one batch per `step()`, so the publisher can take turns
 * between campaigns: a campaign to 1,000,000 recipients (minutes of inserts on PostgreSQL) must not
 * keep a campaign published after it from sending its first message. Holds the campaign's publish
 * lease from `open` to `close`, renewing it after every batch.
 */
export class CampaignMaterialization {
  private constructor(
    private readonly deps: AppDeps,
    private readonly campaign: CampaignRow,
    /** Null when the campaign failed at open: its rows are all cancelled, nothing is rendered. */
    private readonly template: TemplateRow | null,
    private readonly compiled: CompiledParams | null,
    private readonly batches: AsyncGenerator<Recipient[]>,
    private readonly lease: string,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /**
   * Starts (or resumes, from the campaign's cursor) creating rows. `busy`: another process holds
   * the publish lease; `done`: nothing left to do (already materialised, or failed for good).
   */
  static async open(deps: AppDeps, campaignId: string, owner: string, options: PublishOptions = DEFAULT_OPTIONS): Promise<CampaignMaterialization | 'busy' | 'done'> {
    const lease = `publish:${campaignId}`;
    if (!(await acquireLease(deps.db, lease, owner, options.leaseMs))) return 'busy';
    try {
      const campaign = await deps.db.kysely.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
      if (!campaign || campaign.materialized_at !== null || campaign.published_at === null) {
        await releaseLease(deps.db, lease, owner);
        return 'done';
      }
      const template = await deps.db.kysely.selectFrom('templates').selectAll().where('id', '=', campaign.template_id).executeTakeFirst();
      const compiled = compileParams(parseJson<string[]>(campaign.params, []));
      // A campaign that cannot be rendered fails; its audience is still added, cancelled.
      if ((!template || !compiled.ok) && !ENDED_STATES.has(campaign.state)) await failCampaign(deps, campaign, !template ? 'the template was deleted' : 'a placeholder value is not valid Liquid');
      const audience = parseJson<Audience>(campaign.audience, { all: true });
      // Recipients are read with plans that go wrong on statistics from before a large upload.
      await refreshStaleStatistics(deps.db, ['profiles', 'phone_dnd']);
      const batches = streamRecipients(deps, campaign.project_id, audience, { after: campaign.materialize_cursor, batchSize: options.batchSize });
      return new CampaignMaterialization(deps, campaign, template && compiled.ok ? template : null, compiled.ok ? compiled.compiled : null, batches, lease, owner, options.leaseMs);
    } catch (error) {
      await releaseLease(deps.db, lease, owner).catch(() => undefined);
      throw error;
    }
  }

  /** Creates the rows of the next batch of recipients. `lost`: the lease went to another process. */
  async step(): Promise<StepOutcome> {
    const { deps, campaign } = this;
    const next = await this.batches.next();
    if (next.done) {
      await deps.db.kysely.updateTable('campaigns').set({ materialized_at: Date.now(), updated_at: Date.now() }).where('id', '=', campaign.id).execute();
      deps.bus.emit('campaign-changed', campaign.id, 'progress');
      return 'done';
    }
    const state = await deps.db.kysely.selectFrom('campaigns').select('state').where('id', '=', campaign.id).executeTakeFirstOrThrow();
    // An ended campaign's remaining recipients are written cancelled, without deciding anything.
    const decider = ENDED_STATES.has(state.state) || !this.template || !this.compiled ? null : { template: this.template, compiled: this.compiled };
    try {
      await insertBatch(deps, campaign, decider, next.value);
    } catch (error) {
      if (!(error instanceof DecisionBudgetExceeded)) throw error;
      // Nothing of this batch was written; what earlier batches queued is cancelled with the
      // reason, and this batch and the rest are written cancelled.
      await failCampaign(deps, campaign, error.message);
      await cancelQueued(deps, campaign.id, error.message);
      await insertBatch(deps, campaign, null, next.value);
    }
    deps.bus.emit('messages-queued', campaign.provider_id);
    deps.bus.emit('campaign-changed', campaign.id, 'progress');
    return (await acquireLease(deps.db, this.lease, this.owner, this.leaseMs)) ? 'more' : 'lost';
  }

  /** Ends the audience stream and releases the lease (the cursor keeps what was done). */
  async close(): Promise<void> {
    await this.batches.return(undefined);
    await releaseLease(this.deps.db, this.lease, this.owner);
  }
}

/**
 * Writes one batch of rows. `decider` null: the campaign has ended, every row is written cancelled
 * (with the campaign's reason, in the transaction) and nothing is rendered.
 */
async function insertBatch(deps: AppDeps, campaign: CampaignRow, decider: { template: TemplateRow; compiled: CompiledParams } | null, batch: Recipient[]): Promise<void> {
  const now = Date.now();
  const cap = parseJson<FrequencyCap | null>(campaign.frequency_cap, null);
  // A scheduled campaign's cap is checked when its messages are sent (frequency-cap.ts).
  const capCheck = cap && decider && !capCheckedAtSend(campaign)
    ? { cap, received: await recentMessageCounts(deps.db, campaign.id, batch.map((recipient) => recipient.id), cap, now) }
    : null;
  const started = performance.now();
  const decisions = batch.map((recipient, index) => {
    const elapsed = performance.now() - started;
    if (elapsed > BATCH_DECISION_BUDGET_MS) {
      throw new DecisionBudgetExceeded(
        `its placeholder values or media URL took ${Math.round(elapsed)} ms to render for ${index} recipients (about ${Math.round(elapsed / index)} ms each; simple values take well under 0.1 ms): simplify the Liquid and publish a copy`,
      );
    }
    return decider ? decide(recipient, decider.template, decider.compiled, campaign.media_url, capCheck, deps.config.allowPrivateUrls) : null;
  });
  if (decider && campaign.media_url && fixedOrigin(campaign.media_url) === null) await skipPrivateMediaHosts(decisions, deps.config.allowPrivateUrls);
  const rows = batch.map((recipient, index) => {
    const decision = decisions[index]!;
    return {
      id: newId(now),
      project_id: campaign.project_id,
      campaign_id: campaign.id,
      profile_id: recipient.id,
      provider_id: campaign.provider_id,
      phone: recipient.phone,
      kind: 'campaign' as const,
      priority: CAMPAIGN_PRIORITY,
      status: (decision?.kind === 'skip' ? 'skipped' : 'queued') as MessageStatus,
      skip_reason: decision?.kind === 'skip' ? decision.reason : null,
      payload: toJson(decision?.kind === 'send' ? decision.payload : null),
      error_detail: decision?.kind === 'skip' ? decision.detail.slice(0, 1000) : (null as string | null),
      attempts: 0,
      available_at: now,
      created_at: now,
      updated_at: now,
    };
  });
  await deps.db.kysely.transaction().execute(async (trx) => {
    // The campaign's state as of this transaction, its row locked first (PostgreSQL) so that a stop
    // or a cut-off commits before it or waits for it: stopped after the batch was decided, it would
    // cancel what was queued before these rows exist, and they would stay queued for ever.
    const current = await trx
      .updateTable('campaigns')
      .set({ materialize_cursor: batch[batch.length - 1]!.id, updated_at: now })
      .where('id', '=', campaign.id)
      .returning(['state', 'state_reason'])
      .executeTakeFirstOrThrow();
    if (capCheck) await recheckFrequencyCap({ ...deps.db, kysely: trx }, campaign, capCheck.cap, rows, now);
    // States never leave the ended ones: a batch written undecided was read as ended and still is.
    if (!decider && !ENDED_STATES.has(current.state)) throw new Error(`campaign ${campaign.id} is ${current.state}: its rows must be decided`);
    if (ENDED_STATES.has(current.state)) {
      const reason = current.state_reason ?? `the campaign was ${current.state}`;
      for (const row of rows) {
        if (row.status !== 'queued') continue;
        Object.assign(row, { status: 'cancelled', payload: toJson(null), error_detail: reason });
      }
    }
    // What was really inserted (a re-run after a crash skips rows already there) decides the counters.
    const inserted = new Set(
      (await insertJsonRows(trx, deps.db.dialect, 'messages', MESSAGE_COLUMNS, rows, { returning: 'id', onConflictDoNothing: ['campaign_id', 'profile_id'] })).map(String),
    );
    const counts: Partial<Record<CounterColumn, number>> = { targeted: inserted.size };
    for (const row of rows) {
      if (!inserted.has(row.id)) continue;
      const column: CounterColumn = row.status === 'queued' || row.status === 'cancelled' ? row.status : SKIP_COUNTER[(row.skip_reason ?? 'invalid_phone') as SkipReason];
      counts[column] = (counts[column] ?? 0) + 1;
    }
    const deltas = new CampaignDeltas();
    deltas.addCounts(campaign.id, counts);
    await deltas.write(trx);
  });
}

/**
 * The frequency cap once more, inside the batch's transaction, for the recipients still queued:
 * the check before rendering counted other campaigns' rows as committed then, and a batch of
 * another capped campaign of the project, materialised at the same moment by another worker (or
 * the same one's next turn), may have queued the same people since. Capped batches of one project
 * take turns here — PostgreSQL: a transaction-scoped advisory lock on the project; SQLite: the
 * write lock, taken by the transaction's first statement (the campaign's update), which one writer
 * holds at a time — so the second batch counts the first's rows and skips those people by the
 * cap. One more indexed read per batch, for capped campaigns only.
 */
async function recheckFrequencyCap(
  trx: Db,
  campaign: CampaignRow,
  cap: FrequencyCap,
  rows: Array<{ profile_id: string; status: MessageStatus; skip_reason: string | null; payload: string; error_detail: string | null }>,
  now: number,
): Promise<void> {
  if (trx.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${`wacast frequency cap ${campaign.project_id}`}, 0))`.execute(trx.kysely);
  const queued = rows.filter((row) => row.status === 'queued');
  const received = await recentMessageCounts(trx, campaign.id, queued.map((row) => row.profile_id), cap, now);
  for (const row of queued) {
    const count = received.get(row.profile_id) ?? 0;
    if (count < cap.messages) continue;
    Object.assign(row, { status: 'skipped', skip_reason: 'frequency_cap', payload: toJson(null), error_detail: frequencyCapDetail(cap, count) });
  }
}

async function failCampaign(deps: AppDeps, campaign: CampaignRow, reason: string): Promise<void> {
  const now = Date.now();
  // Not marked materialised: the rest of the audience is still added, cancelled (step()). A
  // campaign that ended meanwhile (stopped, cut off) keeps its end: states never leave the ended
  // ones, and its activity says what really ended it.
  const failed = await deps.db.kysely.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('campaigns')
      .set({ state: 'failed', state_reason: reason, completed_at: now, updated_at: now })
      .where('id', '=', campaign.id)
      .where('state', 'not in', [...ENDED_STATES])
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await recordActivity(trx, { projectId: campaign.project_id, campaignId: campaign.id, action: 'failed', actor: SYSTEM_ACTORS.publisher, at: now, details: { reason } });
    return true;
  });
  if (!failed) return;
  deps.logger.warn({ campaignId: campaign.id, reason }, 'campaign failed at publish');
  deps.bus.emit('campaign-changed', campaign.id, 'state');
}

/** Background service: materialises every published campaign that still needs it. */
export class PublisherService implements BackgroundService {
  readonly name = 'publisher';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopping = false;

  constructor(
    private readonly deps: AppDeps,
    private readonly owner: string,
    private readonly intervalMs = 500,
    private readonly options: PublishOptions = DEFAULT_OPTIONS,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    // A campaign just published (or resumed) has rows to create; counter updates do not matter here.
    this.unsubscribe = this.deps.bus.on('campaign-changed', (_campaignId, what) => {
      if (what === 'state') this.kick();
    });
    this.kick();
  }

  kick(): void {
    if (this.running || !this.timer) return;
    this.running = this.runOnce()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'publisher failed'))
      .finally(() => {
        this.running = null;
      });
  }

  /**
   * Materialises every pending campaign, one batch of each in turn, until none is left; campaigns
   * published meanwhile join the rotation at the next round.
   */
  async runOnce(): Promise<void> {
    const active = new Map<string, CampaignMaterialization>();
    // Leased by another process, finished, or taken over midway: not opened again in this run.
    const settled = new Set<string>();
    try {
      for (;;) {
        // Almost no space left for the database: no more recipients until space is freed
        // (disk-space.ts); the materialisations resume from their cursors on a later run.
        if (await diskSpaceMonitor(this.deps)?.holdsCampaigns()) return;
        for (const id of await this.pendingCampaigns()) {
          if (this.stopping) return;
          if (active.has(id) || settled.has(id)) continue;
          const opened = await CampaignMaterialization.open(this.deps, id, this.owner, this.options);
          if (typeof opened === 'string') settled.add(id);
          else active.set(id, opened);
        }
        if (active.size === 0) return;
        for (const [id, materialization] of active) {
          if (this.stopping) return;
          if ((await materialization.step()) !== 'more') {
            active.delete(id);
            settled.add(id);
            await materialization.close();
          }
          await yieldToEventLoop();
        }
      }
    } finally {
      for (const materialization of active.values()) await materialization.close();
    }
  }

  private async pendingCampaigns(): Promise<string[]> {
    const rows = await this.deps.db.kysely
      .selectFrom('campaigns')
      .select('id')
      .where('published_at', 'is not', null)
      // Ended ones too: their remaining recipients are written cancelled.
      .where('materialized_at', 'is', null)
      .orderBy('published_at')
      .execute();
    return rows.map((row) => row.id);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    await this.running;
  }
}
