/**
 * The applier: turns the callback log into effects, in arrival order, idempotently. One pass:
 * 1. retries pending receipts (receipts that arrived before their message's provider id was
 *    stored) whose id is stored now — a window of the pending table per pass, so a large backlog of
 *    receipts for messages that are not ours never slows a pass down;
 * 2. takes the next pending callbacks by `seq`, and applies them in ONE transaction: receipts
 *    (set-based, see receipts.ts), inbound messages and user events (see inbound.ts), campaign
 *    counters, the receipts still without a message (kept pending), and the callbacks' new state.
 *    Effects and the `applied` mark commit together, so a crash re-applies nothing twice.
 * If the batch transaction throws, its callbacks are applied one per transaction: a callback that
 * still throws stays `pending` with attempts+1 and a backoff, and becomes `invalid` (with the error)
 * after MAX_ATTEMPTS, while the others go on. Callbacks that cannot be parsed any more are `invalid`.
 * After the commit: signals (messages queued, campaign and conversation changes) and the provider
 * opt-in / opt-out calls.
 *
 * With a lease (ApplierService: one applier at a time), every write transaction starts by checking
 * that this process still holds it (and extending it): a pass that outlived its lease — a long
 * batch, a paused process — while another worker took over is abandoned, rolled back whole, so
 * the new holder alone applies those callbacks and their side effects (auto-replies, keyword
 * confirmations, provider opt calls) happen once.
 */
import type { Kysely } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { Database } from '../storage/schema.js';
import type { Dialect } from '../storage/db.js';
import type { CallbackEvent, GupshupCredentials, NexmoCredentials } from '../providers/provider.js';
import { CampaignDeltas } from '../campaigns/counters.js';
import { newId } from '../ids.js';
import { insertJsonRows, type JsonRowColumn } from '../storage/json-rows.js';
import { applyReceipts, type ReceiptWork } from './receipts.js';
import { applyInbound, applyUserPreference, emptyEffects, type AccountInfo, type Effects } from './inbound.js';
import { DEFAULT_KEYWORD_SETTINGS, getKeywordSettings, type KeywordSettings } from './keywords.js';
import { parsedEventCache, type ParsedEventCache } from './parsed-events.js';
import { parseCallback, rawCallback } from './raw-callback.js';
import { ProviderOptCalls } from '../providers/opt-calls.js';
import { CallbackArrivals, arrivalKind, type ArrivalUpdate } from './callback-arrivals.js';
import { reportsAccountThrottling } from './provider-throttling.js';
import { matchUnknownByPhone, type PendingRow } from './unknown-by-phone.js';
import { holdLease } from '../storage/leases.js';
import { resolveSenders, senderKey } from './whatsapp-users.js';

export const MAX_ATTEMPTS = 5;
/** Pending receipts older than this are dropped: the message they belong to was never ours. */
export const PENDING_RECEIPT_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Applied callbacks are kept this long (their effects are in the other tables), refused ones longer. */
export const APPLIED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
export const INVALID_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/**
 * Refused callbacks kept per provider account, newest first, within INVALID_RETENTION_MS: a
 * misconfigured account (a wrong Vonage signature secret refuses every status) cannot fill the disk.
 */
export const MAX_REJECTED_PER_ACCOUNT = 10_000;

export interface ApplierOptions {
  /** Callbacks per transaction to start with; adapted to keep each transaction near `targetBatchMs`. */
  batchSize: number;
  minBatchSize: number;
  maxBatchSize: number;
  /**
   * Aim for transactions this long, per engine. SQLite: 15 ms — the HTTP handlers' inserts wait
   * for them (one connection), so a short transaction keeps acknowledgements fast. PostgreSQL:
   * 100 ms — the handlers insert on other connections meanwhile, and a pass is mostly waiting on
   * round trips, so bigger batches apply more per second (callbacks bench, stored and applied:
   * 1,454–1,635/s with 15 ms, 1,838–2,431/s with 100 ms, back to back on 2026-11-26).
   */
  targetBatchMs: Record<Dialect, number>;
  /** Pending receipts looked at per pass. */
  pendingWindow: number;
  /** How often pending receipts without a reference are matched to `unknown` messages by phone. */
  phoneMatchEveryMs: number;
}

