/**
 * The message state machine, in one pure function used by the dispatcher (send outcomes) and the
 * callback applier (delivery receipts). Rules (PRODUCT §3):
 * - status only moves forward: queued → sending → sent → delivered → read;
 * - `failed` is final, except that a later delivered/read (the provider's retry succeeded) wins;
 * - duplicates and out-of-order receipts change nothing twice;
 * - `unknown` (outcome of a send not known) settles from the first receipt that arrives, or from
 *   the send's own answer when it comes back after all.
 *
 * Counters: `sent`, `delivered` and `read` are cumulative funnel counts (a read message also
 * counts as delivered and sent), driven by the first time each timestamp is set. `queued`
 * (waiting or in flight), `failed`, `unknown` and `cancelled` count messages currently in that
 * state.
 */
import type { MessageStatus } from '../storage/schema.js';
import type { ErrorCategory, ReceiptStatus } from '../providers/provider.js';

export interface MessageState {
  status: MessageStatus;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  error_category: string | null;
}

export type MessageEvent =
  | { kind: 'accepted'; at: number }
  | { kind: 'send_failed'; at: number; category: ErrorCategory; code?: string | undefined; detail: string }
  | { kind: 'send_unknown'; at: number; detail: string }
  | { kind: 'cancelled'; at: number; reason: string }
  | { kind: 'receipt'; status: ReceiptStatus; at: number; category?: ErrorCategory | undefined; code?: string | undefined; detail?: string | undefined };

export interface CounterDelta {
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  unknown: number;
  cancelled: number;
}

export interface Transition {
  /** Fields to write on the message; empty when nothing changes. */
  changes: Partial<MessageState> & { error_code?: string | null; error_detail?: string | null; failed_at?: number | null };
  counters: CounterDelta;
  /** Failure-category counts: +1 for a new failure, −1 when a failure is overturned. */
  categories: Record<string, number>;
  /** Timeline/profile events newly reached, in order: sent, delivered, read, failed. */
  reached: Array<'sent' | 'delivered' | 'read' | 'failed'>;
}

const RANK: Record<MessageStatus, number> = {
  skipped: -1,
  cancelled: -1,
  queued: 0,
  sending: 1,
  unknown: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
};

const WAITING = new Set<MessageStatus>(['queued', 'sending']);

export function emptyDelta(): CounterDelta {
  return { queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, unknown: 0, cancelled: 0 };
}

export function isDeltaEmpty(delta: CounterDelta): boolean {
  return Object.values(delta).every((value) => value === 0);
}

function leave(state: MessageState, counters: CounterDelta, categories: Record<string, number>): void {
  if (WAITING.has(state.status)) counters.queued -= 1;
  else if (state.status === 'unknown') counters.unknown -= 1;
  else if (state.status === 'failed') {
    counters.failed -= 1;
    if (state.error_category) categories[state.error_category] = (categories[state.error_category] ?? 0) - 1;
  }
}

/** Applies one event to one message. Pure: the caller writes `changes` and adds the deltas. */
export function transition(state: MessageState, event: MessageEvent): Transition {
  const counters = emptyDelta();
  const categories: Record<string, number> = {};
  const reached: Transition['reached'] = [];
  const changes: Transition['changes'] = {};
  const result = (): Transition => ({ changes, counters, categories, reached });

  if (state.status === 'skipped' || state.status === 'cancelled') return result();

  switch (event.kind) {
    case 'cancelled': {
      if (state.status !== 'queued') return result();
      leave(state, counters, categories);
      counters.cancelled += 1;
      changes.status = 'cancelled';
      changes.error_detail = event.reason;
      return result();
    }
    case 'send_unknown': {
      if (state.status !== 'sending') return result();
      leave(state, counters, categories);
      counters.unknown += 1;
      changes.status = 'unknown';
      changes.error_detail = event.detail;
      return result();
    }
    case 'send_failed': {
      // From `unknown` too: the answer of a send whose lease ran out still settles it (send-results.ts).
      if (state.status !== 'sending' && state.status !== 'queued' && state.status !== 'unknown') return result();
      leave(state, counters, categories);
      counters.failed += 1;
      categories[event.category] = (categories[event.category] ?? 0) + 1;
      Object.assign(changes, { status: 'failed', error_category: event.category, error_code: event.code ?? null, error_detail: event.detail, failed_at: event.at });
      reached.push('failed');
      return result();
    }
    case 'accepted':
      return advance(state, 'sent', event.at, changes, counters, categories, reached);
    case 'receipt': {
      if (event.status !== 'failed') return advance(state, event.status, event.at, changes, counters, categories, reached);
      // A failure after delivery is stale (the message did arrive); a repeated failure is a no-op.
      if (state.status === 'failed' || RANK[state.status] >= RANK.delivered) return result();
      leave(state, counters, categories);
      // A delivery report exists only for a message the provider accepted: it was sent, even when
      // the FAILED report overtakes the send result or the SENT report (else `sent` would depend on
      // the order in which they arrive).
      if (state.sent_at === null) {
        changes.sent_at = event.at;
        counters.sent += 1;
        reached.push('sent');
      }
      counters.failed += 1;
      const category = event.category ?? 'other';
      categories[category] = (categories[category] ?? 0) + 1;
      Object.assign(changes, { status: 'failed', error_category: category, error_code: event.code ?? null, error_detail: event.detail ?? null, failed_at: event.at });
      reached.push('failed');
      return result();
    }
  }
}

function advance(
  state: MessageState,
  target: 'sent' | 'delivered' | 'read',
  at: number,
  changes: Transition['changes'],
  counters: CounterDelta,
  categories: Record<string, number>,
  reached: Transition['reached'],
): Transition {
  const current = state.status;
  const overturnsFailure = current === 'failed' && target !== 'sent';
  if (current === 'failed' && !overturnsFailure) return { changes, counters, categories, reached };
  if (current !== 'failed' && RANK[target] <= RANK[current]) return { changes, counters, categories, reached };

  leave(state, counters, categories);
  changes.status = target;
  if (overturnsFailure) {
    changes.error_category = null;
    changes.error_code = null;
    changes.error_detail = null;
  }
  // Reaching a later stage implies the earlier ones (a READ may arrive without DELIVERED).
  if (state.sent_at === null) {
    changes.sent_at = at;
    counters.sent += 1;
    reached.push('sent');
  }
  if (RANK[target] >= RANK.delivered && state.delivered_at === null) {
    changes.delivered_at = at;
    counters.delivered += 1;
    reached.push('delivered');
  }
  if (target === 'read' && state.read_at === null) {
    changes.read_at = at;
    counters.read += 1;
    reached.push('read');
  }
  return { changes, counters, categories, reached };
}
