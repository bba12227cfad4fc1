/**
 * Sends one provider account's messages at the account's rate. Exactly one ProviderDispatcher
 * runs per account across all worker processes (the DispatchService holds the account's lease),
 * so the account's pacing holds across every campaign and every worker.
 *
 * Two loops that never wait for each other:
 * - refills, in the background, keep about 250 ms of sends claimed (`queued → sending`) per
 *   source — replies, auto-replies and tests first, then each running campaign;
 * - the pacing loop gives each claimed message its slot from the pacers, up to 100 ms ahead, and
 *   hands it to the sender thread, which makes the request at exactly that time, with bounded
 *   concurrency over the client's keep-alive pool.
 * Database latency and pauses of this thread (commits, garbage collection) therefore never bunch
 * or drop sends: the schedule was made before the pause, and the thread that keeps it does
 * nothing else. After a crash, the claimed messages whose request had not started go back to the
 * queue (the sender thread's send journal tells them apart: send-journal.ts, decision 0012); the
 * requests in flight become `unknown`, settled later by delivery receipts.
 * Paused or stopped campaigns are noticed within `refreshMs`; their claimed, unsent messages go
 * back to the queue or are cancelled, while the ≤ 100 ms already scheduled still go. Likewise a
 * 429 slows the pacer at once, but sends already scheduled still leave (and may come back
 * rate-limited, to be retried).
 */
import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { SendResult, TemplateMessage } from '../providers/provider.js';
import { claimCampaignMessages, claimDirectMessages, releaseClaimed, type ClaimedMessage } from '../storage/message-queue.js';
import { CampaignDeltas } from './counters.js';
import { findOptedOut, skipClaimed, skipOptedOut } from './opt-out-check.js';
import { capCheckedAtSend, frequencyCapDetail, sentRecentlyCounts, type FrequencyCap } from './frequency-cap.js';
import { parseJson } from '../storage/json.js';
import { Pacer } from './rate-limiter.js';
import { readPayload } from './message-payload.js';
import { inDndWindow, type DndWindow } from './dnd.js';
import type { SendResultWriter } from './send-results.js';
import type { SendSchedule } from './send-clock.js';
import { diskSpaceMonitor } from '../ops/disk-space.js';

export interface DispatcherOptions {
  /** Concurrent requests to the provider. */
  maxInFlight: number;
  /** How long a claimed message stays leased before it is considered lost (→ unknown). */
  messageLeaseMs: number;
  /** How often running campaigns and the account are re-read (pause takes effect within this). */
  refreshMs: number;
  /** Wait between claims when there is nothing to send (a bus signal ends it early). */
  idlePollMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  // Equal to the HTTP pool's connections per origin: more would only wait in the pool's queue.
  maxInFlight: 64,
  messageLeaseMs: 35_000,
  refreshMs: 500,
  idlePollMs: 200,
};

interface TemplateMeta {
  namespace: string;
  body: string;
  language: string;
  attachmentType: TemplateMessage['template']['attachmentType'];
}

interface Source {
  /** Campaign id, or null for replies / auto-replies / tests. */
  campaignId: string | null;
  /** Claimed, not yet sent, in claim order. */
  queue: ClaimedMessage[];
  pacer: Pacer | null;
  rate: number;
  /** No claim before this time (epoch ms): the last claim came back short. */
  nextClaimAt: number;
  refilling: boolean;
}

const CONSECUTIVE_DOWN_BEFORE_PAUSE = 5;
/**
 * A throttling delivery report (provider-throttling.ts) slows the account down like a 429 without
 * Retry-After: a pause of this long, then half the rate, recovering gradually.
 */
