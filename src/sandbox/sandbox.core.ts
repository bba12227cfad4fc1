/**
 * The sandbox's state and the steps every protocol shares: admitting a request (provider down,
 * 429 bursts, the per-account rate limit), deciding a message's fate, recording it, scheduling
 * its status callbacks (delays, reordering, duplicates, automatic replies) and injecting inbound
 * messages. The protocol modules build the wire formats; this module never does.
 */
import { AccountRegistry, type AccountRuntime } from './sandbox.registry.js';
import { MessageRecord, MessageStore, type RecordInit } from './sandbox.store.js';
import { Scheduler } from './sandbox.scheduler.js';
import { CallbackSender, type Callback, type DeliveryResult } from './sandbox.callbacks.js';
import { AccountStats, type RejectionKind } from './sandbox.stats.js';
import { pickMs } from './sandbox.http.js';
import { DEFAULT_KNOBS, SandboxInputError } from './sandbox.schema.js';
import type { FailReason, GlobalKnobs, Outcome, SandboxProvider } from './sandbox.types.js';

/** An inbound message from a phone to an account (control API `POST /_sandbox/inbound`). */
export interface InboundSpec {
  account: string;
  /** The user's number, digits (a leading `+` is dropped). */
  from: string;
  /** WhatsApp profile name. */
  name?: string;
  /** `opted-in` / `opted-out` are Gupshup self-serve user events, not messages. */
  type?: 'text' | 'image' | 'video' | 'audio' | 'document' | 'location' | 'button' | 'opted-in' | 'opted-out';
  text?: string;
  mediaUrl?: string;
  caption?: string;
  mimeType?: string;
  fileName?: string;
  latitude?: number;
  longitude?: number;
  /** Quick-reply button tap: the button's text and payload. */
  buttonText?: string;
  buttonPayload?: string;
  /** Provider message id of the business message this answers (quoted / context). */
  contextId?: string;
  /**
   * The user set a WhatsApp username (Vonage v1 only): `from` is their WhatsApp user id (BSUID, the
   * one the account's delivery reports name them by), their number in `whatsapp.sender.wa_id`.
   */
  username?: boolean;
  /** With `username`: the user did not share their number, so `whatsapp.sender` has no `wa_id`. */
  hidePhone?: boolean;
}

/** A protocol's inbound callback for a spec, already validated against the account. */
export interface BuiltInbound {
  /** The inbound message's id as the provider reports it. */
  id: string;
  url: string;
  payload: unknown;
  callback: Omit<Callback, 'onDone'>;
}

export type InboundBuilder = (runtime: AccountRuntime, spec: InboundSpec, now: number) => BuiltInbound;

export interface InboundResult {
  id: string;
  url: string;
  payload: unknown;
  /** Settles when the callback was delivered or given up. */
  delivery: Promise<DeliveryResult>;
}

/** The generic stages of a message; each protocol names (or skips) them in its own words. */
export type Step = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

/** Why a request is answered by a fault instead of the protocol: see `admit`. */
export type Fault = 'down' | 'reset' | 'rate_limited' | 'burst_429';

export interface Fate {
  outcome: Exclude<Outcome, 'none'>;
  reason?: FailReason;
}

export class SandboxCore {
  readonly registry: AccountRegistry;
  readonly store: MessageStore;
  readonly scheduler = new Scheduler();
  readonly callbacks: CallbackSender;
  /** Requests that could not be tied to an account (unknown or wrong credentials). */
  unattributed = new AccountStats();
  startedAt = Date.now();

  constructor(
    knobs: Partial<GlobalKnobs>,
    maxMessages: number,
    private readonly inboundBuilders: Record<SandboxProvider, InboundBuilder>,
  ) {
    this.registry = new AccountRegistry({ ...DEFAULT_KNOBS, ...knobs });
    this.store = new MessageStore(maxMessages);
    this.callbacks = new CallbackSender(this.scheduler, () => this.registry.knobs);
  }

