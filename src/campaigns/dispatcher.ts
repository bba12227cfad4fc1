/**
 * Sends one provider account's messages at the account's rate. Exactly one ProviderDispatcher
 * runs per account across all worker processes (the DispatchService holds the account's lease),
 * so the account's pacing holds across every campaign and every worker.
 *
 * Claiming is the last step before sending: each pass asks the pacers how many sends are due now,
 * claims exactly that many rows (`queued → sending`) — replies, auto-replies and tests first, then
 * the running campaigns in turn — and starts their requests at once, with bounded concurrency over
 * the client's keep-alive pool. Nothing is held claimed but unsent, so a crash leaves at most the
 * requests in flight (which become `unknown` and are settled by delivery receipts), and a pause
 * takes effect at the next re-read of the campaigns (`refreshMs`).
 */
import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { ProviderClient, SendResult, TemplateMessage } from '../providers/provider.js';
import { claimCampaignMessages, claimDirectMessages, type ClaimedMessage } from '../storage/message-queue.js';
import { parseJson } from '../storage/json.js';
import { Pacer } from './rate-limiter.js';
import { readPayload } from './message-payload.js';
import { inDndWindow, type DndWindow } from './dnd.js';
import type { SendResultWriter } from './send-results.js';

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
  pacer: Pacer | null;
  rate: number;
  /** No claim before this time (epoch ms): the last claim came back short. */
  nextClaimAt: number;
}

const CONSECUTIVE_DOWN_BEFORE_PAUSE = 5;
/** Shortest time between two claim passes (ms). */
const MIN_PASS_MS = 3;
/** Most rows one claim takes (bounded by free concurrency anyway). */
const MAX_CLAIM = 500;

export class ProviderDispatcher {
  private readonly pacer: Pacer;
  private readonly direct: Source;
  private readonly campaigns = new Map<string, Source>();
  private readonly templates = new Map<string, TemplateMeta>();
  private readonly inFlight = new Set<Promise<void>>();
  private client: ProviderClient | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private refreshedAt = 0;
  private rotation = 0;
  private consecutiveDown = 0;
  /** performance.now() until which this process may send for the account (its lease). */
  leaseValidUntil = Number.POSITIVE_INFINITY;
  /** Epoch ms of the last claimed message. */
  lastActiveAt = Date.now();

  constructor(
    private readonly deps: AppDeps,
    readonly providerId: string,
    private readonly owner: string,
    private readonly writer: SendResultWriter,
    private readonly options: DispatcherOptions = DEFAULT_DISPATCHER_OPTIONS,
  ) {
    this.pacer = new Pacer(1);
    this.direct = { campaignId: null, pacer: null, rate: 1, nextClaimAt: 0 };
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
    return this.inFlight.size === 0;
  }

  /** Stops claiming and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await Promise.all([...this.inFlight]);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (Date.now() - this.refreshedAt >= this.options.refreshMs) await this.refresh();
        const started = await this.pump();
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
    const now = Date.now();
    const sources = [this.direct, ...this.campaigns.values()];
    if (started === 0 && sources.every((source) => now < source.nextClaimAt)) return this.options.idlePollMs;
    if (this.inFlight.size >= this.options.maxInFlight) return 50; // a completing request wakes us
    // Pass at most every MIN_PASS_MS: the pacer lets up to 10 ms of sends catch up, so nothing is lost.
    return Math.min(50, Math.max(MIN_PASS_MS, this.pacer.msUntilNext()));
  }

  /** Re-reads the account (rate, credentials) and which campaigns may send now. */
  private async refresh(): Promise<void> {
    const now = Date.now();
    this.refreshedAt = now;
    const entry = await this.deps.providers.get(this.providerId);
    if (!entry || entry.account.deleted) {
      this.client = null;
      return;
    }
    this.client = entry.client;
    this.pacer.configure(entry.account.ratePerSecond);
    this.direct.rate = entry.account.ratePerSecond;

    const rows = await this.deps.db.kysely
      .selectFrom('campaigns')
      .select(['id', 'rate_per_second', 'dnd', 'cutoff_at'])
      .where('provider_id', '=', this.providerId)
      .where('state', '=', 'running')
      .execute();
    const eligible = new Map<string, number | null>();
    for (const row of rows) {
      if (row.cutoff_at !== null && row.cutoff_at <= now) continue;
      const dnd = parseJson<DndWindow | null>(row.dnd, null);
      if (dnd && inDndWindow(dnd, now)) continue;
      eligible.set(row.id, row.rate_per_second);
    }
    for (const campaignId of this.campaigns.keys()) if (!eligible.has(campaignId)) this.campaigns.delete(campaignId);
    for (const [campaignId, rate] of eligible) {
      const effective = Math.min(rate ?? entry.account.ratePerSecond, entry.account.ratePerSecond);
      const source = this.campaigns.get(campaignId);
      const ownPacer = effective < entry.account.ratePerSecond;
      if (source) {
        source.rate = effective;
        if (ownPacer) (source.pacer ??= new Pacer(effective)).configure(effective);
        else source.pacer = null;
      } else {
        this.campaigns.set(campaignId, { campaignId, pacer: ownPacer ? new Pacer(effective) : null, rate: effective, nextClaimAt: 0 });
      }
    }
  }

