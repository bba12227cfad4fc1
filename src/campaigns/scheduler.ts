/**
 * Campaign clockwork, run by one worker at a time (lease `scheduler`), every second:
 * - scheduled campaigns whose send time has come start running;
 * - running campaigns with every message created and nothing left queued complete (first: a
 *   cut-off or DND hours that begin then cut nothing, and the campaign says no such reason);
 * - running or paused campaigns past their cut-off end (completed, with the reason): what is
 *   still queued is cancelled — a paused one too, which would otherwise wait for ever;
 * - running campaigns inside DND hours with action "discard" cancel what is still queued;
 * - messages whose sending worker died (lease ran out) go back to the queue when its send journal
 *   shows they were never sent, and otherwise become `unknown` — never resent (send-journal.ts);
 * - messages of ended campaigns that came back to the queue after the end (a retryable answer, a
 *   dead worker's unsent message) are cancelled with the campaign's reason.
 * A campaign that cannot be checked (an error) is logged and skipped; the others go on.
 *
 * A journal is on the disk of the machine its worker ran on, so the messages of a dead worker are
 * recovered on that machine: every worker, scheduler or not, recovers each second the dead workers
 * of its own machine (the owner names its host: serve.command.ts workerOwner) and those whose
 * journal it finds. The scheduler gives a dead worker of another machine FOREIGN_GRACE_MS for that
 * (its restart, or another worker there, reads the journal), then marks what is left `unknown`.
 */
import type { AppDeps } from '../deps.js';
import { IntervalService, type BackgroundService } from '../worker/background-service.js';
import { acquireLease, releaseLease } from '../storage/leases.js';
import { yieldToEventLoop } from '../storage/db.js';
import { expiredLeaseOwners, expireSendingLeases, type ExpiredLeases, type ExpiredMessage, type ExpireOptions } from '../storage/message-queue.js';
import { writeTransaction } from '../storage/transaction.js';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { deleteStaleJournals, readSendJournal, SEND_JOURNAL_DIR } from './send-journal.js';
import { parseJson } from '../storage/json.js';
import { cancelQueued } from './campaigns.service.js';
import { inDndWindow, type DndWindow } from './dnd.js';
import { CampaignDeltas } from './counters.js';
import { transition } from './message-status.js';
import { recordActivity, SYSTEM_ACTORS, updateActivityDetails, type NewActivity } from './campaign-activity.js';
import { newId } from '../ids.js';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';

interface Interruption {
  id: string;
  requeued: number;
  unknown: number;
}

/**
 * One `interrupted` entry per campaign whose messages a stopped worker left `sending`, per pass:
 * a batch after the first adds its counts to the entry the first wrote (`recorded`, campaign id →
 * entry). Written in the batch's transaction; returns what `recorded` becomes once it commits.
 */
async function recordInterruptions(trx: Kysely<Database>, expired: ExpiredLeases, recorded: ReadonlyMap<string, Interruption>, now: number): Promise<Map<string, Interruption>> {
  const next = new Map(recorded);
  const fresh: NewActivity[] = [];
  const changed = new Set<string>();
  const count = (rows: ExpiredMessage[], key: 'requeued' | 'unknown') => {
    for (const row of rows) {
      if (row.campaign_id === null) continue;
      let entry = next.get(row.campaign_id);
      if (!entry) {
        entry = { id: newId(now), requeued: 0, unknown: 0 };
        fresh.push({ id: entry.id, projectId: row.project_id, campaignId: row.campaign_id, action: 'interrupted', actor: SYSTEM_ACTORS.scheduler, at: now });
      } else if (recorded.has(row.campaign_id)) {
        changed.add(row.campaign_id);
      }
      next.set(row.campaign_id, (entry = { ...entry, [key]: entry[key] + 1 }));
    }
  };
  count(expired.requeued, 'requeued');
  count(expired.unknown, 'unknown');
  await recordActivity(trx, fresh.map((entry) => ({ ...entry, details: { requeued: next.get(entry.campaignId)!.requeued, unknown: next.get(entry.campaignId)!.unknown } })));
  for (const campaignId of changed) {
    const { id, requeued, unknown } = next.get(campaignId)!;
    await updateActivityDetails(trx, id, { requeued, unknown });
  }
  return next;
}

