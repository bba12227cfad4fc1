/**
 * Where provider requests are made. The dispatcher decides *when* a message goes (pacing, up to
 * ~100 ms ahead); a Sender makes the request at that time and returns the provider's answer.
 *
 * - InProcessSender uses the provider clients of this thread (tests with fake providers).
 * - ThreadSender (production) makes the requests on a worker thread with its own event loop, so a
 *   request is written to the socket the moment the dispatcher releases it — database work on the
 *   main thread (synchronous on SQLite) can no longer hold requests back and let them reach the
 *   provider in bunches, and the HTTP work runs on the second core.
 */
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppDeps } from '../deps.js';
import type { ProviderCredentials, ProviderType, ProviderUrls, SendResult, SessionMessage, TemplateMessage } from '../providers/provider.js';
import { loadProviderSecrets } from '../providers/provider-accounts.service.js';
import { ScheduledSends, sharedNow, type SendSchedule } from './send-clock.js';
import { createWorkerWithSemiSpace } from '../heap.js';
import { heldBack, SendJournals, type SendJournal, type SendJournalSpec, type SendLease } from './send-journal.js';

export type SendRequest = { kind: 'template'; message: TemplateMessage } | { kind: 'session'; message: SessionMessage };

export interface JournalOpened {
  status: SendJournal['status'];
  problem: string | null;
}

export interface Sender {
  /**
   * Makes the request when `schedule` allows (now when omitted) and returns the answer. With a
   * `lease`, the message is first written to the owner's send journal and is held back (never
   * sent, `heldBack` in the answer) once the lease's time has passed.
   */
  send(providerId: string, request: SendRequest, schedule?: SendSchedule, lease?: SendLease): Promise<SendResult>;
  /** Starts the send journal of an owner; before it claims anything (send-journal.ts). */
  openJournal(spec: SendJournalSpec): Promise<JournalOpened>;
  /** Deletes the owner's journal: every answer of its sends is stored. */
  closeJournal(owner: string): Promise<void>;
  close(): Promise<void>;
}

const NOTHING_SENT = { request: { method: '', url: '', body: '' } };

const messageIdOf = (request: SendRequest): string | undefined => request.message.clientRef;

export class InProcessSender implements Sender {
  private readonly scheduled = new ScheduledSends();
  private readonly journals = new SendJournals();

  constructor(private readonly deps: Pick<AppDeps, 'providers'>) {}

  async openJournal(spec: SendJournalSpec): Promise<JournalOpened> {
    return this.journals.open(spec);
  }

  async closeJournal(owner: string): Promise<void> {
    this.journals.close(owner);
  }

  async send(providerId: string, request: SendRequest, schedule?: SendSchedule, lease?: SendLease): Promise<SendResult> {
    if (schedule) await this.scheduled.wait(providerId, schedule);
    const [reason] = this.journals.holdBack([{ messageId: messageIdOf(request), lease }]);
    if (reason) return heldBack(reason);
    const entry = await this.deps.providers.get(providerId);
    if (!entry || entry.account.deleted) {
      return { ok: false, outcome: 'not_sent', category: 'auth', retryable: false, detail: 'the provider account no longer exists', raw: NOTHING_SENT };
    }
    return request.kind === 'template' ? entry.client.sendTemplate(request.message) : entry.client.sendSession(request.message);
  }

  async close(): Promise<void> {}
}

/** One send handed to the sender thread. */
export interface ThreadSend {
  id: number;
  providerId: string;
  version: number;
  request: SendRequest;
  schedule: SendSchedule;
  lease?: SendLease;
}

/**
 * Messages between the main thread and the sender thread. Sends go over in batches, and results
 * come back in batches: everything one turn of either event loop produced, in one message (a
 * message per send cost each thread an event, a copy and a wake-up per message).
 */
export type ToSenderThread =
  | { type: 'account'; providerId: string; version: number; providerType: ProviderType; credentials: ProviderCredentials }
  | { type: 'sends'; sends: ThreadSend[] }
  | { type: 'journal-open'; id: number; spec: SendJournalSpec }
  | { type: 'journal-close'; id: number; owner: string };
/** The thread's answers; a result's `raw` is always empty (see sender.worker.ts). */
export type FromSenderThread =
  | { type: 'results'; results: Array<{ id: number; result: SendResult }> }
  | { type: 'journal'; id: number; opened: JournalOpened | null };

export interface SenderThreadData {
  urls: ProviderUrls;
  requestTimeoutMs: number;
}

/** The compiled thread script: beside this module in dist/, or in dist/ when this runs from sources (tests). */
const WORKER_FILE = [
  fileURLToPath(new URL('./sender.worker.js', import.meta.url)),
  fileURLToPath(new URL('../../dist/campaigns/sender.worker.js', import.meta.url)),
].find((file) => existsSync(file));

