/**
 * The sender thread (see sender.ts): keeps one provider client per account (shared keep-alive
 * pools) and makes each request at the time the dispatcher scheduled it (see ScheduledSends).
 * Nothing else runs on this event loop, so requests leave on time even while the main thread is
 * busy with the database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HttpClient } from '../providers/http.client.js';
import { createProviderClient } from '../providers/provider-client.js';
import type { ProviderClient, SendResult } from '../providers/provider.js';
import type { FromSenderThread, SenderThreadData, ThreadSend, ToSenderThread } from './sender.js';
import { ScheduledSends } from './send-clock.js';
import { heldBack, SendJournals } from './send-journal.js';

const data = workerData as SenderThreadData;
const http = new HttpClient({ requestTimeoutMs: data.requestTimeoutMs });
const clients = new Map<string, { version: number; client: ProviderClient }>();
const scheduled = new ScheduledSends();
const journals = new SendJournals();

parentPort!.on('message', (message: ToSenderThread) => {
  if (message.type === 'account') {
    const previous = clients.get(message.providerId);
    if (previous && previous.version >= message.version) return;
    void previous?.client.close();
    clients.set(message.providerId, { version: message.version, client: createProviderClient(message.providerType, message.credentials, data.urls, { http }) });
    return;
  }
  if (message.type === 'journal-open') {
    parentPort!.postMessage({ type: 'journal', id: message.id, opened: journals.open(message.spec) } satisfies FromSenderThread);
    return;
  }
  if (message.type === 'journal-close') {
    journals.close(message.owner);
    parentPort!.postMessage({ type: 'journal', id: message.id, opened: null } satisfies FromSenderThread);
    return;
  }
  for (const send of message.sends) scheduled.run(send.providerId, send.schedule, () => sendSoon(send));
});

type SendMessage = ThreadSend;

/**
 * Sends released in this turn of the event loop: by one timer, or arriving already due in one
 * burst of messages from the dispatcher (each message is its own event, so they are collected
 * until the loop's check phase, microseconds later). They are written to the send journal in one
 * write: a system call costs ~3 µs alone and ~9 µs on a busy two-core machine, and one per message
 * cost the dispatch bench ~8 % (measured: ~67 sends per write at 5,000/s, one per send at 600/s).
 * Only released sends are written, never sends still waiting: a send written down but not yet made
 * is `unknown` after a crash (writing 5 ms of upcoming sends ahead left ~20 per kill at 600/s,
 * since a send waits in its account's sliding second well past its scheduled time).
 */
const due: SendMessage[] = [];

function sendSoon(message: SendMessage): void {
  due.push(message);
  if (due.length === 1) setImmediate(sendDue);
}

function sendDue(): void {
  const batch = due.splice(0);
  // Written down (and the leases checked) before the requests are made: send-journal.ts.
  const reasons = journals.holdBack(batch.map((message) => ({ messageId: message.request.message.clientRef, lease: message.lease })));
  batch.forEach((message, index) => send(message, reasons[index] ?? null));
}

/**
 * Answers go back without the request/response record (`raw`): the sending path never reads it,
 * and copying it between threads for every message cost both threads time and garbage.
 */
const RAW_NOT_KEPT = { request: { method: '', url: '', body: '' } };

/** Answers of this turn of the event loop, posted together in its check phase. */
let answers: Array<{ id: number; result: SendResult }> = [];

function answer(id: number, result: SendResult): void {
  answers.push({ id, result: { ...result, raw: RAW_NOT_KEPT } });
  if (answers.length === 1) setImmediate(postAnswers);
}

function postAnswers(): void {
  const results = answers;
  answers = [];
  parentPort!.postMessage({ type: 'results', results } satisfies FromSenderThread);
}

function send(message: SendMessage, heldBackBecause: string | null): void {
  const entry = clients.get(message.providerId);
  const reply = (result: SendResult) => answer(message.id, result);
  if (!entry) {
    reply({ ok: false, outcome: 'not_sent', category: 'provider_down', retryable: true, detail: 'the sender thread has no client for this account yet', raw: RAW_NOT_KEPT });
    return;
  }
  if (heldBackBecause) {
    reply(heldBack(heldBackBecause));
    return;
  }
  const request = message.request;
  const sending = request.kind === 'template' ? entry.client.sendTemplate(request.message) : entry.client.sendSession(request.message);
  sending.then(reply, (error: unknown) => {
    reply({ ok: false, outcome: 'unknown', detail: `adapter error: ${(error as Error).message}`, raw: RAW_NOT_KEPT });
  });
}
