/**
 * Stores send outcomes in batches: one transaction every few milliseconds updates the messages
 * (set-based), the campaign counters and timeline, and the profiles' `Notification Sent` /
 * `Notification Failed` events. Updates only touch rows still in `sending`: when a delivery
 * receipt got there first (matched by our message id), the receipt's newer status stands and
 * only the provider message id is filled in.
 */
import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { ClaimedMessage } from '../storage/message-queue.js';
import type { SendResult } from '../providers/provider.js';
import { updateJsonRows, type JsonRowColumn } from '../storage/json-rows.js';
import { recordMessageEvents } from '../audience/system-events.js';
import { yieldToEventLoop } from '../storage/db.js';
import { CampaignDeltas } from './counters.js';
import { transition, type MessageEvent } from './message-status.js';
import { SYSTEM_EVENTS } from '../audience/event-names.js';

export interface RetryPolicy {
  /** Attempts (sends) before a retryable failure becomes final. */
  maxAttempts: number;
  /**
   * The lease owner whose sends these are: only its rows are updated. A row recovered after its
   * lease ran out (queued again, maybe claimed by another worker) is not this writer's any more.
   */
  owner?: string;
}

interface Pending {
  message: ClaimedMessage;
  result: SendResult;
  at: number;
}

const SENDING = { status: 'sending' as const, sent_at: null, delivered_at: null, read_at: null, error_category: null };
const UNKNOWN = { ...SENDING, status: 'unknown' as const };