export const DEFAULT_APPLIER_OPTIONS: ApplierOptions = { batchSize: 500, minBatchSize: 50, maxBatchSize: 5000, targetBatchMs: { sqlite: 15, postgres: 100 }, pendingWindow: 2000, phoneMatchEveryMs: 1000 };

const PENDING_COLUMNS: JsonRowColumn[] = [
  { name: 'id', type: 'text' }, { name: 'provider_id', type: 'text' }, { name: 'provider_message_id', type: 'text' }, { name: 'status', type: 'text' },
  { name: 'occurred_at', type: 'bigint' }, { name: 'error_code', type: 'text' }, { name: 'error_detail', type: 'text' }, { name: 'error_category', type: 'text' },
  { name: 'callback_seq', type: 'bigint' }, { name: 'created_at', type: 'bigint' }, { name: 'phone', type: 'text' },
];

interface LogRow {
  seq: number;
  project_id: string;
  provider_id: string;
  provider_type: 'gupshup' | 'nexmo';
  received_at: number;
  method: string;
  content_type: string | null;
  body: string;
  query: string | null;
  attempts: number;
}

interface Prepared {
  row: LogRow;
  events: CallbackEvent[] | null;
  /** Why the stored callback cannot be read (it is marked invalid). */
  error: string | null;
}

/** The lease the applier's transactions must still hold when they write (see the module comment). */
export interface ApplierLease {
  name: string;
  owner: string;
  /** Each write transaction extends the lease to at least now + ttlMs. */
  ttlMs: number;
}

/** Thrown inside a write transaction (rolling it back) when another process holds the applier's lease. */
export class LeaseLostError extends Error {
  constructor(name: string) {
    super(`the lease ${name} was taken over by another process`);
    this.name = 'LeaseLostError';
  }
}

export interface PassResult {
  /** Callbacks taken from the log (applied, invalid or retried later). */
  callbacks: number;
  /** How long the oldest callback taken had waited (ms since it was received); 0 when none. */
  lagMs: number;
  /** Pending receipts applied because their message id is known now. */
  pendingApplied: number;
  /**
   * The pass was abandoned: another process holds the lease now. The transaction that found out
   * wrote nothing, nor does anything after it; `callbacks` is then 0 (the new holder applies them).
   */
  leaseLost?: boolean;
}

