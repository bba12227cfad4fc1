/**
 * Per provider account, when its latest accepted delivery report and inbound message arrived
 * (provider_accounts.last_receipt_at / last_inbound_at). The dashboard shows them next to the
 * callback URLs, and a campaign that sends while no report arrives is flagged
 * (src/campaigns/delivery-report-warning.ts): a callback URL missing at the provider is the most
 * common reason for Delivered and Viewed staying at 0.
 *
 * Written by the applier inside its batch transaction, at most once per WRITE_INTERVAL_MS per
 * account and kind in this process: the figure is for people and for a minutes-long threshold,
 * so a few seconds of staleness cost nothing, and a busy callback path pays one primary-key
 * update every few seconds rather than one per batch.
 *
 * The same goes for the latest report of throttling (last_throttled_at, provider-throttling.ts),
 * but within a second: the account's dispatcher slows down when it sees it.
 */
import type { Kysely } from 'kysely';
import type { CallbackEvent } from '../providers/provider.js';
import type { Database } from '../storage/schema.js';

export const WRITE_INTERVAL_MS = 5_000;
/** Throttling reports are written sooner: sending keeps going too fast until the dispatcher sees one. */
export const THROTTLE_WRITE_INTERVAL_MS = 1_000;

export type ArrivalKind = 'receipt' | 'inbound' | 'throttle';

export interface ArrivalUpdate {
  providerId: string;
  kind: ArrivalKind;
  at: number;
}

const COLUMN = { receipt: 'last_receipt_at', inbound: 'last_inbound_at', throttle: 'last_throttled_at' } as const;

export function arrivalKind(event: CallbackEvent): ArrivalKind {
  // Opted-in / opted-out user events come to the inbound URL too.
  return event.kind === 'receipt' ? 'receipt' : 'inbound';
}

export class CallbackArrivals {
  /** `${providerId}\n${kind}` → the arrival time this process last wrote. */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly intervalMs = WRITE_INTERVAL_MS,
    private readonly throttleIntervalMs = THROTTLE_WRITE_INTERVAL_MS,
  ) {}

  /** The writes a batch calls for: per account and kind its latest arrival, unless one close to it was written already. */
  plan(arrivals: Iterable<ArrivalUpdate>): ArrivalUpdate[] {
    const latest = new Map<string, ArrivalUpdate>();
    for (const arrival of arrivals) {
      const key = `${arrival.providerId}\n${arrival.kind}`;
      const seen = latest.get(key);
      if (!seen || arrival.at > seen.at) latest.set(key, arrival);
    }
    return [...latest.entries()]
      .filter(([key, arrival]) => arrival.at >= (this.written.get(key) ?? -Infinity) + (arrival.kind === 'throttle' ? this.throttleIntervalMs : this.intervalMs))
      .map(([, arrival]) => arrival);
  }

  /** Writes the planned updates; never moves a time backwards (another process may have written a later one). */
  async write(trx: Kysely<Database>, updates: readonly ArrivalUpdate[]): Promise<void> {
    for (const { providerId, kind, at } of updates) {
      const column = COLUMN[kind];
      await trx
        .updateTable('provider_accounts')
        .set({ [column]: at })
        .where('id', '=', providerId)
        .where((eb) => eb.or([eb(column, 'is', null), eb(column, '<', at)]))
        .execute();
    }
  }

  /** Remembers what a committed transaction wrote. */
  committed(updates: readonly ArrivalUpdate[]): void {
    for (const { providerId, kind, at } of updates) this.written.set(`${providerId}\n${kind}`, at);
  }
}