/** Backoff before retry n (1-based): 1 s, 2 s, 4 s … capped at 60 s, ±20 % jitter. */
export function retryDelayMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(retryAfterMs, 15 * 60_000);
  const base = Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export class SendResultWriter {
  private buffer: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: Pick<AppDeps, 'db' | 'logger' | 'bus' | 'metrics'>,
    private readonly policy: RetryPolicy,
    private readonly flushMs = 20,
    private readonly maxBatch = 1000,
  ) {}

  add(message: ClaimedMessage, result: SendResult, at = Date.now()): void {
    this.buffer.push({ message, result, at });
    if (this.buffer.length >= this.maxBatch) this.schedule(0);
    else this.schedule(this.flushMs);
  }

  private schedule(delay: number): void {
    if (this.timer && delay > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
  }

  /**
   * Writes everything buffered so far; resolves when it is committed. A failed write (database
   * briefly unreachable) is retried, never dropped — except when closing, after `closingAttempts`:
   * the rows then stay `sending` and their lease turns them `unknown`, which is the truth.
   */
  flush(closingAttempts = Number.POSITIVE_INFINITY): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      let failures = 0;
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, this.maxBatch);
        try {
          await this.write(batch);
          failures = 0;
          if (this.buffer.length > 0) await yieldToEventLoop();
        } catch (error) {
          failures++;
          this.deps.logger.error({ err: error, attempt: failures }, 'storing send results failed; retrying');
          if (failures >= closingAttempts) {
            this.deps.logger.error({ lost: batch.length + this.buffer.length }, 'giving up storing send results at shutdown; those messages will settle as unknown');
            this.buffer = [];
            return;
          }
          this.buffer.unshift(...batch);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    });
    return this.flushing;
  }

  private async write(batch: Pending[]): Promise<void> {
    const deltas = new CampaignDeltas();
    const accepted: Array<Record<string, unknown>> = [];
    const failed: Array<Record<string, unknown>> = [];
    const unknown: Array<Record<string, unknown>> = [];
    const retry: Array<Record<string, unknown>> = [];
    const events: Array<{ message: ClaimedMessage; name: string; at: number; error?: { category: string; code?: string | undefined } }> = [];
    const changes = new Map<string, { message: ClaimedMessage; event: MessageEvent; at: number }>();

    /** The not-sent outcomes, final or retryable, by message id: they settle a message already `unknown`. */
    const refused = new Map<string, { row: Record<string, unknown>; event: MessageEvent }>();
    for (const { message, result, at } of batch) {
      if (!result.ok && result.outcome === 'not_sent') {
        refused.set(message.id, {
          row: { id: message.id, error_category: result.category, error_code: result.code ?? null, error_detail: result.detail.slice(0, 1000), failed_at: at, updated_at: at },
          event: { kind: 'send_failed', at, category: result.category, code: result.code, detail: result.detail },
        });
      }
      if (result.ok) {
        accepted.push({ id: message.id, provider_message_id: result.providerMessageId, sent_at: at, updated_at: at });
        changes.set(message.id, { message, event: { kind: 'accepted', at }, at });
        this.deps.metrics.messagesSent.inc({ provider: 'any', outcome: 'sent' });
      } else if (result.outcome === 'unknown') {
        unknown.push({ id: message.id, error_detail: result.detail.slice(0, 1000), updated_at: at });
        changes.set(message.id, { message, event: { kind: 'send_unknown', at, detail: result.detail }, at });
        this.deps.metrics.messagesSent.inc({ provider: 'any', outcome: 'unknown' });
      } else if (result.retryable && message.attempts < this.policy.maxAttempts) {
        retry.push({ id: message.id, available_at: at + retryDelayMs(message.attempts, result.retryAfterMs), error_detail: `attempt ${message.attempts}: ${result.detail}`.slice(0, 1000), updated_at: at });
        this.deps.metrics.messagesSent.inc({ provider: 'any', outcome: 'retry' });
      } else {
        failed.push({
          id: message.id,
          error_category: result.category,
          error_code: result.code ?? null,
          error_detail: result.detail.slice(0, 1000),
          failed_at: at,
          updated_at: at,
        });
        changes.set(message.id, { message, event: { kind: 'send_failed', at, category: result.category, code: result.code, detail: result.detail }, at });
        this.deps.metrics.messagesSent.inc({ provider: 'any', outcome: 'failed' });
      }
    }

    const { db } = this.deps;
    /** Messages this write moved on (rows no longer `sending` were settled by a receipt first). */
    const updated = new Set<string>();
    const touched = await db.kysely.transaction().execute(async (trx) => {
      const owner = this.policy.owner;
      const onlySending = owner === undefined ? sql`t.status = 'sending'` : sql`t.status = 'sending' and t.lease_owner = ${owner}`;
      const text = (name: string): JsonRowColumn => ({ name, type: 'text' });
      const big = (name: string): JsonRowColumn => ({ name, type: 'bigint' });
      const run = async (rows: Array<Record<string, unknown>>, columns: JsonRowColumn[], fixed: string) => {
        if (rows.length === 0) return;
        const statusRows = rows.map((row) => ({ ...row, status: fixed, lease_owner: null, lease_expires_at: null }));
        for (const id of await updateJsonRows(trx, db.dialect, {
          table: 'messages',
          key: text('id'),
          columns: [text('status'), text('lease_owner'), big('lease_expires_at'), ...columns],
          rows: statusRows,
          where: onlySending,
        })) {
          updated.add(id);
        }
      };
      await run(accepted, [text('provider_message_id'), big('sent_at'), big('updated_at')], 'sent');
      await run(failed, [text('error_category'), text('error_code'), text('error_detail'), big('failed_at'), big('updated_at')], 'failed');
      await run(unknown, [text('error_detail'), big('updated_at')], 'unknown');
      await run(retry, [big('available_at'), text('error_detail'), big('updated_at')], 'queued');

      // An answer that came back after the message's lease ran out (the scheduler marked it
      // `unknown`) still settles it, as a delivery report would: accepted → sent; not sent → failed,
      // even when retryable (an unknown message is never sent again, and a refused send gets no
      // delivery report, so it would stay unknown for good).
      const settled = new Set<string>();
      const settle = async (rows: Array<Record<string, unknown>>, columns: JsonRowColumn[], fixed: string) => {
        const late = rows.filter((row) => !updated.has(String(row.id)));
        if (late.length === 0) return;
        for (const id of await updateJsonRows(trx, db.dialect, {
          table: 'messages',
          key: text('id'),
          columns: [text('status'), ...columns],
          rows: late.map((row) => ({ ...row, status: fixed })),
          where: sql`t.status = 'unknown'`,
        })) {
          settled.add(id);
        }
      };
      await settle(accepted, [text('provider_message_id'), big('sent_at'), big('updated_at')], 'sent');
      await settle([...refused.values()].map((entry) => entry.row), [text('error_category'), text('error_code'), text('error_detail'), big('failed_at'), big('updated_at')], 'failed');
      for (const id of settled) {
        const entry = refused.get(id);
        const message = batch.find((pending) => pending.message.id === id);
        if (entry && message) changes.set(id, { message: message.message, event: entry.event, at: message.at });
      }

      // A receipt matched by our id may have moved the row on already: keep its status, store the id.
      const late = accepted.filter((row) => !updated.has(String(row.id)) && !settled.has(String(row.id)));
      if (late.length > 0) {
        await updateJsonRows(trx, db.dialect, {
          table: 'messages',
          key: text('id'),
          columns: [text('provider_message_id')],
          rows: late.map((row) => ({ id: row.id, provider_message_id: row.provider_message_id })),
          where: sql`t.provider_message_id is null`,
        });
      }

      for (const [id, change] of changes) {
        if (!updated.has(id) && !settled.has(id)) continue;
        const effect = transition(settled.has(id) ? UNKNOWN : SENDING, change.event);
        deltas.add(change.message.campaign_id, effect, change.at);
        if (change.message.kind === 'campaign' && change.message.profile_id) {
          if (effect.reached.includes('sent')) events.push({ message: change.message, name: SYSTEM_EVENTS.sent, at: change.at });
          if (effect.reached.includes('failed') && change.event.kind === 'send_failed') {
            events.push({ message: change.message, name: SYSTEM_EVENTS.failed, at: change.at, error: { category: change.event.category, code: change.event.code } });
          }
        }
      }
      await recordMessageEvents(
        trx,
        db.dialect,
        events.map((event) => ({
          projectId: event.message.project_id,
          profileId: event.message.profile_id!,
          campaignId: event.message.campaign_id,
          messageId: event.message.id,
          name: event.name,
          at: event.at,
          ...(event.error ? { error: event.error } : {}),
        })),
      );
      return deltas.write(trx);
    });
    for (const campaignId of touched) this.deps.bus.emit('campaign-changed', campaignId, 'progress');
    // An agent's reply, an auto-reply or a confirmation got its first tick (or failed): the open
    // Inbox shows it at once. Campaign messages are left to the Inbox's polling: announcing
    // thousands a second would make every open Inbox refetch everything.
    const conversations = new Map<string, { projectId: string; phone: string }>();
    for (const [id, { message }] of changes) {
      if (message.kind !== 'campaign' && message.phone !== null && updated.has(id)) conversations.set(`${message.project_id}\n${message.phone}`, { projectId: message.project_id, phone: message.phone });
    }
    for (const { projectId, phone } of conversations.values()) this.deps.bus.emit('conversation-changed', projectId, phone);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush(10);
  }
}
