/**
 * The messages the sandbox accepted, newest `capacity` of them (a ring): a benchmark sends
 * hundreds of thousands, and the counters in sandbox.stats.ts keep the totals, so older detail can
 * go. Queries scan; they serve tests and people, not the send path.
 */
import type { CompiledTemplate } from './sandbox.templates.js';
import type { FailReason, MessageKind, Outcome, SandboxMessage, SandboxProvider } from './sandbox.types.js';

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

/** Renders a template body with positional values (`{{n}}` ← values[n − 1]). */
export function renderTemplate(template: CompiledTemplate, values: readonly string[]): string {
  return template.definition.body.replace(PLACEHOLDER, (_, n: string) => values[Number(n) - 1] ?? '');
}

/** What a protocol handler knows about an accepted message. */
export interface RecordInit {
  id: string;
  to: string;
  kind: MessageKind;
  type: string;
  template?: string;
  namespace?: string;
  params?: string[];
  /** The text as sent; dropped when `renderedFrom` + `params` give it back. */
  body?: string;
  /** The registered template the body renders, so the body need not be stored. */
  renderedFrom?: CompiledTemplate;
  mediaUrl?: string;
  extra?: string;
  clientRef?: string;
}

/**
 * One accepted message as held in memory: every field set in the constructor in one order (one
 * hidden class, in-object fields) and the body kept only when it cannot be re-rendered — about
 * 400 bytes a message instead of 800 for a plain object.
 */
export class MessageRecord {
  readonly seq: number;
  readonly provider: SandboxProvider;
  readonly account: string;
  readonly id: string;
  readonly to: string;
  readonly kind: MessageKind;
  readonly type: string;
  readonly template: string | undefined;
  readonly namespace: string | undefined;
  readonly params: string[] | undefined;
  private readonly storedBody: string | undefined;
  private readonly renderedFrom: CompiledTemplate | undefined;
  readonly mediaUrl: string | undefined;
  readonly arrivedAt: number;
  answered: boolean;
  readonly outcome: Outcome;
  failure: { reason: FailReason; code: string } | undefined;
  readonly extra: string | undefined;
  readonly clientRef: string | undefined;

  constructor(seq: number, provider: SandboxProvider, account: string, init: RecordInit, arrivedAt: number, outcome: Outcome) {
    this.seq = seq;
    this.provider = provider;
    this.account = account;
    this.id = init.id;
    this.to = init.to;
    this.kind = init.kind;
    this.type = init.type;
    this.template = init.template;
    this.namespace = init.namespace;
    this.params = init.params;
    const renderable = init.renderedFrom !== undefined && init.params !== undefined;
    this.renderedFrom = renderable ? init.renderedFrom : undefined;
    this.storedBody = renderable && (init.body === undefined || renderTemplate(init.renderedFrom!, init.params!) === init.body) ? undefined : init.body;
    this.mediaUrl = init.mediaUrl;
    this.arrivedAt = arrivedAt;
    this.answered = true;
    this.outcome = outcome;
    this.failure = undefined;
    this.extra = init.extra;
    this.clientRef = init.clientRef;
  }

  get body(): string | undefined {
    return this.storedBody ?? (this.renderedFrom && this.params ? renderTemplate(this.renderedFrom, this.params) : undefined);
  }

  /** The JSON shape of `GET /_sandbox/messages`. */
  view(): SandboxMessage {
    const body = this.body;
    return {
      seq: this.seq,
      provider: this.provider,
      account: this.account,
      id: this.id,
      to: this.to,
      kind: this.kind,
      type: this.type,
      ...(this.template === undefined ? {} : { template: this.template }),
      ...(this.namespace === undefined ? {} : { namespace: this.namespace }),
      ...(this.params === undefined ? {} : { params: this.params }),
      ...(body === undefined ? {} : { body }),
      ...(this.mediaUrl === undefined ? {} : { mediaUrl: this.mediaUrl }),
      arrivedAt: this.arrivedAt,
      answered: this.answered,
      outcome: this.outcome,
      ...(this.failure === undefined ? {} : { failure: this.failure }),
      ...(this.extra === undefined ? {} : { extra: this.extra }),
      ...(this.clientRef === undefined ? {} : { clientRef: this.clientRef }),
    };
  }
}

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
  private ring: (MessageRecord | undefined)[];
  private next = 0;
  private seq = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<MessageRecord | undefined>(Math.min(capacity, 1024));
  }

  /** The next arrival number (assigned to the record passed to `add`). */
  nextSeq(): number {
    return ++this.seq;
  }

  add(message: MessageRecord): void {
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
    this.ring = new Array<MessageRecord | undefined>(Math.min(this.capacity, 1024));
    this.next = 0;
    this.seq = 0;
  }

  /** Retained messages in arrival order. */
  *all(): Generator<MessageRecord> {
    const start = Math.max(0, this.next - this.capacity);
    for (let i = start; i < this.next; i++) {
      const message = this.ring[i % this.capacity];
      if (message) yield message;
    }
  }

  find(id: string): MessageRecord | undefined {
    for (const message of this.all()) if (message.id === id) return message;
    return undefined;
  }

  query(filter: MessageFilter): MessagePage {
    const limit = filter.limit ?? 100;
    const to = filter.to?.replace(/^\+/, '');
    const items: MessageRecord[] = [];
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
      items: items.map((item) => item.view()),
      nextCursor: more && items.length > 0 ? String(items[items.length - 1]!.seq) : null,
      total: this.total,
      retained: this.retained,
    };
  }
}