  get knobs(): GlobalKnobs {
    return this.registry.knobs;
  }

  /** Merges knob changes into the global knobs (accounts keep their own overrides). */
  setKnobs(changes: Partial<GlobalKnobs>): void {
    this.registry.setGlobalKnobs({ ...this.registry.knobs, ...changes });
  }

  /**
   * Counts the arrival of a request for `runtime` (undefined: not tied to an account) and returns
   * the fault it must be answered with, if any: provider down, a 429 burst, or the account's
   * rate limit (a sliding second of admitted requests).
   */
  admit(runtime: AccountRuntime | undefined, now: number): Fault | null {
    const knobs = runtime?.knobs ?? this.registry.knobs;
    const stats = runtime?.stats ?? this.unattributed;
    stats.arrive(now);
    if (knobs.down !== 'off') {
      stats.reject('down');
      return knobs.down === 'reset' ? 'reset' : 'down';
    }
    if (
      (knobs.burst429EverySeconds > 0 && Math.floor(now / 1000) % knobs.burst429EverySeconds === 0) ||
      (knobs.burst429Share > 0 && Math.random() < knobs.burst429Share)
    ) {
      stats.reject('burst_429');
      return 'burst_429';
    }
    if (runtime && knobs.rateLimitPerSecond > 0) {
      if (runtime.limiter.count(now) >= knobs.rateLimitPerSecond) {
        stats.reject('rate_limited');
        return 'rate_limited';
      }
      runtime.limiter.push(now);
    }
    return null;
  }

  reject(runtime: AccountRuntime | undefined, kind: RejectionKind): void {
    (runtime?.stats ?? this.unattributed).reject(kind);
  }

  /**
   * What will happen to a message: not on WhatsApp, then the protocol's own verdict (`forced`,
   * e.g. a template mismatch), then the 24-hour window for session messages, then the random
   * failure share; otherwise delivered, and read with probability `readShare`.
   */
  decideFate(runtime: AccountRuntime, to: string, isTemplate: boolean, forced: FailReason | undefined, now: number): Fate {
    const knobs = runtime.knobs;
    if (runtime.isNotOnWhatsApp(to)) return { outcome: 'failed', reason: 'not_on_whatsapp' };
    if (forced) return { outcome: 'failed', reason: forced };
    if (!isTemplate && knobs.enforceSessionWindow && !runtime.inSessionWindow(to, now)) return { outcome: 'failed', reason: 'outside_window' };
    if (knobs.failShare > 0 && Math.random() < knobs.failShare) return { outcome: 'failed', reason: knobs.failReason };
    return { outcome: knobs.readShare > 0 && Math.random() < knobs.readShare ? 'read' : 'delivered' };
  }

  /** Stores an accepted message and counts it. */
  record(runtime: AccountRuntime, fields: RecordInit, fate: Fate | null, failureCode: string | undefined, now: number): MessageRecord {
    const message = new MessageRecord(this.store.nextSeq(), runtime.account.provider, runtime.id, fields, now, fate ? fate.outcome : 'none');
    if (fate?.reason) message.failure = { reason: fate.reason, code: failureCode ?? '' };
    this.store.add(message);
    runtime.stats.accept(now, message.kind, message.outcome);
    return message;
  }

