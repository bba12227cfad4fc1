import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './sandbox.server.js';
import { startCallbackReceiver, type CallbackReceiver } from '../../test/helpers/callback-receiver.js';

const API_KEY = 'selfserve-key-0001';
const TEMPLATE_ID = 'c6aecef6-bcb0-4fb1-8100-28c094e3bc6b';
const MEDIA_TEMPLATE_ID = '0a4b8c1e-6f5e-4b39-9d4e-9d6a2c1f7e11';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Envelope {
  app: string;
  timestamp: number;
  version: number;
  type: string;
  payload: Record<string, unknown> & { payload?: Record<string, unknown> };
}

function events(receiver: CallbackReceiver): Envelope[] {
  return receiver.on('/webhook').map((request) => JSON.parse(request.body) as Envelope);
}

describe('sandbox: Gupshup self-serve API', () => {
  let sandbox: Sandbox;
  let receiver: CallbackReceiver;

  const send = async (path: string, fields: Record<string, string>, apiKey: string | null = API_KEY) => {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (apiKey !== null) headers.apikey = apiKey;
    const response = await fetch(`${sandbox.env.GUPSHUP_API_URL}${path}`, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
    const text = await response.text();
    return { status: response.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  const app = { source: '917834811114', 'src.name': 'DemoAPI' };
  const session = (fields: Record<string, string> = {}) =>
    send('/wa/api/v1/msg', { channel: 'whatsapp', ...app, destination: '919876543210', message: JSON.stringify({ type: 'text', text: 'Hi' }), ...fields });
  const template = (fields: Record<string, string> = {}) =>
    send('/wa/api/v1/template/msg', {
      channel: 'whatsapp',
      ...app,
      destination: '919876543210',
      template: JSON.stringify({ id: TEMPLATE_ID, params: ['Agent', 'Local Address', 'Tracking code'] }),
      ...fields,
    });

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
    sandbox = await startSandbox({
      knobs: { dlrDelayMs: [1, 5], readShare: 1, callbackRetries: 0 },
      accounts: [
        {
          provider: 'gupshup-selfserve',
          id: 'demo',
          apiKey: API_KEY,
          appName: 'DemoAPI',
          sourceNumber: '917834811114',
          webhookUrl: `${receiver.url}/webhook`,
          templates: [
            { id: TEMPLATE_ID, body: 'Your {{1}} will deliver to {{2}}. Track with {{3}}.' },
            { id: MEDIA_TEMPLATE_ID, body: 'Here is your ticket, {{1}}.', attachment: 'image' },
          ],
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
    // Callbacks of the previous test still in flight must not land in this one.
    await sandbox.drain();
    receiver.requests.length = 0;
    sandbox.setKnobs({ readShare: 1, rateLimitPerSecond: 0, enforceSessionWindow: true });
  });

  it('accepts a template send with 202 {"status":"submitted","messageId":<uuid v4>}', async () => {
    const answer = await template();
    expect(answer.status).toBe(202);
    expect(Object.keys(answer.json!)).toEqual(['status', 'messageId']);
    expect(answer.json!.status).toBe('submitted');
    expect(answer.json!.messageId).toMatch(UUID_V4);
    expect(sandbox.messages()[0]).toMatchObject({
      provider: 'gupshup-selfserve',
      account: 'demo',
      id: answer.json!.messageId,
      kind: 'template',
      template: TEMPLATE_ID,
      params: ['Agent', 'Local Address', 'Tracking code'],
      body: 'Your Agent will deliver to Local Address. Track with Tracking code.',
    });
  });

  it.each([
    ['no apikey header', null, {}, 401, 'Authentication Failed'],
    ['an unknown apikey', 'nope', {}, 401, 'Authentication Failed'],
    ['a wrong src.name', API_KEY, { 'src.name': 'OtherApp' }, 400, 'Invalid App Details'],
    ['a wrong source', API_KEY, { source: '917834811115' }, 400, 'Invalid App Details'],
    ['a destination with +', API_KEY, { destination: '+919876543210' }, 400, 'Invalid Destination'],
    ['no destination', API_KEY, { destination: '' }, 400, 'Invalid Destination'],
    ['a template that is not JSON', API_KEY, { template: '{id:' }, 400, 'Invalid Template: the template field must be a JSON object string {"id","params"}'],
    ['params that are not strings', API_KEY, { template: JSON.stringify({ id: TEMPLATE_ID, params: [1] }) }, 400, 'Invalid Template: template.params must be an array of strings'],
  ])('refuses %s with the documented error body', async (_name, apiKey, fields, status, message) => {
    const answer = await send(
      '/wa/api/v1/template/msg',
      { channel: 'whatsapp', ...app, destination: '919876543210', template: JSON.stringify({ id: TEMPLATE_ID, params: ['a', 'b', 'c'] }), ...fields },
      apiKey,
    );
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual({ message, status: 'error' });
    expect(sandbox.messages()).toHaveLength(0);
  });

  it('validates the session message JSON by type', async () => {
    expect((await session({ message: JSON.stringify({ type: 'image', caption: 'x' }) })).json).toEqual({ message: 'Invalid Message: originalUrl is required for type image', status: 'error' });
    expect((await session({ message: JSON.stringify({ type: 'file', url: 'https://x.example/a.pdf' }) })).json).toEqual({ message: 'Invalid Message: filename is required for type file', status: 'error' });
    expect((await session({ message: JSON.stringify({ type: 'carousel' }) })).status).toBe(400);
    expect((await session({ channel: '' })).json).toEqual({ message: 'Invalid Channel', status: 'error' });
    const image = await session({ message: JSON.stringify({ type: 'image', originalUrl: 'https://x.example/a.jpg', previewUrl: 'https://x.example/a_t.jpg', caption: 'Look' }) });
    expect(image.status).toBe(202);
    expect(sandbox.messages()[0]).toMatchObject({ kind: 'session', type: 'image', mediaUrl: 'https://x.example/a.jpg', body: 'Look' });
  });

  it('posts enqueued, sent, delivered and read events in the v2 envelope, ids as documented', async () => {
    const answer = await template();
    const gsId = answer.json!.messageId as string;
    await receiver.waitFor(() => events(receiver).length === 4);
    const received = events(receiver);
    for (const envelope of received) {
      expect(envelope).toMatchObject({ app: 'DemoAPI', version: 2, type: 'message-event' });
      expect(envelope.timestamp).toBeGreaterThan(1e12);
      expect(envelope.payload.destination).toBe('919876543210');
    }
    const [enqueued, sent, delivered, read] = received.map((envelope) => envelope.payload);
    expect(enqueued).toMatchObject({ id: gsId, type: 'enqueued', payload: { type: 'template' } });
    const waId = (enqueued!.payload as { whatsappMessageId: string }).whatsappMessageId;
    expect(waId).toMatch(/^gBEG/);
    expect(sent).toMatchObject({ id: waId, gsId, type: 'sent', pricing: { policy: 'CBP' } });
    expect(delivered).toMatchObject({ id: waId, gsId, type: 'delivered' });
    expect(read).toMatchObject({ id: waId, gsId, type: 'read' });
    for (const event of [sent, delivered, read]) expect(String((event!.payload as { ts: number }).ts)).toMatch(/^\d{10}$/);
    expect(receiver.on('/webhook')[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('reports an unknown template id or a wrong parameter count as a synchronous failed 4003 (no enqueued)', async () => {
    const unknown = await template({ template: JSON.stringify({ id: '11111111-2222-4333-8444-555555555555', params: [] }) });
    expect(unknown.status).toBe(202);
    const wrongCount = await template({ template: JSON.stringify({ id: TEMPLATE_ID, params: ['only one'] }) });
    await receiver.waitFor(() => events(receiver).length === 2);
    await sandbox.drain();
    const byId = new Map(events(receiver).map((envelope) => [envelope.payload.id, envelope.payload]));
    for (const id of [unknown.json!.messageId, wrongCount.json!.messageId]) {
      expect(byId.get(id)).toMatchObject({ type: 'failed', payload: { code: 4003 } });
      expect(byId.get(id)).not.toHaveProperty('gsId');
    }
  });

  it('sends media templates with message {type, <type>:{link}} and checks the attachment', async () => {
    const ok = await template({ template: JSON.stringify({ id: MEDIA_TEMPLATE_ID, params: ['Asha'] }), message: JSON.stringify({ type: 'image', image: { link: 'https://cdn.example.com/t.jpg' } }) });
    expect(ok.status).toBe(202);
    expect(sandbox.messages()[0]).toMatchObject({ type: 'image', mediaUrl: 'https://cdn.example.com/t.jpg', outcome: 'read' });
    await template({ template: JSON.stringify({ id: MEDIA_TEMPLATE_ID, params: ['Asha'] }) });
    expect(sandbox.messages()[1]).toMatchObject({ outcome: 'failed', failure: { reason: 'template_mismatch', code: '4003' } });
    const missingLink = await template({ message: JSON.stringify({ type: 'image', image: {} }) });
    expect(missingLink.json).toEqual({ message: 'Invalid Message: message.image.link is required', status: 'error' });
  });

  it('fails a session message outside the 24-hour window asynchronously (enqueued, then failed 470 with gsId)', async () => {
    const answer = await session();
    expect(answer.status).toBe(202);
    await receiver.waitFor(() => events(receiver).length === 2);
    const [enqueued, failed] = events(receiver).map((envelope) => envelope.payload);
    expect(enqueued).toMatchObject({ type: 'enqueued', payload: { type: 'session' } });
    expect(failed).toMatchObject({ type: 'failed', gsId: answer.json!.messageId, payload: { code: 470 } });
  });

  it('answers 429 {"message":"Too Many Requests"} above the account rate limit', async () => {
    sandbox.setKnobs({ rateLimitPerSecond: 2 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => template()));
    const limited = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 202).length).toBeLessThanOrEqual(2);
    expect(limited.length).toBeGreaterThanOrEqual(4);
    expect(limited[0]!.json).toEqual({ message: 'Too Many Requests', status: 'error' });
    expect(sandbox.stats().accounts.demo!.rejected.rate_limited).toBe(limited.length);
  });

  it('keeps the legacy opt-in API as a 202 no-op that posts a user event', async () => {
    const answer = await send('/sm/api/v1/app/opt/in/DemoAPI', { user: '918728374375' });
    expect(answer.status).toBe(202);
    expect(answer.text).toBe('');
    expect((await send('/sm/api/v1/app/opt/in/DemoAPI', { user: '918728374375' }, 'bad')).status).toBe(401);
    expect((await send('/sm/api/v1/app/opt/out/Nope', { user: '918728374375' })).json).toEqual({ message: 'Invalid App Details', status: 'error' });
    await receiver.waitFor(() => events(receiver).length === 1);
    expect(events(receiver)[0]).toMatchObject({ app: 'DemoAPI', version: 2, type: 'user-event', payload: { phone: '918728374375', type: 'opted-in' } });
  });

  it('injects inbound messages (text with context, quick reply) and user events', async () => {
    const sent = await template();
    const gsId = sent.json!.messageId as string;
    await receiver.waitFor(() => events(receiver).length === 4);
    const waId = (events(receiver)[0]!.payload.payload as { whatsappMessageId: string }).whatsappMessageId;
    receiver.requests.length = 0;
    await sandbox.inbound({ account: 'demo', from: '919876543210', name: 'Andy', text: 'Hi', contextId: gsId }).delivery;
    await sandbox.inbound({ account: 'demo', from: '919876543210', type: 'button', buttonText: 'Yes', buttonPayload: 'pb-yes' }).delivery;
    await sandbox.inbound({ account: 'demo', from: '919876543210', type: 'opted-out' }).delivery;
    const [text, button, optOut] = events(receiver);
    expect(text).toMatchObject({
      type: 'message',
      payload: {
        source: '919876543210',
        type: 'text',
        payload: { text: 'Hi' },
        sender: { phone: '919876543210', name: 'Andy', country_code: '91', dial_code: '9876543210' },
        // The quoted message's WhatsApp id is the one its events reported.
        context: { id: waId, gsId },
      },
    });
    expect(button).toMatchObject({ type: 'message', payload: { type: 'quick_reply', payload: { text: 'Yes', type: 'button', postbackText: 'pb-yes' } } });
    expect(optOut).toMatchObject({ type: 'user-event', payload: { phone: '919876543210', type: 'opted-out' } });
  });
});
