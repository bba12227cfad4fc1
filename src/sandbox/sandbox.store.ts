/**
 * The messages the sandbox accepted, newest `capacity` of them (a ring): a benchmark sends
 * hundreds of thousands, and the counters in sandbox.stats.ts keep the totals, so older detail can
 * go. Queries scan; they serve tests and people, not the send path.
 */
import type { MessageKind, SandboxMessage, SandboxProvider } from './sandbox.types.js';

export interface MessageFilter {
  provider?: SandboxProvider;
  account?: string;
  /** Recipient digits (a leading `+` is ignored). */
  to?: string;
  kind?: MessageKind;
  /** Template name, with or without its namespace. */
  template?: string;
  id?: string;
  /** Arrival time bounds, epoch ms, inclusive. */
  since?: number;
  until?: number;
  /** Only messages with `seq` greater than this (the paging cursor). */
  after?: number;
  /** Page size (default 100). */
  limit?: number;
}

export interface MessagePage {
  items: SandboxMessage[];
  /** `seq` of the last item when more may follow, else null. */
  nextCursor: string | null;
  /** Messages accepted since the last reset (also those no longer retained). */
  total: number;
  /** Messages still held. */
  retained: number;
}

export class MessageStore {
  private ring: (SandboxMessage | undefined)[];
  private next = 0;
  private seq = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<SandboxMessage | undefined>(Math.min(capacity, 1024));
  }

  /** The next arrival number (assigned to the record passed to `add`). */
  nextSeq(): number {
    return ++this.seq;
  }

  add(message: SandboxMessage): void {
    if (this.next === this.ring.length && this.ring.length < this.capacity) {
      // Grow by doubling until the capacity: a sandbox used by a few tests stays small.
      this.ring.length = Math.min(this.capacity, this.ring.length * 2);
    }
    this.ring[this.next % this.capacity] = message;
    this.next++;
  }

  get total(): number {
    return this.seq;
  }

  get retained(): number {
    return Math.min(this.next, this.capacity);
  }

  clear(): void {
    this.ring = new Array<SandboxMessage | undefined>(Math.min(this.capacity, 1024));
    this.next = 0;
    this.seq = 0;
  }

  /** Retained messages in arrival order. */
  *all(): Generator<SandboxMessage> {
    const start = Math.max(0, this.next - this.capacity);
    for (let i = start; i < this.next; i++) {
      const message = this.ring[i % this.capacity];
      if (message) yield message;
    }
  }

  find(id: string): SandboxMessage | undefined {
    for (const message of this.all()) if (message.id === id) return message;
    return undefined;
  }

  query(filter: MessageFilter): MessagePage {
    const limit = filter.limit ?? 100;
    const to = filter.to?.replace(/^\+/, '');
    const items: SandboxMessage[] = [];
    let more = false;
    for (const message of this.all()) {
      if (filter.after !== undefined && message.seq <= filter.after) continue;
      if (filter.provider !== undefined && message.provider !== filter.provider) continue;
      if (filter.account !== undefined && message.account !== filter.account) continue;
      if (to !== undefined && message.to !== to) continue;
      if (filter.kind !== undefined && message.kind !== filter.kind) continue;
      if (filter.id !== undefined && message.id !== filter.id) continue;
      if (filter.since !== undefined && message.arrivedAt < filter.since) continue;
      if (filter.until !== undefined && message.arrivedAt > filter.until) continue;
      if (filter.template !== undefined) {
        const full = message.namespace === undefined ? message.template : `${message.namespace}:${message.template}`;
        if (message.template !== filter.template && full !== filter.template) continue;
      }
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(message);
    }
    return {
      items,
      nextCursor: more && items.length > 0 ? String(items[items.length - 1]!.seq) : null,
      total: this.total,
      retained: this.retained,
    };
  }
}