const REPORTED_THROTTLING_PAUSE_MS = 1000;
/** A throttling report older than this when first seen (before this dispatcher started) is history. */
const REPORTED_THROTTLING_STALE_MS = 10_000;
/** Seconds of sends kept claimed ahead of the pacer (more than the lookahead, so it never runs dry). */
const PREFETCH_SECONDS = 0.25;
/** How far ahead (ms) sends are scheduled on the sender thread. */
const LOOKAHEAD_MS = 100;
/** Most rows one claim takes. */
const MAX_CLAIM = 500;
/**
 * A claimed message is sent only until this long before its lease runs out: after that a
 * recovering worker may queue it again (send-journal.ts), and a send must not race it.
 */
const LEASE_SAFETY_MS = 1000;
/** After messages were held back, claims wait this long; the warning is logged at most this often. */
const HELD_BACK_PAUSE_MS = 1000;
const HELD_BACK_LOG_EVERY_MS = 10_000;

export class ProviderDispatcher {
  private readonly pacer: Pacer;
  private readonly direct: Source;
  private readonly campaigns = new Map<string, Source>();
  private readonly templates = new Map<string, TemplateMeta>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly refills = new Set<Promise<void>>();
  /** Messages the sender did not send (lease ran out, journal unwritable): released by the loop. */
  private heldBack: ClaimedMessage[] = [];
  private heldBackReason = '';
  private heldBackLoggedAt = 0;
  private heldBackSinceLog = 0;
  /** The account's `updated_at` when last read; null while the account is missing or deleted. */
  private accountVersion: number | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private refreshedAt = 0;
  private rotation = 0;
  /** performance.now() of the earliest slot the last pump could not use (after its horizon). */
  private nextSendAt = Number.POSITIVE_INFINITY;
  /** The loop waits for a request to complete (every allowed request is in flight). */
  private waitingForSlot = false;
  private consecutiveDown = 0;
  /** provider_accounts.last_throttled_at already acted on (epoch ms). */
  private throttlingSeenAt = 0;
  /** Campaigns whose frequency cap is checked as their messages are sent (scheduled ones: frequency-cap.ts). */
  private readonly capsAtSend = new Map<string, FrequencyCap>();
  /** Campaigns whose DND hours could not be read, logged once each. */
  private readonly unreadableDnd = new Set<string>();
  /**
   * A new client has no open connection: its first requests would wait for TCP/TLS set-up and
   * then arrive at the provider together, more than the rate in one window. So the first request
   * of a client goes alone; the others follow once it has answered and a connection is open.
   */
  private primed = false;
  private priming = false;
  /** performance.now() until which this process may send for the account (its lease). */
  leaseValidUntil = Number.POSITIVE_INFINITY;
  /** Epoch ms of the last claimed or sent message. */
  lastActiveAt = Date.now();

