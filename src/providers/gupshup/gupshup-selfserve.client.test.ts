import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaptureServer } from '../../../test/helpers/http-capture.js';
import type { AttachmentTemplate, GupshupCredentials, ProviderClient, SendResult, TemplateMessage } from '../provider.js';
import { createProviderClient } from '../provider-client.js';
import { selfServeTemplateId } from './gupshup-selfserve.client.js';

const CREDENTIALS: GupshupCredentials = {
  mode: 'selfserve',
  notificationUserId: '',
  notificationPassword: '',
  twoWayUserId: '',
  twoWayPassword: '',
  appName: 'DemoAPI',
  mobileNumber: '+917834811114',
  facebookUrl: '',
  apiKey: 'ss-api-key-0123456789abcdef',
};

let server: CaptureServer;
let client: ProviderClient;

beforeAll(async () => {
  server = await CaptureServer.start();
  client = createProviderClient('gupshup', CREDENTIALS, { gupshupEnterprise: 'http://unused', gupshupApi: `${server.url}/`, vonageApi: 'http://unused' }, { httpOptions: { requestTimeoutMs: 300 } });
});
afterEach(() => server.reset());
afterAll(async () => {
  await client.close();
  await server.close();
});

const SUBMITTED = { status: 202, body: '{"status":"submitted","messageId":"ee4a68a0-1203-4c85-8dc3-49d0b3226a35"}' };

function template(attachmentType: AttachmentTemplate['attachmentType'] = 'none', namespace = 'DEMOAPI:order_update'): TemplateMessage {
  return {
    to: '+919876543210',
    template: { namespace, body: 'Hi {{1}}, order {{2}}', language: 'en', attachmentType },
    params: ['Ravi', 'A&B 12'],
    renderedBody: 'Hi Ravi, order A&B 12',
    ...(attachmentType === 'none' ? {} : { mediaUrl: 'https://cdn.example.com/a/invoice.pdf' }),
    clientRef: 'ref-1',
  };
}

describe('selfServeTemplateId', () => {
  it('takes the name after the colon, restoring hyphens in UUID-shaped names', () => {
    expect(selfServeTemplateId('ABC:welcome_message')).toBe('welcome_message');
    expect(selfServeTemplateId('ABC:c6aecef6_bcb0_4fb1_8100_28c094e3bc6b')).toBe('c6aecef6-bcb0-4fb1-8100-28c094e3bc6b');
    expect(selfServeTemplateId('plain_name')).toBe('plain_name');
  });
});