/** How often, and after how long unwritten, other workers' send journals are deleted. */
const JOURNAL_CLEANUP_EVERY_MS = 60_000;
const STALE_JOURNAL_MS = 60 * 60_000;
/** How long after its leases ran out a dead worker of another machine is left to that machine. */
export const FOREIGN_GRACE_MS = 30_000;

/** The machine a worker ran on: its owner string starts with the host name (workerOwner). */
function hostOf(owner: string): string {
  const colon = owner.indexOf(':');
  return colon === -1 ? owner : owner.slice(0, colon);
}

export interface SchedulerOptions {
  intervalMs?: number;
  /** This machine's host name (tests pretend to be another machine). */
  host?: string;
  foreignGraceMs?: number;
  /** Expired messages recovered per transaction (tests make it small). */
  recoveryBatch?: number;
}

export class SchedulerService implements BackgroundService {
  readonly name = 'scheduler';
  private readonly loop: IntervalService;
  private journalsCleanedAt = 0;
  private readonly intervalMs: number;
  private readonly host: string;
  private readonly foreignGraceMs: number;
  private readonly recoveryBatch: number;

  constructor(
    private readonly deps: AppDeps,
    private readonly owner: string,
    options: SchedulerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.host = options.host ?? hostname();
    this.foreignGraceMs = options.foreignGraceMs ?? FOREIGN_GRACE_MS;
    this.recoveryBatch = options.recoveryBatch ?? 5000;
    this.loop = new IntervalService(this.name, this.intervalMs, async () => {
      await this.tick();
    }, deps);
  }

  start(): void {
    this.loop.start();
  }

  /**
   * Stops after the pass in progress and gives the lease up, so that a worker restarted at once
   * (an upgrade, a configuration change) runs the clockwork at once instead of after the lease's
   * 5 s. releaseLease only deletes this owner's row: harmless when another worker holds it.
   */
  async stop(): Promise<void> {
    await this.loop.stop();
    await releaseLease(this.deps.db, 'scheduler', this.owner);
  }

  /** One pass; returns false when another worker holds the scheduler lease (this one then only recovers its machine's dead workers). */
  async tick(now = Date.now()): Promise<boolean> {
    const { db, bus } = this.deps;
    if (!(await acquireLease(db, 'scheduler', this.owner, Math.max(5_000, this.intervalMs * 5), now))) {
      await this.expireLeases(now, false);
      return false;
    }

    // Started with their `started` entries, in one transaction.
    const due = await db.kysely.transaction().execute(async (trx) => {
      const started = await trx
        .updateTable('campaigns')
        .set({ state: 'running', started_at: now, updated_at: now })
        .where('state', '=', 'scheduled')
        .where('send_at', '<=', now)
        .returning(['id', 'project_id', 'provider_id'])
        .execute();
      await recordActivity(trx, started.map((campaign) => ({ projectId: campaign.project_id, campaignId: campaign.id, action: 'started' as const, actor: SYSTEM_ACTORS.scheduler, at: now })));
      return started;
    });
    for (const campaign of due) {
      bus.emit('campaign-changed', campaign.id, 'state');
      bus.emit('messages-queued', campaign.provider_id);
    }

    const live = await db.kysely
      .selectFrom('campaigns')
      .innerJoin('campaign_counters', 'campaign_counters.campaign_id', 'campaigns.id')
      .select(['campaigns.id', 'campaigns.project_id', 'campaigns.state', 'campaigns.cutoff_at', 'campaigns.dnd', 'campaigns.materialized_at', 'campaign_counters.queued'])
      .where('campaigns.state', 'in', ['running', 'paused'])
      .execute();
    for (const campaign of live) {
      // One campaign that cannot be judged (its DND time zone unknown to this Node version, say)
      // must not stop the clockwork of all the others.
      try {
        await this.judge(campaign, now);
      } catch (error) {
        this.deps.logger.error({ err: error, campaignId: campaign.id }, 'scheduler: could not check this campaign; the others go on');
      }
    }

    await this.expireLeases(now, true);
    await this.cancelLeftovers();
    return true;
  }