  constructor(
    private readonly deps: AppDeps,
    readonly providerId: string,
    private readonly owner: string,
    private readonly writer: SendResultWriter,
    private readonly options: DispatcherOptions = DEFAULT_DISPATCHER_OPTIONS,
  ) {
    this.pacer = new Pacer(1);
    this.direct = newSource(null, null, 1);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Wakes the loop early (new messages queued, a campaign changed). */
  poke(): void {
    this.direct.nextClaimAt = 0;
    for (const source of this.campaigns.values()) source.nextClaimAt = 0;
    this.refreshedAt = 0;
    this.wake?.();
  }

  get idle(): boolean {
    return this.inFlight.size === 0 && this.refills.size === 0 && this.buffered === 0;
  }

  private get buffered(): number {
    let count = this.direct.queue.length;
    for (const source of this.campaigns.values()) count += source.queue.length;
    return count;
  }

  /** Stops sending, returns claimed but unsent messages to the queue, and waits for requests in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await Promise.all([...this.refills]);
    await this.release(this.direct.queue.splice(0), null);
    for (const [campaignId, source] of this.campaigns) await this.release(source.queue.splice(0), campaignId);
    await Promise.all([...this.inFlight]);
    await this.releaseHeldBack();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (Date.now() - this.refreshedAt >= this.options.refreshMs) await this.refresh();
        if (this.heldBack.length > 0) await this.releaseHeldBack();
        this.refill();
        const started = this.pump();
        await this.pause(this.waitMs(started));
      } catch (error) {
        this.deps.logger.error({ err: error, providerId: this.providerId }, 'dispatcher loop failed; retrying in 1 s');
        await this.pause(1000);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private waitMs(started: number): number {
    if (this.buffered === 0) return started > 0 || this.refills.size > 0 ? 50 : this.options.idlePollMs; // a refill wakes us
    if (this.priming) return 50; // the priming request wakes us when it completes
    if (this.inFlight.size >= this.inFlightLimit()) {
      this.waitingForSlot = true; // a completing request wakes us
      return 50;
    }
    // Wake when the next slot is half a lookahead away, so each pass schedules ~LOOKAHEAD_MS / 2 of
    // sends and a main-thread pause shorter than that never delays one.
    const lead = this.primed ? LOOKAHEAD_MS / 2 : 0;
    return Math.min(LOOKAHEAD_MS / 2, Math.max(1, this.nextSendAt - lead - performance.now()));
  }

  /** Re-reads the account (rate, credentials) and which campaigns may send now. */
  private async refresh(): Promise<void> {
    const now = Date.now();
    this.refreshedAt = now;
    const entry = await this.deps.providers.get(this.providerId);
    if (!entry || entry.account.deleted) {
      this.accountVersion = null;
      return;
    }
    // New credentials mean a new client and new connections: prime them again.
    if (this.accountVersion !== entry.account.updatedAt) this.primed = false;
    this.accountVersion = entry.account.updatedAt;
    this.pacer.configure(entry.account.ratePerSecond);
    this.direct.rate = entry.account.ratePerSecond;
    const throttling = await this.deps.db.kysely.selectFrom('provider_accounts').select('last_throttled_at').where('id', '=', this.providerId).executeTakeFirst();
    this.noticeReportedThrottling(throttling?.last_throttled_at ?? null, now);

    // Almost no space left for the database: campaigns hold (disk-space.ts); replies, auto-replies
    // and opt-out confirmations (the direct source) still go.
    const diskFull = (await diskSpaceMonitor(this.deps)?.holdsCampaigns(now)) ?? false;
    const rows = await this.deps.db.kysely
      .selectFrom('campaigns')
      .select(['id', 'rate_per_second', 'dnd', 'cutoff_at', 'frequency_cap', 'send_at'])
      .where('provider_id', '=', this.providerId)
      .where('state', '=', 'running')
      .execute();
    const eligible = new Map<string, number | null>();
    this.capsAtSend.clear();
    for (const row of rows) {
      const cap = parseJson<FrequencyCap | null>(row.frequency_cap, null);
      if (cap && capCheckedAtSend(row)) this.capsAtSend.set(row.id, cap);
      if (diskFull) continue;
      if (row.cutoff_at !== null && row.cutoff_at <= now) continue;
      const dnd = parseJson<DndWindow | null>(row.dnd, null);
      try {
        if (dnd && inDndWindow(dnd, now)) continue;
      } catch (error) {
        // Its DND hours cannot be read (a time zone the running Node does not know): it waits,
        // rather than sending at what may be night, and the account's other campaigns go on.
        if (!this.unreadableDnd.has(row.id)) this.deps.logger.error({ err: error, campaignId: row.id }, 'dispatcher: cannot tell whether this campaign is inside its DND hours; it does not send');
        this.unreadableDnd.add(row.id);
        continue;
      }
      eligible.set(row.id, row.rate_per_second);
    }
    for (const [campaignId, source] of this.campaigns) {
      if (eligible.has(campaignId)) continue;
      this.campaigns.delete(campaignId);
      await this.release(source.queue.splice(0), campaignId);
    }
    for (const [campaignId, rate] of eligible) {
      const effective = Math.min(rate ?? entry.account.ratePerSecond, entry.account.ratePerSecond);
      const ownPacer = effective < entry.account.ratePerSecond;
      const source = this.campaigns.get(campaignId);
      if (source) {
        source.rate = effective;
        if (ownPacer) (source.pacer ??= new Pacer(effective)).configure(effective);
        else source.pacer = null;
      } else {
        this.campaigns.set(campaignId, newSource(campaignId, ownPacer ? new Pacer(effective) : null, effective));
      }
    }
  }

  /** Starts background claims for sources running low; each wakes the loop when it lands. */
  private refill(): void {
    if (this.accountVersion === null || this.stopping) return;
    const now = Date.now();
    for (const source of [this.direct, ...this.campaigns.values()]) {
      if (source.refilling || now < source.nextClaimAt) continue;
      const target = Math.max(1, Math.min(MAX_CLAIM, Math.ceil(Math.min(source.rate, this.pacer.currentRate) * PREFETCH_SECONDS)));
      if (source.queue.length * 2 > target) continue;
      const want = target - source.queue.length;
      source.refilling = true;
      const task = this.claimInto(source, want, now)
        .catch((error: unknown) => {
          source.nextClaimAt = Date.now() + 1000;
          this.deps.logger.error({ err: error, providerId: this.providerId }, 'claiming messages failed');
        })
        .finally(() => {
          source.refilling = false;
          this.refills.delete(task);
          this.wake?.();
        });
      this.refills.add(task);
    }
  }

  private async claimInto(source: Source, want: number, now: number): Promise<void> {
    const options = { owner: this.owner, limit: want, leaseMs: this.options.messageLeaseMs, now };
    let claimed =
      source.campaignId === null
        ? await claimDirectMessages(this.deps.db, this.providerId, options)
        : await claimCampaignMessages(this.deps.db, source.campaignId, options);
    if (claimed.length < want) source.nextClaimAt = Date.now() + this.options.idlePollMs;
    if (claimed.length === 0) return;
    // Parsed once here (SQLite hands JSON columns over as text): loadTemplates and deliver read it.
    for (const message of claimed) message.payload = readPayload(message.payload);
    if (source.campaignId !== null) {
      try {
        claimed = await this.withoutOptedOut(source.campaignId, claimed);
        claimed = await this.withinFrequencyCap(source.campaignId, claimed, now);
      } catch (error) {
        // Never sent: back to the queue, not left to expire into `unknown`.
        await this.release(claimed, source.campaignId).catch(() => undefined);
        throw error;
      }
    }
    await this.loadTemplates(claimed);
    this.lastActiveAt = Date.now();
    const stillWanted = source.campaignId === null || this.campaigns.get(source.campaignId) === source;
    if (this.stopping || !stillWanted) {
      await this.release(claimed, source.campaignId);
      return;
    }
    source.queue.push(...claimed);
  }

  /** Skips the claimed campaign messages whose recipients opted out since publish (opt-out-check.ts). */
  private async withoutOptedOut(campaignId: string, claimed: ClaimedMessage[]): Promise<ClaimedMessage[]> {
    const optedOut = await findOptedOut(this.deps.db, claimed[0]!.project_id, claimed);
    if (optedOut.length === 0) return claimed;
    await skipOptedOut(this.deps.db, this.owner, campaignId, optedOut);
    this.deps.bus.emit('campaign-changed', campaignId, 'progress');
    const skipped = new Set(optedOut.map((entry) => entry.message.id));
    return claimed.filter((message) => !skipped.has(message.id));
  }

  /**
   * A scheduled campaign's frequency cap, checked now that its messages are about to be sent
   * (frequency-cap.ts): recipients who already received `messages` campaign messages sent in the
   * window are skipped with reason frequency_cap. One indexed read per claim, for such campaigns only.
   */
  private async withinFrequencyCap(campaignId: string, claimed: ClaimedMessage[], claimedAt: number): Promise<ClaimedMessage[]> {
    const cap = this.capsAtSend.get(campaignId);
    if (!cap || claimed.length === 0) return claimed;
    const profileIds = claimed.flatMap((message) => (message.profile_id ? [message.profile_id] : []));
    const received = await sentRecentlyCounts(this.deps.db, campaignId, profileIds, cap, claimedAt);
    const over = claimed.filter((message) => message.profile_id !== null && (received.get(message.profile_id) ?? 0) >= cap.messages);
    if (over.length === 0) return claimed;
    const skips = over.map((message) => ({
      id: message.id,
      skipReason: 'frequency_cap' as const,
      counter: 'skipped_frequency_cap' as const,
      detail: `${frequencyCapDetail(cap, received.get(message.profile_id!)!)}, checked when it was to be sent`,
    }));
    await skipClaimed(this.deps.db, this.owner, campaignId, skips);
    this.deps.bus.emit('campaign-changed', campaignId, 'progress');
    const skipped = new Set(over.map((message) => message.id));
    return claimed.filter((message) => !skipped.has(message.id));
  }

  /**
   * Schedules the sends the pacers allow up to LOOKAHEAD_MS ahead, one slot at a time: replies and
   * tests first, then the running campaigns in turn. Returns how many were scheduled.
   */
  private pump(): number {
    this.nextSendAt = Number.POSITIVE_INFINITY;
    if (this.accountVersion === null || this.stopping || this.priming) return 0;
    const now = performance.now();
    // The first request of a new client goes alone and now (see `primed`); nothing is scheduled
    // beyond the lease, which another worker may take over.
    const horizon = Math.min(this.primed ? now + LOOKAHEAD_MS : now, this.leaseValidUntil);
    if (horizon < now) return 0;
    const limit = this.primed ? this.inFlightLimit() : 1;
    let started = 0;
    const sendOne = (source: Source): boolean => {
      if (source.queue.length === 0 || this.inFlight.size >= limit) return false;
      const at = Math.max(this.pacer.nextAt(now), source.pacer?.nextAt(now) ?? now);
      if (at > horizon) {
        this.nextSendAt = Math.min(this.nextSendAt, at);
        return false;
      }
      this.pacer.commit(at);
      source.pacer?.commit(at);
      this.send(source.queue.shift()!, at);
      started++;
      return true;
    };
    while (sendOne(this.direct));
    const campaigns = [...this.campaigns.values()];
    let turn = campaigns.map((_, i) => campaigns[(this.rotation + i) % campaigns.length]!);
    while (turn.length > 0) turn = turn.filter(sendOne);
    this.rotation++;
    if (started > 0) this.lastActiveAt = Date.now();
    return started;
  }

  /**
   * Requests in flight or scheduled: the HTTP pool's worth plus what the lookahead holds at the
   * current rate (bounded, so an unlimited rate cannot queue thousands of requests in the pool).
   */
  private inFlightLimit(): number {
    const max = this.options.maxInFlight;
    return max + Math.min(max, Math.ceil((this.pacer.currentRate * LOOKAHEAD_MS) / 1000));
  }

  private async loadTemplates(messages: ClaimedMessage[]): Promise<void> {
    const missing = new Set<string>();
    for (const message of messages) {
      const payload = readPayload(message.payload);
      if (payload?.type === 'template' && !this.templates.has(payload.templateId)) missing.add(payload.templateId);
    }
    if (missing.size === 0) return;
    const rows = await this.deps.db.kysely
      .selectFrom('templates')
      .select(['id', 'namespace', 'body', 'language', 'attachment_type'])
      .where('id', 'in', [...missing])
      .execute();
    for (const row of rows) this.templates.set(row.id, { namespace: row.namespace, body: row.body, language: row.language, attachmentType: row.attachment_type });
  }

  /** Sends `message` at `at` (performance.now() clock of this thread). */
  private send(message: ClaimedMessage, at: number): void {
    const version = this.accountVersion;
    const priming = !this.primed;
    if (priming) this.priming = true;
    const schedule = { at: performance.timeOrigin + at, perSecond: Pacer.capFor(this.pacer.configuredRate) };
    const task = this.deliver(message, schedule)
      .then((result) => {
        if (!result.ok && result.outcome === 'not_sent' && result.heldBack) {
          this.heldBack.push(message);
          this.heldBackReason = result.detail;
          this.wake?.();
        } else {
          this.writer.add(message, result);
        }
      })
      .catch((error: unknown) => {
        // An adapter that throws may or may not have sent: treat the outcome as unknown.
        this.deps.logger.error({ err: error, messageId: message.id }, 'provider adapter threw');
        this.writer.add(message, { ok: false, outcome: 'unknown', detail: `adapter error: ${(error as Error).message}`, raw: { request: { method: '', url: '', body: '' } } });
      })
      .finally(() => {
        this.inFlight.delete(task);
        if (priming && this.accountVersion === version) {
          this.primed = true;
          this.priming = false;
          this.wake?.();
        }
        if (this.waitingForSlot) {
          this.waitingForSlot = false;
          this.wake?.();
        }
      });
    this.inFlight.add(task);
  }

  private async deliver(message: ClaimedMessage, schedule: SendSchedule): Promise<SendResult> {
    const payload = readPayload(message.payload);
    const noRequest = { request: { method: '', url: '', body: '' } };
    if (!payload || !message.phone) {
      return { ok: false, outcome: 'not_sent', category: 'invalid_request', retryable: false, detail: 'the message has no phone or no content', raw: noRequest };
    }
    let result: SendResult;
    const lease = { owner: this.owner, notAfter: Number(message.lease_expires_at) - LEASE_SAFETY_MS };
    if (payload.type === 'text') {
      result = await this.deps.sender.send(this.providerId, { kind: 'session', message: { to: message.phone, text: payload.text, clientRef: message.id } }, schedule, lease);
    } else {
      const template = this.templates.get(payload.templateId);
      if (!template) {
        return { ok: false, outcome: 'not_sent', category: 'template_mismatch', retryable: false, detail: 'the template no longer exists', raw: noRequest };
      }
      result = await this.deps.sender.send(this.providerId, {
        kind: 'template',
        message: {
          to: message.phone,
          template,
          params: payload.params,
          renderedBody: payload.body,
          ...(payload.mediaUrl ? { mediaUrl: payload.mediaUrl } : {}),
          clientRef: message.id,
        },
      }, schedule, lease);
    }
    if (result.ok || result.outcome !== 'not_sent' || !result.heldBack) this.observe(result);
    return result;
  }

  /** Slows down on throttling and pauses while the provider is down. */
  private observe(result: SendResult): void {
    if (result.ok) {
      this.consecutiveDown = 0;
      return;
    }
    if (result.outcome === 'not_sent' && result.category === 'rate_limited') {
      this.pacer.throttle(result.retryAfterMs ?? 1000);
      this.deps.metrics.providerThrottled.inc({ provider_account: this.providerId, signal: 'answer' });
    } else if (result.outcome === 'not_sent' && result.category === 'provider_down') {
      this.consecutiveDown++;
      if (this.consecutiveDown >= CONSECUTIVE_DOWN_BEFORE_PAUSE) {
        this.pacer.throttle(Math.min(30_000, 1000 * 2 ** (this.consecutiveDown - CONSECUTIVE_DOWN_BEFORE_PAUSE)));
      }
    }
  }

  /**
   * A delivery report said the provider throttled the account (a message accepted, then failed for
   * the rate): slow down as on a 429. The applier writes the time at most once a second, so a
   * stream of such reports halves the rate at most once a second.
   */
  private noticeReportedThrottling(reportedAt: number | null, now: number): void {
    if (reportedAt === null || reportedAt <= this.throttlingSeenAt) return;
    this.throttlingSeenAt = reportedAt;
    if (now - reportedAt > REPORTED_THROTTLING_STALE_MS) return;
    this.pacer.throttle(REPORTED_THROTTLING_PAUSE_MS);
    this.deps.metrics.providerThrottled.inc({ provider_account: this.providerId, signal: 'report' });
    this.deps.logger.warn(
      { providerId: this.providerId, reportedAt, ratePerSecond: Math.round(this.pacer.currentRate * 10) / 10 },
      'the provider reported throttling in a delivery report; sending for this account slowed down',
    );
  }

  /**
   * Messages the sender held back were never sent: back to the queue while this process still
   * holds them (a recovering worker may have queued them again already: release checks the owner).
   */
  private async releaseHeldBack(): Promise<void> {
    const messages = this.heldBack.splice(0);
    if (messages.length === 0) return;
    const now = Date.now();
    this.heldBackSinceLog += messages.length;
    if (now - this.heldBackLoggedAt >= HELD_BACK_LOG_EVERY_MS) {
      this.deps.logger.warn({ providerId: this.providerId, messages: this.heldBackSinceLog, reason: this.heldBackReason }, 'messages held back before sending; they go back to the queue');
      this.heldBackLoggedAt = now;
      this.heldBackSinceLog = 0;
    }
    // Whatever held them back (a journal that cannot be written, a frozen process) is not over
    // in a few milliseconds: claim again a second later rather than claim and release in a loop.
    for (const source of [this.direct, ...this.campaigns.values()]) source.nextClaimAt = Math.max(source.nextClaimAt, now + HELD_BACK_PAUSE_MS);
    const byCampaign = new Map<string | null, ClaimedMessage[]>();
    for (const message of messages) {
      const held = byCampaign.get(message.campaign_id);
      if (held) held.push(message);
      else byCampaign.set(message.campaign_id, [message]);
    }
    for (const [campaignId, held] of byCampaign) await this.release(held, campaignId);
  }

  /** Claimed, never-sent messages go back to `queued`, or are cancelled if their campaign stopped. */
  private async release(messages: ClaimedMessage[], campaignId: string | null): Promise<void> {
    if (messages.length === 0) return;
    const ids = messages.map((message) => message.id);
    let stopped = false;
    let reason: string | undefined;
    if (campaignId) {
      const row = await this.deps.db.kysely.selectFrom('campaigns').select(['state', 'state_reason']).where('id', '=', campaignId).executeTakeFirst();
      stopped = row?.state === 'stopped' || row?.state === 'completed' || row?.state === 'failed';
      reason = row?.state_reason ?? undefined;
    }
    if (!stopped) {
      await releaseClaimed(this.deps.db, ids, this.owner, 'queued');
      return;
    }
    await this.deps.db.kysely.transaction().execute(async (trx) => {
      const cancelled = await releaseClaimed({ ...this.deps.db, kysely: trx }, ids, this.owner, 'cancelled', Date.now(), reason);
      if (cancelled.length > 0 && campaignId) {
        const deltas = new CampaignDeltas();
        deltas.addCounts(campaignId, { queued: -cancelled.length, cancelled: cancelled.length });
        await deltas.write(trx);
      }
    });
    if (campaignId) this.deps.bus.emit('campaign-changed', campaignId, 'progress');
  }
}

function newSource(campaignId: string | null, pacer: Pacer | null, rate: number): Source {
  return { campaignId, queue: [], pacer, rate, nextClaimAt: 0, refilling: false };
}

/** Provider accounts with something to send: running campaigns, or queued replies/tests. */
export async function providersWithWork(deps: Pick<AppDeps, 'db'>): Promise<string[]> {
  const result = await sql<{ provider_id: string }>`
    select distinct provider_id from campaigns where state = 'running'
    union
    select distinct provider_id from messages where campaign_id is null and status = 'queued'`.execute(deps.db.kysely);
  return result.rows.map((row) => row.provider_id);
}