  /**
   * Schedules a message's status callbacks: `steps` in order, each `dlrDelayMs` after the one
   * before; with `reorderShare` the due times are shuffled, with `duplicateShare` a step is sent a
   * second time. A delivered template message may get an automatic reply (`autoReplyShare`).
   */
  plan(runtime: AccountRuntime, message: MessageRecord, steps: Step[], emit: (step: Step) => void, now: number): void {
    const knobs = runtime.knobs;
    if (!knobs.callbacks || steps.length === 0) return;
    const due: number[] = [];
    let at = now;
    for (let i = 0; i < steps.length; i++) {
      at += pickMs(knobs.dlrDelayMs);
      due.push(at);
    }
    // Due times that are all equal (dlrDelayMs 0) have no other order: shuffling them would never end.
    if (knobs.reorderShare > 0 && new Set(due).size > 1 && Math.random() < knobs.reorderShare) {
      // Shuffle until the order actually changes: "reordered" must mean out of order.
      const original = due.slice();
      do {
        for (let i = due.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [due[i], due[j]] = [due[j]!, due[i]!];
        }
      } while (due.every((value, index) => value === original[index]));
    }
    let deliveredAt: number | undefined;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const when = due[i]!;
      if (step === 'delivered') deliveredAt = when;
      this.scheduler.at(when, () => emit(step));
      if (knobs.duplicateShare > 0 && Math.random() < knobs.duplicateShare) {
        this.scheduler.at(when + pickMs(knobs.dlrDelayMs), () => emit(step));
      }
    }
    if (
      deliveredAt !== undefined &&
      message.kind === 'template' &&
      knobs.autoReplyShare > 0 &&
      Math.random() < knobs.autoReplyShare
    ) {
      const replyAt = deliveredAt + pickMs(knobs.autoReplyDelayMs);
      const account = runtime.id;
      const spec: InboundSpec = {
        account,
        from: message.to,
        text: knobs.autoReplyText,
        ...(knobs.autoReplyContext ? { contextId: message.id } : {}),
      };
      this.scheduler.at(replyAt, () => {
        // The account may have been removed meanwhile; then the recipient has no one to answer.
        if (!this.registry.get(account)) return;
        try {
          void this.inbound(spec).delivery;
        } catch {
          // No inbound URL: an automatic reply has nowhere to go.
        }
      });
    }
  }

  /**
   * Posts an inbound message (or a self-serve user event) to the account's inbound URL, and opens
   * the phone's 24-hour window. Throws SandboxInputError for an unknown account or a spec the
   * protocol cannot carry.
   */
  inbound(spec: InboundSpec): InboundResult {
    const runtime = this.registry.get(spec.account);
    if (!runtime) throw new SandboxInputError([{ path: 'account', message: `no account ${JSON.stringify(spec.account)}` }]);
    if ((spec.username || spec.hidePhone) && runtime.account.provider !== 'vonage') {
      throw new SandboxInputError([{ path: spec.username ? 'username' : 'hidePhone', message: 'WhatsApp user ids are sent by Vonage accounts only' }]);
    }
    const now = Date.now();
    const from = spec.from.replace(/^\+/, '');
    const built = this.inboundBuilders[runtime.account.provider](runtime, { ...spec, from }, now);
    if (spec.type !== 'opted-in' && spec.type !== 'opted-out') runtime.lastInbound.set(from, now);
    let settle!: (result: DeliveryResult) => void;
    const delivery = new Promise<DeliveryResult>((resolve) => (settle = resolve));
    this.callbacks.send({ ...built.callback, onDone: settle });
    return { id: built.id, url: built.url, payload: built.payload, delivery };
  }

  /** Forgets messages, counters, windows, opt-ins and pending callbacks; keeps accounts and knobs. */
  reset(): void {
    this.scheduler.clear();
    this.callbacks.reset();
    this.store.clear();
    this.unattributed = new AccountStats();
    for (const runtime of this.registry.list()) runtime.resetState();
    this.startedAt = Date.now();
  }

  /** Runs every scheduled event now and sends open DLR batches (tests: no waiting for delays). */
  flush(): void {
    this.scheduler.runAllNow();
    this.callbacks.flushBatches();
  }

  /** Resolves when no event is scheduled and no callback is waiting or in flight. */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.scheduler.size > 0 || !this.callbacks.idle) {
      if (Date.now() > deadline) throw new Error(`sandbox still busy after ${timeoutMs} ms (${this.scheduler.size} events scheduled)`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async close(): Promise<void> {
    this.scheduler.close();
    await this.callbacks.close();
  }
}