  /**
   * Cancels the messages of ended campaigns that went back to the queue after the end: a stop, a
   * cut-off or DND hours that discard cancel what is queued at that moment, but a message in flight
   * then can come back — a retryable answer (429, 503), a dead worker's message its journal shows
   * never sent, a release racing the stop. No dispatcher claims from an ended campaign, so without
   * this it would stay `queued` for good and its profile would never reach a final state. Found
   * through the counters: an ended campaign counts queued messages only while some are in flight
   * or left over, so the scan is of a handful of campaigns.
   */
  private async cancelLeftovers(): Promise<void> {
    const ended = await this.deps.db.kysely
      .selectFrom('campaign_counters')
      .innerJoin('campaigns', 'campaigns.id', 'campaign_counters.campaign_id')
      .select(['campaigns.id', 'campaigns.state', 'campaigns.state_reason'])
      .where('campaign_counters.queued', '>', 0)
      .where('campaigns.state', 'in', ['stopped', 'completed', 'failed'])
      .execute();
    for (const campaign of ended) {
      try {
        await cancelQueued(this.deps, campaign.id, campaign.state_reason ?? `the campaign ${campaign.state === 'completed' ? 'completed' : `was ${campaign.state}`}`);
      } catch (error) {
        this.deps.logger.error({ err: error, campaignId: campaign.id }, 'scheduler: could not cancel the messages left queued by this ended campaign; retried next pass');
      }
    }
  }

  /** Ends a running or paused campaign when it is done, past its cut-off, or inside DND hours that discard. */
  private async judge(
    campaign: { id: string; project_id: string; state: string; cutoff_at: number | null; dnd: unknown; materialized_at: number | null; queued: number },
    now: number,
  ): Promise<void> {
    const { bus } = this.deps;
    // Done first: with nothing left to send, a cut-off or DND hours that begin cut nothing, and the
    // campaign completes without a reason that would say otherwise.
    if (campaign.state === 'running' && campaign.materialized_at !== null && Number(campaign.queued) === 0) {
      await this.complete(campaign, ['running'], null, now);
      bus.emit('campaign-changed', campaign.id, 'state');
      return;
    }
    if (campaign.cutoff_at !== null && campaign.cutoff_at <= now) {
      await this.finish(campaign, 'cut-off time reached', now);
      return;
    }
    const dnd = parseJson<DndWindow | null>(campaign.dnd, null);
    if (campaign.state === 'running' && dnd?.action === 'discard' && inDndWindow(dnd, now)) {
      await this.finish(campaign, 'DND hours began: remaining messages discarded', now);
    }
  }