describe('Gupshup self-serve — what goes on the wire (B1–B3)', () => {
  it('posts a text template to /wa/api/v1/template/msg with apikey and the template JSON', async () => {
    server.respondWith(SUBMITTED);
    const result = await client.sendTemplate(template());
    const request = server.last();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/wa/api/v1/template/msg');
    expect(request.headers.apikey).toBe('ss-api-key-0123456789abcdef');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.form).toStrictEqual([
      ['channel', 'whatsapp'],
      ['source', '917834811114'],
      ['src.name', 'DemoAPI'],
      ['destination', '919876543210'],
      ['template', '{"id":"order_update","params":["Ravi","A&B 12"]}'],
    ]);
    expect(request.body).toContain('template=%7B%22id%22%3A%22order_update%22%2C%22params%22%3A%5B%22Ravi%22%2C%22A%26B%2012%22%5D%7D');
    expect(result).toStrictEqual({
      ok: true,
      providerMessageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35',
      raw: { request: { method: 'POST', url: `${server.url}/wa/api/v1/template/msg`, body: request.body }, response: { status: 202, body: SUBMITTED.body } },
    });
    expect(JSON.stringify(result)).not.toContain(CREDENTIALS.apiKey);
  });

  it.each([
    ['image', '{"type":"image","image":{"link":"https://cdn.example.com/a/invoice.pdf"}}'],
    ['video', '{"type":"video","video":{"link":"https://cdn.example.com/a/invoice.pdf"}}'],
    ['document', '{"type":"document","document":{"link":"https://cdn.example.com/a/invoice.pdf","filename":"invoice.pdf"}}'],
  ] as const)('adds the message JSON for a %s template', async (type, message) => {
    server.respondWith(SUBMITTED);
    await client.sendTemplate(template(type));
    expect(server.last().form!.slice(4)).toStrictEqual([
      ['template', '{"id":"order_update","params":["Ravi","A&B 12"]}'],
      ['message', message],
    ]);
  });

  it('posts session text to /wa/api/v1/msg', async () => {
    server.respondWith(SUBMITTED);
    await client.sendSession({ to: '+919876543210', text: 'Hello + welcome', clientRef: 'r' });
    const request = server.last();
    expect(request.path).toBe('/wa/api/v1/msg');
    expect(request.headers.apikey).toBe('ss-api-key-0123456789abcdef');
    expect(request.form).toStrictEqual([
      ['channel', 'whatsapp'],
      ['source', '917834811114'],
      ['src.name', 'DemoAPI'],
      ['destination', '919876543210'],
      ['message', '{"type":"text","text":"Hello + welcome"}'],
    ]);
  });

  it('opt-in and opt-out are no-ops that send nothing (deprecated by Gupshup)', async () => {
    expect(await client.optIn('+919876543210')).toStrictEqual({ ok: true, raw: null });
    expect(await client.optOut('+919876543210')).toStrictEqual({ ok: true, raw: null });
    expect(server.requests).toHaveLength(0);
  });

  it('refuses to send without an API key', async () => {
    const noKey = createProviderClient('gupshup', { ...CREDENTIALS, apiKey: undefined }, { gupshupEnterprise: '', gupshupApi: server.url, vonageApi: '' });
    expect(await noKey.sendTemplate(template())).toMatchObject({ ok: false, outcome: 'not_sent', category: 'auth', retryable: false });
    expect(server.requests).toHaveLength(0);
    await noKey.close();
  });
});

describe('Gupshup self-serve — reading every documented answer (B4)', () => {
  async function answer(status: number, body: string, headers?: Record<string, string>): Promise<SendResult> {
    server.respondWith({ status, body, ...(headers ? { headers } : {}) });
    return client.sendTemplate(template());
  }

  it('2xx with messageId → ok, whether status says submitted or success, whatever the content type', async () => {
    expect(await answer(200, '{"status":"success","messageId":"m-2"}', { 'content-type': 'text/html' })).toMatchObject({ ok: true, providerMessageId: 'm-2' });
  });

  it.each([
    [401, '{"message":"Authentication Failed","status":"error"}', 'auth'],
    [400, '{"message":"Invalid App Details","status":"error"}', 'auth'],
    [400, '{"message":"Invalid Destination","status":"error"}', 'invalid_number'],
    [400, '{"message":"Template Not Found","status":"error"}', 'template_mismatch'],
    [400, '{"message":"Something else","status":"error"}', 'invalid_request'],
  ] as const)('HTTP %s %s → %s, not retryable', async (status, body, category) => {
    expect(await answer(status, body)).toMatchObject({ ok: false, outcome: 'not_sent', category, retryable: false, code: String(status) });
  });

  it('429 → rate_limited, retryable, with Retry-After when present', async () => {
    expect(await answer(429, '{"message":"Too Many Requests","status":"error"}', { 'retry-after': '1' })).toMatchObject({ category: 'rate_limited', retryable: true, retryAfterMs: 1000 });
    const withoutHeader = await answer(429, '{"message":"Too Many Requests","status":"error"}');
    expect(withoutHeader).toMatchObject({ category: 'rate_limited', retryable: true });
    expect(withoutHeader).not.toHaveProperty('retryAfterMs');
  });

  it('500 → provider_down retryable; 2xx without a messageId → unknown; a reset socket → unknown', async () => {
    expect(await answer(500, '{"message":"Internal Server Error","status":"error"}')).toMatchObject({ outcome: 'not_sent', category: 'provider_down', retryable: true });
    expect(await answer(202, '{"status":"submitted"}')).toMatchObject({ ok: false, outcome: 'unknown' });
    server.respondWith({ reset: true });
    expect(await client.sendSession({ to: '+919876543210', text: 'x' })).toMatchObject({ ok: false, outcome: 'unknown' });
  });
});
