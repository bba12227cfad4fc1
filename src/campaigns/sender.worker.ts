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
import type { FromSenderThread, SenderThreadData, ToSenderThread } from './sender.js';
import { ScheduledSends } from './send-clock.js';
import { SendJournals } from './send-journal.js';

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
  scheduled.run(message.providerId, message.schedule, () => send(message));
});

/**
 * Answers go back without the request/response record (`raw`): the sending path never reads it,
 * and copying it between threads for every message cost both threads time and garbage.
 */
const RAW_NOT_KEPT = { request: { method: '', url: '', body: '' } };

function send(message: Extract<ToSenderThread, { type: 'send' }>): void {
  const entry = clients.get(message.providerId);
  const reply = (result: SendResult) =>
    parentPort!.postMessage({ type: 'result', id: message.id, result: { ...result, raw: RAW_NOT_KEPT } } satisfies FromSenderThread);
  if (!entry) {
    reply({ ok: false, outcome: 'not_sent', category: 'provider_down', retryable: true, detail: 'the sender thread has no client for this account yet', raw: RAW_NOT_KEPT });
    return;
  }
  const request = message.request;
  // Written down (and the lease checked) as the request is about to be made: send-journal.ts.
  const reason = journals.holdBack(request.message.clientRef, message.lease);
  if (reason) {
    reply({ ok: false, outcome: 'not_sent', category: 'provider_down', retryable: true, detail: reason, raw: RAW_NOT_KEPT, heldBack: true });
    return;
  }
  const sending = request.kind === 'template' ? entry.client.sendTemplate(request.message) : entry.client.sendSession(request.message);
  sending.then(reply, (error: unknown) => {
    reply({ ok: false, outcome: 'unknown', detail: `adapter error: ${(error as Error).message}`, raw: RAW_NOT_KEPT });
  });
}