  /** Completes the campaign if it is still in one of `from`, with its `completed` entry. */
  private async complete(campaign: { id: string; project_id: string }, from: Array<'running' | 'paused'>, reason: string | null, now: number): Promise<void> {
    await this.deps.db.kysely.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('campaigns')
        // Not marked materialised: the publisher still adds the rest of the audience, cancelled.
        .set({ state: 'completed', completed_at: now, updated_at: now, ...(reason ? { state_reason: reason } : {}) })
        .where('id', '=', campaign.id)
        .where('state', 'in', from)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return;
      await recordActivity(trx, { projectId: campaign.project_id, campaignId: campaign.id, action: 'completed', actor: SYSTEM_ACTORS.scheduler, at: now, details: reason ? { reason } : {} });
    });
  }

  private async finish(campaign: { id: string; project_id: string }, reason: string, now: number): Promise<void> {
    await this.complete(campaign, ['running', 'paused'], reason, now);
    await cancelQueued(this.deps, campaign.id, reason);
    this.deps.bus.emit('campaign-changed', campaign.id, 'state');
  }

  /**
   * Recovers the messages of dead workers of this machine (and any whose journal is here), and —
   * as the scheduler — those of other machines' dead workers left for FOREIGN_GRACE_MS.
   */
  private async expireLeases(now: number, scheduler: boolean): Promise<void> {
    const { db } = this.deps;
    const dir = join(this.deps.config.dataDir, SEND_JOURNAL_DIR);
    // Read before the write transaction (a journal can hold ~100,000s of ids): whatever the owners
    // wrote before their leases ran out, which was before `now`, is in the files by now.
    const owners = await expiredLeaseOwners(db, now);
    const journals = new Map(owners.map((owner) => [owner, readSendJournal(dir, owner)]));
    const local = owners.filter((owner) => journals.get(owner) !== null || hostOf(owner) === this.host);
    const recorded = new Map<string, Interruption>();
    await this.recover(now, { owners: local, journalOf: (owner) => journals.get(owner) ?? null }, recorded);
    // Another machine's dead workers expired long enough ago are among `owners`: ask only then.
    if (scheduler && owners.length > local.length) {
      const expiredBefore = now - this.foreignGraceMs;
      const foreign = (this.foreignGraceMs > 0 ? await expiredLeaseOwners(db, expiredBefore) : owners).filter((owner) => !local.includes(owner));
      await this.recover(now, { owners: foreign, expiredBefore }, recorded);
    }
    // Journals of workers long gone (their messages recovered above, here or on another machine).
    if (now - this.journalsCleanedAt >= JOURNAL_CLEANUP_EVERY_MS) {
      this.journalsCleanedAt = now;
      deleteStaleJournals(dir, STALE_JOURNAL_MS, new Set([this.owner]));
    }
  }

  /**
   * Recovers the expired rows of `options.owners`, `recoveryBatch` per transaction, with their
   * counters, activity (one entry per campaign for the whole pass: `recorded`) and signals.
   */
  private async recover(now: number, options: Omit<ExpireOptions, 'limit'>, recorded: Map<string, Interruption>): Promise<void> {
    const { db, bus, logger } = this.deps;
    if (options.owners.length === 0) return;
    const limit = this.recoveryBatch;
    for (;;) {
      const changed = await writeTransaction(db, async (trx) => {
        const expired = await expireSendingLeases({ ...db, kysely: trx }, now, { ...options, limit });
        const deltas = new CampaignDeltas();
        const effect = transition({ status: 'sending', sent_at: null, delivered_at: null, read_at: null, error_category: null }, { kind: 'send_unknown', at: now, detail: '' });
        for (const row of expired.unknown) deltas.add(row.campaign_id, effect, now);
        const touched = await deltas.write(trx);
        const interruptions = await recordInterruptions(trx, expired, recorded, now);
        return { expired, touched, interruptions };
      });
      for (const [campaignId, entry] of changed.interruptions) recorded.set(campaignId, entry);
      const { unknown, requeued } = changed.expired;
      if (unknown.length + requeued.length > 0) {
        logger.warn({ unknown: unknown.length, requeued: requeued.length }, 'messages of a worker that stopped while sending: those its send journal shows unsent are queued again, the others are unknown');
      }
      for (const campaignId of changed.touched) bus.emit('campaign-changed', campaignId, 'progress');
      for (const providerId of new Set(requeued.map((row) => row.provider_id))) bus.emit('messages-queued', providerId);
      if (unknown.length + requeued.length < limit) return;
      await yieldToEventLoop();
    }
  }
}