  /** Claims and starts the sends that are due now; returns how many started. */
  private async pump(): Promise<number> {
    if (!this.client || this.stopping || performance.now() > this.leaseValidUntil) return 0;
    const now = Date.now();
    const campaigns = [...this.campaigns.values()];
    const order = [this.direct, ...campaigns.map((_, i) => campaigns[(this.rotation + i) % campaigns.length]!)];
    this.rotation++;
    let started = 0;
    for (const source of order) {
      if (now < source.nextClaimAt || this.stopping) continue;
      let due = Math.min(this.options.maxInFlight - this.inFlight.size, MAX_CLAIM);
      if (source.pacer) due = source.pacer.peek(due);
      due = this.pacer.peek(due);
      if (due <= 0) continue;
      const claimOptions = { owner: this.owner, limit: due, leaseMs: this.options.messageLeaseMs, now };
      const claimed =
        source.campaignId === null
          ? await claimDirectMessages(this.deps.db, this.providerId, claimOptions)
          : await claimCampaignMessages(this.deps.db, source.campaignId, claimOptions);
      if (claimed.length < due) source.nextClaimAt = now + this.options.idlePollMs;
      if (claimed.length === 0) continue;
      this.pacer.take(claimed.length);
      source.pacer?.take(claimed.length);
      await this.loadTemplates(claimed);
      for (const message of claimed) this.send(message);
      started += claimed.length;
      this.lastActiveAt = now;
    }
    return started;
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

  private send(message: ClaimedMessage): void {
    const client = this.client!;
    const task = this.deliver(client, message)
      .then((result) => this.writer.add(message, result))
      .catch((error: unknown) => {
        // An adapter that throws may or may not have sent: treat the outcome as unknown.
        this.deps.logger.error({ err: error, messageId: message.id }, 'provider adapter threw');
        this.writer.add(message, { ok: false, outcome: 'unknown', detail: `adapter error: ${(error as Error).message}`, raw: { request: { method: '', url: '', body: '' } } });
      })
      .finally(() => {
        this.inFlight.delete(task);
        if (this.inFlight.size === this.options.maxInFlight - 1) this.wake?.();
      });
    this.inFlight.add(task);
  }

  private async deliver(client: ProviderClient, message: ClaimedMessage): Promise<SendResult> {
    const payload = readPayload(message.payload);
    const noRequest = { request: { method: '', url: '', body: '' } };
    if (!payload || !message.phone) {
      return { ok: false, outcome: 'not_sent', category: 'invalid_request', retryable: false, detail: 'the message has no phone or no content', raw: noRequest };
    }
    let result: SendResult;
    if (payload.type === 'text') {
      result = await client.sendSession({ to: message.phone, text: payload.text, clientRef: message.id });
    } else {
      const template = this.templates.get(payload.templateId);
      if (!template) {
        return { ok: false, outcome: 'not_sent', category: 'template_mismatch', retryable: false, detail: 'the template no longer exists', raw: noRequest };
      }
      result = await client.sendTemplate({
        to: message.phone,
        template,
        params: payload.params,
        renderedBody: payload.body,
        ...(payload.mediaUrl ? { mediaUrl: payload.mediaUrl } : {}),
        clientRef: message.id,
      });
    }
    this.observe(result);
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
    } else if (result.outcome === 'not_sent' && result.category === 'provider_down') {
      this.consecutiveDown++;
      if (this.consecutiveDown >= CONSECUTIVE_DOWN_BEFORE_PAUSE) {
        this.pacer.throttle(Math.min(30_000, 1000 * 2 ** (this.consecutiveDown - CONSECUTIVE_DOWN_BEFORE_PAUSE)));
      }
    }
  }
}

/** Provider accounts with something to send: running campaigns, or queued replies/tests. */
export async function providersWithWork(deps: Pick<AppDeps, 'db'>): Promise<string[]> {
  const result = await sql<{ provider_id: string }>`
    select distinct provider_id from campaigns where state = 'running'
    union
    select distinct provider_id from messages where campaign_id is null and status = 'queued'`.execute(deps.db.kysely);
  return result.rows.map((row) => row.provider_id);
}
