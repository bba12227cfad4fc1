import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './sandbox.server.js';
import { startCallbackReceiver, type CallbackReceiver } from '../../test/helpers/callback-receiver.js';

const API_KEY = 'behaviour-key';
const TEMPLATE_ID = '5f0c4a57-52a3-4d7e-9a4f-6f6d3b2f9d10';

interface Envelope {
  type: string;
  payload: { id: string; gsId?: string; type: string; source?: string; payload: Record<string, unknown>; context?: { gsId: string } };
}

/** Behaviour knobs, through the self-serve protocol (its events name every stage). */
describe('sandbox: behaviour knobs', () => {
  let sandbox: Sandbox;
  let receiver: CallbackReceiver;

  const template = async (destination = '919876543210', signal?: AbortSignal) => {
    const response = await fetch(`${sandbox.url}/wa/api/v1/template/msg`, {
      method: 'POST',
      ...(signal ? { signal } : {}),
      headers: { apikey: API_KEY, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ channel: 'whatsapp', source: '917834811114', 'src.name': 'KnobApp', destination, template: JSON.stringify({ id: TEMPLATE_ID, params: ['Ravi'] }) }).toString(),
    });
    return { status: response.status, json: (await response.json()) as { messageId?: string; message?: string } };
  };
  const envelopes = () => receiver.on('/hook').map((request) => JSON.parse(request.body) as Envelope);
  const eventsOf = (gsId: string) => envelopes().filter((envelope) => envelope.type === 'message-event' && (envelope.payload.gsId ?? envelope.payload.id) === gsId);

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
    sandbox = await startSandbox({
      knobs: { dlrDelayMs: [1, 3], readShare: 1, callbackRetries: 0, callbackRetryDelayMs: 5 },
      accounts: [
        {
          provider: 'gupshup-selfserve',
          id: 'knobs',
          apiKey: API_KEY,
          appName: 'KnobApp',
          sourceNumber: '917834811114',
          webhookUrl: `${receiver.url}/hook`,
          templates: [{ id: TEMPLATE_ID, body: 'Hello {{1}}' }],
        },
      ],
    });
  });
  afterAll(async () => {
    await sandbox?.close();
    await receiver?.close();
  });
  beforeEach(async () => {
    sandbox.reset();
    await sandbox.drain();
    receiver.requests.length = 0;
    receiver.respond(() => 200);
    sandbox.setKnobs({
      dlrDelayMs: [1, 3],
      readShare: 1,
      failShare: 0,
      reorderShare: 0,
      duplicateShare: 0,
      callbacks: true,
      callbackRetries: 0,
      timeoutShare: 0,
      burst429Share: 0,
      burst429EverySeconds: 0,
      autoReplyShare: 0,
      latencyMs: 0,
    });
  });

  it('fails the configured share with the configured reason', async () => {
    sandbox.setKnobs({ failShare: 1, failReason: 'blocked' });
    const { json } = await template();
    await receiver.waitFor(() => eventsOf(json.messageId!).length === 2);
    expect(eventsOf(json.messageId!).map((envelope) => envelope.payload.type)).toEqual(['enqueued', 'failed']);
    expect(eventsOf(json.messageId!)[1]!.payload.payload).toEqual({ code: 131049, reason: expect.any(String) });
    expect(sandbox.stats().accounts.knobs!.outcomes.failed).toBe(1);
  });

  it('stops at delivered for messages that are not read (readShare 0)', async () => {
    sandbox.setKnobs({ readShare: 0 });
    const { json } = await template();
    await receiver.waitFor(() => eventsOf(json.messageId!).length === 3);
    await sandbox.drain();
    expect(eventsOf(json.messageId!).map((envelope) => envelope.payload.type)).toEqual(['enqueued', 'sent', 'delivered']);
  });

  it('shuffles the callbacks of every message with reorderShare 1', async () => {
    sandbox.setKnobs({ reorderShare: 1, dlrDelayMs: [5, 30] });
    const ids = await Promise.all(Array.from({ length: 5 }, async (_, i) => (await template(`91987654321${i}`)).json.messageId!));
    await receiver.waitFor(() => ids.every((id) => eventsOf(id).length === 4));
    let shuffled = 0;
    for (const id of ids) {
      const order = eventsOf(id).map((envelope) => envelope.payload.type);
      expect([...order].sort()).toEqual(['delivered', 'enqueued', 'read', 'sent']);
      if (order.join() !== 'enqueued,sent,delivered,read') shuffled++;
    }
    // Every message's callbacks are planned out of order, but posts due a few ms apart can still
    // arrive in the natural order on a busy machine (each is its own request): most must show it.
    expect(shuffled).toBeGreaterThanOrEqual(3);
  });

  it('posts the callbacks in their one possible order when reorderShare meets no delay (dlrDelayMs 0)', async () => {
    sandbox.setKnobs({ reorderShare: 1, dlrDelayMs: 0 });
    const { status, json } = await template();
    expect(status).toBe(202);
    await receiver.waitFor(() => eventsOf(json.messageId!).length === 4);
    expect(eventsOf(json.messageId!).map((envelope) => envelope.payload.type).sort()).toEqual(['delivered', 'enqueued', 'read', 'sent']);
  });

  it('sends every callback twice with duplicateShare 1', async () => {
    sandbox.setKnobs({ duplicateShare: 1 });
    const { json } = await template();
    await receiver.waitFor(() => eventsOf(json.messageId!).length === 8);
    await sandbox.drain();
    const counts = new Map<string, number>();
    for (const envelope of eventsOf(json.messageId!)) counts.set(envelope.payload.type, (counts.get(envelope.payload.type) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ enqueued: 2, sent: 2, delivered: 2, read: 2 });
  });

  it('posts nothing with callbacks off', async () => {
    sandbox.setKnobs({ callbacks: false, autoReplyShare: 1 });
    const { status } = await template();
    expect(status).toBe(202);
    await sandbox.drain();
    expect(receiver.requests).toHaveLength(0);
    expect(sandbox.messages()[0]!.outcome).toBe('read');
  });

  it('retries a callback answered with a non-2xx, with doubling delays, and gives up after the retries', async () => {
    sandbox.setKnobs({ callbackRetries: 3, callbackRetryDelayMs: 5 });
    receiver.respond((_request, index) => (index < 2 ? 500 : 200));
    const result = sandbox.inbound({ account: 'knobs', from: '919876543210', text: 'hi' });
    expect(await result.delivery).toEqual({ delivered: true, attempts: 3, status: 200 });
    expect(receiver.on('/hook')).toHaveLength(3);
    expect(new Set(receiver.on('/hook').map((request) => request.body)).size).toBe(1);

    receiver.requests.length = 0;
    receiver.respond(() => 503);
    const failing = sandbox.inbound({ account: 'knobs', from: '919876543210', text: 'again' });
    expect(await failing.delivery).toEqual({ delivered: false, attempts: 4, status: 503 });
    expect(sandbox.stats().callbacks).toMatchObject({ gaveUp: 1 });
  });

  it('answers every request with 429 during a burst second, and counts them', async () => {
    sandbox.setKnobs({ burst429EverySeconds: 1 });
    const answer = await template();
    expect(answer.status).toBe(429);
    expect(answer.json).toEqual({ message: 'Too Many Requests', status: 'error' });
    expect(sandbox.stats().accounts.knobs!.rejected.burst_429).toBe(1);
    expect(sandbox.messages()).toHaveLength(0);
  });

  it('accepts but never answers a timed-out send (timeoutMs 0); the message still gets its callbacks', async () => {
    sandbox.setKnobs({ timeoutShare: 1, timeoutMs: 0 });
    await expect(template('919876543210', AbortSignal.timeout(300))).rejects.toThrow();
    // The client gave up; the sandbox accepted the message anyway, and says so.
    await receiver.waitFor(() => envelopes().length === 4, 10_000);
    const [message] = sandbox.messages();
    expect(message).toMatchObject({ answered: false, kind: 'template' });
    expect(eventsOf(message!.id).map((envelope) => envelope.payload.type)).toContain('read');
  }, 20_000);

  it('answers a timed-out send late when timeoutMs is set', async () => {
    sandbox.setKnobs({ timeoutShare: 1, timeoutMs: 30 });
    const answer = await template();
    expect(answer.status).toBe(202);
    expect(sandbox.messages()[0]).toMatchObject({ id: answer.json.messageId, answered: true });
  });

  it('answers after the configured latency (the answer is the same)', async () => {
    sandbox.setKnobs({ latencyMs: [5, 10] });
    expect((await template()).status).toBe(202);
  });

  it('makes recipients reply automatically, quoting the template', async () => {
    sandbox.setKnobs({ autoReplyShare: 1, autoReplyText: 'Sounds good', autoReplyDelayMs: [1, 3] });
    const { json } = await template('919811122233');
    await receiver.waitFor(() => envelopes().some((envelope) => envelope.type === 'message'));
    const reply = envelopes().find((envelope) => envelope.type === 'message')!;
    expect(reply.payload).toMatchObject({ source: '919811122233', type: 'text', payload: { text: 'Sounds good' }, context: { gsId: json.messageId } });
  });

  it('applies per-account knobs over the global ones, and removes an override with null over HTTP', async () => {
    sandbox.setKnobs({ down: '5xx' }, 'knobs');
    expect((await template()).status).toBe(503);
    expect(sandbox.knobs().down).toBe('off');
    const cleared = await fetch(`${sandbox.url}/_sandbox/config?account=knobs`, { method: 'POST', body: JSON.stringify({ down: null }) });
    expect(cleared.status).toBe(200);
    expect((await template()).status).toBe(202);
  });
});