/** Whether the compiled sender thread is available (it is not before the first build). */
export function senderThreadAvailable(): boolean {
  return WORKER_FILE !== undefined;
}

interface KnownAccount {
  version: number;
  checkedAt: number;
  refreshing: boolean;
}

/** Re-check an account's `updated_at` this often: edited credentials reach the thread within it. */
const RECHECK_MS = 2_000;
/**
 * Young-generation semispaces of the sender thread (MiB), twice the lean 4 (createWorkerWithSemiSpace).
 * Dispatch bench, alternating runs on 2026-11-26 (docs/benchmarks.md): CPU per message 262–382 µs
 * with 4, 227–338 µs with 8 (five of six runs ≤ 268), 213–296 µs with 16; the 1,000,000-recipient
 * worker's peak RSS 250 → 272 MiB with 8 (279 MiB with 16, too close to the 286 MiB target).
 */
const SENDER_SEMI_SPACE_MB = 8;

export class ThreadSender implements Sender {
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, (result: SendResult) => void>();
  /** Sends of this turn of the event loop, posted together at its end (flushSends). */
  private outbox: ThreadSend[] = [];
  /** The thread stopped and the next has not started yet (restart back-off). */
  private between = false;
  private readonly journalAnswers = new Map<number, (opened: JournalOpened | null) => void>();
  /** Journals open in the thread: a restarted thread opens them again before any send. */
  private readonly journalSpecs = new Map<string, SendJournalSpec>();
  private readonly accounts = new Map<string, KnownAccount>();
  private closed = false;
  private failures = 0;
  private lastError = '';

  constructor(private readonly deps: Pick<AppDeps, 'db' | 'secrets' | 'config' | 'logger'>) {
    if (!WORKER_FILE) throw new Error('The sender thread is not built: run `npm run build`.');
    // V8's memory reducer runs full collections every few seconds in a lightly loaded isolate; each
    // pauses it 15–30 ms, long enough for paced requests to leave, and reach the provider, in a
    // bunch. The sender thread keeps its heap instead (the flag applies to isolates created after).
    setFlagsFromString('--no-memory-reducer');
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const data: SenderThreadData = { urls: this.deps.config.providerUrls, requestTimeoutMs: this.deps.config.sendTimeoutMs };
    const worker = createWorkerWithSemiSpace(SENDER_SEMI_SPACE_MB, () => new Worker(WORKER_FILE!, { workerData: data }));
    let online = false;
    worker.on('online', () => {
      online = true;
      this.failures = 0;
    });
    worker.on('message', (message: FromSenderThread) => {
      if (message.type === 'journal') {
        this.journalAnswers.get(message.id)?.(message.opened);
        this.journalAnswers.delete(message.id);
        return;
      }
      for (const { id, result } of message.results) {
        const resolve = this.pending.get(id);
        this.pending.delete(id);
        resolve?.(result);
      }
    });
    // A new file in the new thread: the dead thread's files stay, so the journal stays whole.
    for (const spec of this.journalSpecs.values()) {
      const id = this.nextId++;
      // Nobody awaits this answer (openJournal may have answered for the dead thread): a journal
      // the new thread cannot keep is said in the log, as DispatchService says it on the first open.
      this.journalAnswers.set(id, (opened) => {
        if (opened && opened.status !== 'open') {
          this.deps.logger.warn({ dir: spec.dir, problem: opened.problem, status: opened.status }, 'the restarted sender thread cannot keep the send journal: if this process dies, the messages it claimed are marked unknown instead of being sent again');
        }
      });
      worker.postMessage({ type: 'journal-open', id, spec } satisfies ToSenderThread);
    }
    worker.on('error', (error) => {
      this.lastError = error.message;
      this.deps.logger.error({ err: error }, 'the sender thread failed');
    });
    worker.on('exit', () => {
      this.between = true;
      this.holdBackOutbox('the sender thread stopped before the message reached it');
      // A thread that never started sent nothing; one that ran may have sent what it had.
      const result: SendResult = online
        ? { ok: false, outcome: 'unknown', detail: 'the sender thread stopped during the request', raw: NOTHING_SENT }
        : { ok: false, outcome: 'not_sent', category: 'provider_down', retryable: true, detail: `the sender thread could not start: ${this.lastError}`, raw: NOTHING_SENT };
      for (const resolve of this.pending.values()) resolve(result);
      this.pending.clear();
      for (const resolve of this.journalAnswers.values()) resolve(null);
      this.journalAnswers.clear();
      this.accounts.clear();
      if (this.closed) return;
      // Restart, backing off when it keeps failing (1 s, 2 s, … 30 s).
      this.failures++;
      const delay = this.failures <= 1 ? 0 : Math.min(30_000, 1000 * 2 ** (this.failures - 2));
      setTimeout(() => {
        if (this.closed) return;
        this.worker = this.spawn();
        this.between = false;
        // Accounts read during the back-off were posted to no thread: the new one gets them again.
        this.accounts.clear();
      }, delay).unref();
    });
    worker.unref();
    return worker;
  }

