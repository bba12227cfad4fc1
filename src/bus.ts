/**
 * In-process signals between the API, the dispatcher and the applier when they share a process
 * (`wacast serve`). They only shorten waits: every consumer also polls the database, so separate
 * `wacast worker` processes behave the same, only with up to one poll interval more latency.
 */
import { EventEmitter } from 'node:events';

export interface BusEvents {
  /** Messages became claimable for a provider account. */
  'messages-queued': [providerId: string];
  /** Callback events were appended to the log. */
  'callbacks-recorded': [];
  /**
   * A campaign changed: `state` — its state (published, paused, resumed, stopped, completed…),
   * which the dispatcher and the publisher act on; `progress` — its counters or its message rows,
   * which only the live report shows (emitted after every batch of results or receipts).
   */
  'campaign-changed': [campaignId: string, what: 'state' | 'progress'];
  /** An inbound message or a reply changed a conversation. */
  'conversation-changed': [projectId: string, phone: string];
  /** A dashboard session ended (logout): its live streams close. */
  'session-ended': [sessionId: string];
  /** Project API credentials were revoked (by row id): the live streams opened with them close. */
  'credentials-revoked': [credentialId: string];
}

export class Bus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  emit<K extends keyof BusEvents>(event: K, ...args: BusEvents[K]): void {
    this.emitter.emit(event, ...args);
  }

  on<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): () => void {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...args: unknown[]) => void);
  }
}