export class Applier {
  private readonly cache: ParsedEventCache;
  /** Keyword opt-ins / opt-outs told to the provider after the commit (best effort, opt-calls.ts). */
  private readonly optCalls: ProviderOptCalls;
  /** When each account's latest delivery report and inbound message arrived (callback-arrivals.ts). */
  private readonly arrivals = new CallbackArrivals();
  private batchSize: number;
  private pendingCursor = '';
  private phoneMatchedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: AppDeps,
    private readonly options: ApplierOptions = DEFAULT_APPLIER_OPTIONS,
    /** Null: no other applier can run (tests and tools drive this one directly). */
    private readonly lease: ApplierLease | null = null,
  ) {
    this.cache = parsedEventCache(deps.db);
    this.batchSize = options.batchSize;
    this.optCalls = new ProviderOptCalls(deps);
  }

  /** Lets the HTTP handlers of this process hand parsed callbacks over; returns the detach function. */
  attachCache(): () => void {
    return this.cache.attach();
  }

  /** One pass; resolves when its transactions committed. */
  async runOnce(now = Date.now(), options: { pendingReceipts?: boolean } = {}): Promise<PassResult> {
    const lost: PassResult = { callbacks: 0, lagMs: 0, pendingApplied: 0, leaseLost: true };
    let pendingApplied = 0;
    try {
      pendingApplied = options.pendingReceipts === false ? 0 : await this.resolvePendingReceipts(now);
    } catch (error) {
      if (error instanceof LeaseLostError) return lost;
      throw error;
    }
    const started = performance.now();
    const rows = await this.deps.db.kysely
      .selectFrom('callback_events')
      .select(['seq', 'project_id', 'provider_id', 'provider_type', 'received_at', 'method', 'content_type', 'body', 'query', 'attempts'])
      .where('state', '=', 'pending')
      .where((eb) => eb.or([eb('retry_at', 'is', null), eb('retry_at', '<=', now)]))
      .orderBy('seq')
      .limit(this.batchSize)
      .execute();
    if (rows.length === 0) return { callbacks: 0, lagMs: 0, pendingApplied };
    const prepared = rows.map((row) => this.prepare({ ...row, seq: Number(row.seq) }));
    try {
      await this.apply(prepared, now);
    } catch (error) {
      if (error instanceof LeaseLostError) return { ...lost, pendingApplied };
      this.deps.logger.warn({ err: error, callbacks: prepared.length }, 'applying a batch of callbacks failed; applying them one by one');
      for (const one of prepared) {
        try {
          await this.apply([one], now);
        } catch (oneError) {
          if (oneError instanceof LeaseLostError) return { ...lost, pendingApplied };
          try {
            await this.recordFailure(one.row, oneError, now);
          } catch (recordError) {
            if (recordError instanceof LeaseLostError) return { ...lost, pendingApplied };
            throw recordError;
          }
        }
      }
    }
    this.adapt(rows.length, performance.now() - started);
    return { callbacks: rows.length, lagMs: Math.max(0, now - Number(rows[0]!.received_at)), pendingApplied };
  }

  /** Callbacks the next pass takes at most. */
  get batchLimit(): number {
    return this.batchSize;
  }

  private adapt(count: number, elapsedMs: number): void {
    const { minBatchSize, maxBatchSize } = this.options;
    const targetBatchMs = this.options.targetBatchMs[this.deps.db.dialect];
    if (elapsedMs > targetBatchMs * 1.5) this.batchSize = Math.max(minBatchSize, Math.floor(this.batchSize / 2));
    else if (count === this.batchSize && elapsedMs < targetBatchMs / 2) this.batchSize = Math.min(maxBatchSize, this.batchSize * 2);
  }

  private prepare(row: LogRow): Prepared {
    const cached = this.cache.take(row.seq);
    if (cached) return { row, events: cached, error: null };
    const raw = rawCallback({ method: row.method, contentType: row.content_type, body: row.body, query: row.query });
    const parsed = parseCallback(row.provider_type, raw, row.query, row.received_at);
    return parsed.ok ? { row, events: parsed.events, error: null } : { row, events: null, error: parsed.error };
  }

  /** Applies prepared callbacks in one transaction, then runs the side effects. */
  private async apply(prepared: Prepared[], now: number): Promise<void> {
    const { db } = this.deps;
    const accounts = new Map<string, AccountInfo | null>();
    for (const { row } of prepared) if (!accounts.has(row.provider_id)) accounts.set(row.provider_id, await this.account(row.provider_id));
    // Read before the transaction: on SQLite a read outside it would wait for it (one connection).
    const keywordSettings = new Map<string, KeywordSettings>();
    for (const { row, events } of prepared) {
      const account = accounts.get(row.provider_id);
      if (!account || keywordSettings.has(account.projectId) || !(events ?? []).some((event) => event.kind === 'inbound')) continue;
      keywordSettings.set(account.projectId, await getKeywordSettings(db, account.projectId));
    }
    const keywords = (projectId: string) => keywordSettings.get(projectId) ?? DEFAULT_KEYWORD_SETTINGS;

    const arrivals: ArrivalUpdate[] = [];
    for (const { row, events } of prepared) {
      for (const event of events ?? []) {
        arrivals.push({ providerId: row.provider_id, kind: arrivalKind(event), at: row.received_at });
        if (event.kind === 'receipt' && reportsAccountThrottling(event, row.received_at)) arrivals.push({ providerId: row.provider_id, kind: 'throttle', at: row.received_at });
      }
    }
    const arrivalUpdates = this.arrivals.plan(arrivals);

    const effects = emptyEffects();
    const touched = await db.kysely.transaction().execute(async (trx) => {
      await this.checkLease(trx);
      const deltas = new CampaignDeltas();
      const receipts: ReceiptWork[] = [];
      for (const { row, events } of prepared) {
        for (const event of events ?? []) {
          if (event.kind === 'receipt') {
            receipts.push({
              providerId: row.provider_id,
              providerMessageId: event.providerMessageId,
              status: event.status,
              occurredAt: event.occurredAt,
              errorCode: event.errorCode,
              errorDetail: event.errorDetail,
              category: event.category,
              clientRef: event.clientRef,
              phone: event.phone,
              seq: row.seq,
            });
          }
        }
      }
      const { unmatched, conversations } = await applyReceipts(trx, db.dialect, receipts, deltas, now);
      for (const { projectId, phone } of conversations) effects.conversations.set(`${projectId}\n${phone}`, { projectId, phone });
      await this.keepPending(trx, unmatched, now);

      const { senders, moved } = await resolveSenders(
        trx,
        prepared.flatMap(({ row, events }) => {
          const account = accounts.get(row.provider_id);
          return account && events ? [{ providerId: row.provider_id, projectId: account.projectId, events }] : [];
        }),
        now,
      );
      for (const { projectId, from, to } of moved) {
        for (const phone of [from, to]) effects.conversations.set(`${projectId}\n${phone}`, { projectId, phone });
      }
      for (const { row, events } of prepared) {
        const account = accounts.get(row.provider_id);
        for (const event of events ?? []) {
          if (event.kind === 'receipt' || !account) continue;
          if (event.kind === 'inbound') {
            // A sender known by user id alone, never paired with a number: their conversation is
            // kept under the id, and answered there (whatsapp-users.ts).
            const from = event.from ?? senders.get(senderKey(row.provider_id, event.senderUserId ?? '')) ?? event.senderUserId;
            // The parser gives every inbound message a number or a user id.
            if (from !== undefined) await applyInbound(trx, account, { ...event, from }, row.received_at, { dialect: db.dialect, deltas, effects, keywords, now });
          } else await applyUserPreference(trx, account, event.phone, event.type === 'opted_out');
        }
      }

      const done = prepared.filter((one) => one.events !== null).map((one) => one.row.seq);
      for (let start = 0; start < done.length; start += 1000) {
        await trx
          .updateTable('callback_events')
          .set({ state: 'applied', applied_at: now, retry_at: null })
          .where('seq', 'in', done.slice(start, start + 1000))
          .execute();
      }
      for (const one of prepared) {
        if (one.events !== null) continue;
        await trx.updateTable('callback_events').set({ state: 'invalid', error: `unreadable when applied: ${one.error ?? ''}`.slice(0, 2000), applied_at: now }).where('seq', '=', one.row.seq).execute();
      }
      await this.arrivals.write(trx, arrivalUpdates);
      return deltas.write(trx);
    });
    this.arrivals.committed(arrivalUpdates);
    this.afterCommit(effects, touched);
  }

  private async keepPending(trx: Kysely<Database>, unmatched: ReceiptWork[], now: number): Promise<void> {
    const seen = new Set<string>();
    const rows: Array<Record<string, unknown>> = [];
    for (const work of unmatched) {
      const key = `${work.providerId}\n${work.providerMessageId}\n${work.status}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({
        id: newId(now),
        provider_id: work.providerId,
        provider_message_id: work.providerMessageId,
        status: work.status,
        occurred_at: work.occurredAt,
        error_code: work.errorCode ?? null,
        error_detail: work.errorDetail?.slice(0, 1000) ?? null,
        error_category: work.category ?? null,
        callback_seq: work.seq,
        created_at: now,
        // A receipt with a reference names its message by it; only one without may be matched by phone.
        phone: work.clientRef === undefined ? (work.phone ?? null) : null,
      });
    }
    await insertJsonRows(trx, this.deps.db.dialect, 'pending_receipts', PENDING_COLUMNS, rows, { onConflictDoNothing: ['provider_id', 'provider_message_id', 'status'] });
  }

  /**
   * Applies the pending receipts, in a window of the table, whose provider message id is stored
   * by now. The window moves on each pass and starts over at the end, so every pending receipt is
   * looked at within (table size / window) passes.
   */
  private async resolvePendingReceipts(now: number): Promise<number> {
    const { db } = this.deps;
    const window = await db.kysely
      .selectFrom('pending_receipts')
      .selectAll()
      .where('id', '>', this.pendingCursor)
      .orderBy('id')
      .limit(this.options.pendingWindow)
      .execute();
    this.pendingCursor = window.length < this.options.pendingWindow ? '' : window[window.length - 1]!.id;
    // Cheap check first (indexed, no locks): most passes find nothing to apply.
    const known = new Set<string>();
    const ids = [...new Set(window.map((row) => row.provider_message_id))];
    for (let start = 0; start < ids.length; start += 500) {
      const rows = await db.kysely.selectFrom('messages').select(['provider_id', 'provider_message_id']).where('provider_message_id', 'in', ids.slice(start, start + 500)).execute();
      for (const row of rows) known.add(`${row.provider_id}\n${row.provider_message_id}`);
    }
    let applied = await this.applyPending(window.filter((row) => known.has(`${row.provider_id}\n${row.provider_message_id}`)), new Map(), now);
    if (now - this.phoneMatchedAt >= this.options.phoneMatchEveryMs) {
      this.phoneMatchedAt = now;
      const matches = await matchUnknownByPhone(db.kysely, now);
      if (matches.length > 0) {
        const settled = await this.applyPending(matches.map((match) => match.row), new Map(matches.map((match) => [match.row.id, match.messageId])), now);
        if (settled > 0) this.deps.logger.info({ receipts: settled }, 'delivery reports without a reference settled messages whose send outcome was unknown (matched by account and phone)');
        applied += settled;
      }
    }
    return applied;
  }

  /**
   * Applies pending receipts in one transaction and deletes the ones that found their message.
   * `refs` names the message of a receipt matched by phone (applied as if it had echoed our id).
   */
  private async applyPending(rows: PendingRow[], refs: Map<string, string>, now: number): Promise<number> {
    if (rows.length === 0) return 0;
    const { db } = this.deps;
    const ready = [...rows].sort((a, b) => Number(a.callback_seq) - Number(b.callback_seq) || a.occurred_at - b.occurred_at);
    const touched = await db.kysely.transaction().execute(async (trx) => {
      await this.checkLease(trx);
      const deltas = new CampaignDeltas();
      const works: ReceiptWork[] = ready.map((row) => ({
        providerId: row.provider_id,
        providerMessageId: row.provider_message_id,
        status: row.status as ReceiptWork['status'],
        occurredAt: row.occurred_at,
        errorCode: row.error_code ?? undefined,
        errorDetail: row.error_detail ?? undefined,
        category: (row.error_category ?? undefined) as ReceiptWork['category'],
        clientRef: refs.get(row.id),
        seq: Number(row.callback_seq),
      }));
      const result = await applyReceipts(trx, db.dialect, works, deltas, now);
      const stillPending = new Set(result.unmatched.map((work) => `${work.providerId}\n${work.providerMessageId}\n${work.status}`));
      const applied = ready.filter((row) => !stillPending.has(`${row.provider_id}\n${row.provider_message_id}\n${row.status}`)).map((row) => row.id);
      for (let start = 0; start < applied.length; start += 1000) {
        await trx.deleteFrom('pending_receipts').where('id', 'in', applied.slice(start, start + 1000)).execute();
      }
      return { campaigns: await deltas.write(trx), applied: applied.length, conversations: result.conversations };
    });
    const effects = emptyEffects();
    for (const { projectId, phone } of touched.conversations) effects.conversations.set(`${projectId}\n${phone}`, { projectId, phone });
    this.afterCommit(effects, touched.campaigns);
    return touched.applied;
  }

  /** Throws LeaseLostError (rolling the transaction back) unless this applier still holds its lease; extends it. */
  private async checkLease(trx: Kysely<Database>): Promise<void> {
    if (this.lease && !(await holdLease(trx, this.lease.name, this.lease.owner, this.lease.ttlMs))) throw new LeaseLostError(this.lease.name);
  }

  private async recordFailure(row: LogRow, error: unknown, now: number): Promise<void> {
    const attempts = row.attempts + 1;
    const message = `attempt ${attempts}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000);
    const final = attempts >= MAX_ATTEMPTS;
    // The attempt counts only while this process is the applier (the new holder tries on its own).
    await this.deps.db.kysely.transaction().execute(async (trx) => {
      await this.checkLease(trx);
      await trx
        .updateTable('callback_events')
        .set({
          attempts,
          error: message,
          state: final ? 'invalid' : 'pending',
          // 1 s, 2 s, 4 s, 8 s … before the next attempt.
          retry_at: final ? null : now + 1000 * 2 ** (attempts - 1),
        })
        .where('seq', '=', row.seq)
        .execute();
    });
    this.deps.logger.error({ err: error, seq: row.seq, attempts, final }, final ? 'a callback failed to apply too often; marked invalid' : 'a callback failed to apply; will retry');
  }

  private afterCommit(effects: Effects, campaigns: string[]): void {
    const { bus } = this.deps;
    for (const providerId of effects.queuedProviders) bus.emit('messages-queued', providerId);
    for (const campaignId of campaigns) bus.emit('campaign-changed', campaignId, 'progress');
    for (const { projectId, phone } of effects.conversations.values()) bus.emit('conversation-changed', projectId, phone);
    for (const call of effects.optCalls) this.optCalls.request(call);
  }

  /** Waits for the provider calls started after commits. */
  async settle(): Promise<void> {
    await this.optCalls.settle();
  }

  private async account(providerId: string): Promise<AccountInfo | null> {
    const entry = await this.deps.providers.get(providerId);
    if (!entry) return null;
    const { account } = entry;
    const number = account.type === 'gupshup' ? (account.credentials as GupshupCredentials).mobileNumber : (account.credentials as NexmoCredentials).whatsappNumber;
    const digits = (number ?? '').replace(/\D/g, '');
    return {
      id: account.id,
      projectId: account.projectId,
      type: account.type,
      businessPhone: digits.length >= 7 ? `+${digits}` : null,
      autoReply: account.autoReply,
      deleted: account.deleted,
    };
  }

  /** Drops pending receipts nobody claimed within PENDING_RECEIPT_TTL_MS. */
  async expirePendingReceipts(now = Date.now()): Promise<number> {
    const result = await this.deps.db.kysely.deleteFrom('pending_receipts').where('created_at', '<', now - PENDING_RECEIPT_TTL_MS).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Deletes applied callbacks older than APPLIED_RETENTION_MS and refused ones older than
   * INVALID_RETENTION_MS, oldest first, at most `limit` of each per call. It reads the oldest rows
   * of each state by `seq` (indexed) and stops at the first one too young, so it never scans the
   * recent part of the log. Then it keeps at most `maxRejected` refused callbacks per provider
   * account (the oldest beyond that go, at most `limit` per account per call).
   */
  async pruneLog(now = Date.now(), limit = 5000, maxRejected = MAX_REJECTED_PER_ACCOUNT): Promise<number> {
    let deleted = 0;
    for (const [state, retention] of [['applied', APPLIED_RETENTION_MS], ['invalid', INVALID_RETENTION_MS]] as const) {
      const rows = await this.deps.db.kysely.selectFrom('callback_events').select(['seq', 'received_at']).where('state', '=', state).orderBy('seq').limit(limit).execute();
      const old: number[] = [];
      for (const row of rows) {
        if (row.received_at >= now - retention) break;
        old.push(Number(row.seq));
      }
      for (let start = 0; start < old.length; start += 1000) {
        const result = await this.deps.db.kysely.deleteFrom('callback_events').where('seq', 'in', old.slice(start, start + 1000)).executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
    }
    return deleted + (await this.capRejected(maxRejected, limit));
  }

  /** Per account, deletes the refused callbacks older than its newest `max` (partial index callback_events_rejected). */
  private async capRejected(max: number, limit: number): Promise<number> {
    const { kysely } = this.deps.db;
    let deleted = 0;
    for (const { id } of await kysely.selectFrom('provider_accounts').select('id').execute()) {
      const boundary = await kysely
        .selectFrom('callback_events')
        .select('seq')
        .where('provider_id', '=', id)
        .where('state', '=', 'invalid')
        .orderBy('seq', 'desc')
        .limit(1)
        .offset(max)
        .executeTakeFirst();
      if (!boundary) continue;
      const old = await kysely
        .selectFrom('callback_events')
        .select('seq')
        .where('provider_id', '=', id)
        .where('state', '=', 'invalid')
        .where('seq', '<=', boundary.seq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      const seqs = old.map((row) => Number(row.seq));
      for (let start = 0; start < seqs.length; start += 1000) {
        const result = await kysely.deleteFrom('callback_events').where('seq', 'in', seqs.slice(start, start + 1000)).executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
    }
    return deleted;
  }
}