  /**
   * The account version the thread has. Only the first send of an account waits for the database;
   * later re-checks (edited credentials, deleted account) run beside the sends, so a send is never
   * held back by a read.
   */
  private async ensureAccount(providerId: string, now: number): Promise<number | null> {
    const known = this.accounts.get(providerId);
    if (known) {
      if (now - known.checkedAt >= RECHECK_MS && !known.refreshing) {
        known.refreshing = true;
        this.loadAccount(providerId, now)
          .catch((error: unknown) => this.deps.logger.warn({ err: error, providerId }, 'could not re-read a provider account'))
          .finally(() => (known.refreshing = false));
      }
      return known.version;
    }
    return this.loadAccount(providerId, now);
  }

  private async loadAccount(providerId: string, now: number): Promise<number | null> {
    const account = await loadProviderSecrets(this.deps, providerId);
    if (!account || account.deleted) {
      this.accounts.delete(providerId);
      return null;
    }
    const known = this.accounts.get(providerId);
    if (!known || known.version !== account.updatedAt) {
      const message: ToSenderThread = { type: 'account', providerId, version: account.updatedAt, providerType: account.type, credentials: account.credentials };
      this.post(message);
    }
    this.accounts.set(providerId, { version: account.updatedAt, checkedAt: now, refreshing: false });
    return account.updatedAt;
  }

  async send(providerId: string, request: SendRequest, schedule: SendSchedule = { at: sharedNow() }, lease?: SendLease): Promise<SendResult> {
    const version = await this.ensureAccount(providerId, Date.now());
    if (version === null) {
      return { ok: false, outcome: 'not_sent', category: 'auth', retryable: false, detail: 'the provider account no longer exists', raw: NOTHING_SENT };
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.outbox.push({ id, providerId, version, request, schedule, ...(lease ? { lease } : {}) });
      // At the end of this turn: the dispatcher hands over a pump's worth of sends in one go.
      if (this.outbox.length === 1) queueMicrotask(() => this.flushSends());
    });
  }

  private flushSends(): void {
    if (this.outbox.length === 0) return;
    if (this.between) {
      // No thread to take them (it is being restarted): never sent, back to their queue.
      this.holdBackOutbox('the sender thread is restarting');
      return;
    }
    const sends = this.outbox;
    this.outbox = [];
    this.worker.postMessage({ type: 'sends', sends } satisfies ToSenderThread);
  }

  /** Answers the sends not posted to any thread: held back, never sent. */
  private holdBackOutbox(reason: string): void {
    for (const send of this.outbox.splice(0)) {
      this.pending.get(send.id)?.(heldBack(reason));
      this.pending.delete(send.id);
    }
  }

  /** Posts a message after the sends queued before it, so the thread sees them in order. */
  private post(message: ToSenderThread): void {
    this.flushSends();
    if (this.between) {
      // The next thread opens the journals (spawn) and is given the accounts again: only a
      // journal question is answered here, with "no thread".
      if (message.type === 'journal-open' || message.type === 'journal-close') {
        this.journalAnswers.get(message.id)?.(null);
        this.journalAnswers.delete(message.id);
      }
      return;
    }
    this.worker.postMessage(message);
  }

  async openJournal(spec: SendJournalSpec): Promise<JournalOpened> {
    this.journalSpecs.set(spec.owner, spec);
    const opened = await this.askJournal({ type: 'journal-open', id: this.nextId++, spec });
    // The thread stopped before answering; the next one opens it (spawn) before any send, and
    // logs it if it cannot.
    return opened ?? { status: 'open', problem: null };
  }

  async closeJournal(owner: string): Promise<void> {
    this.journalSpecs.delete(owner);
    await this.askJournal({ type: 'journal-close', id: this.nextId++, owner });
  }

  private askJournal(message: Extract<ToSenderThread, { type: 'journal-open' | 'journal-close' }>): Promise<JournalOpened | null> {
    return new Promise((resolve) => {
      this.journalAnswers.set(message.id, resolve);
      this.post(message);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }
}

/** The production sender when it is built, else in-process. */
export function createSender(deps: Pick<AppDeps, 'db' | 'secrets' | 'config' | 'logger' | 'providers'>): Sender {
  return senderThreadAvailable() ? new ThreadSender(deps) : new InProcessSender(deps);
}
