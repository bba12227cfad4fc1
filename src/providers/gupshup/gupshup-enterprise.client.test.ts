import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaptureServer } from '../../../test/helpers/http-capture.js';
import type { AttachmentTemplate, GupshupCredentials, ProviderClient, SendResult } from '../provider.js';
import { createProviderClient } from '../provider-client.js';

/** Passwords with characters that need form encoding, to check it on the wire and their absence from raw. */
const CREDENTIALS: GupshupCredentials = {
  mode: 'enterprise',
  notificationUserId: '2000155005',
  notificationPassword: 'n0t&if=pa+ss',
  twoWayUserId: '2000155006',
  twoWayPassword: 'tw0/way%pass',
  appName: 'DemoApp',
  mobileNumber: '+919000000001',
  facebookUrl: 'https://facebook.com/demo',
};

const TEXT_TEMPLATE: AttachmentTemplate = { namespace: 'ABC:order_update', body: 'Hi {{1}}, your order {{2}} is shipped.', language: 'en', attachmentType: 'none' };
const SUCCESS_JSON = '{"response":{"id":"4845032196180770877-390760589280616033","phone":"919876543210","details":"","status":"success"}}';
const AUTH = [
  ['auth_scheme', 'plain'],
  ['v', '1.1'],
  ['format', 'json'],
] as const;

let server: CaptureServer;
let client: ProviderClient;
let url: string;

beforeAll(async () => {
  server = await CaptureServer.start();
  url = `${server.url}/GatewayAPI/rest`;
  client = createProviderClient('gupshup', CREDENTIALS, { gupshupEnterprise: url, gupshupApi: 'http://unused', vonageApi: 'http://unused' }, { httpOptions: { requestTimeoutMs: 300 } });
});
afterEach(() => server.reset());
afterAll(async () => {
  await client.close();
  await server.close();
});

function expectNoSecrets(result: unknown): void {
  const text = JSON.stringify(result);
  for (const secret of [CREDENTIALS.notificationPassword, CREDENTIALS.twoWayPassword, encodeURIComponent(CREDENTIALS.notificationPassword), encodeURIComponent(CREDENTIALS.twoWayPassword)]) {
    expect(text).not.toContain(secret);
  }
}

function template(attachmentType: AttachmentTemplate['attachmentType'] = 'none'): Parameters<ProviderClient['sendTemplate']>[0] {
  return {
    to: '+919876543210',
    template: { ...TEXT_TEMPLATE, attachmentType },
    params: ['Ravi', '123'],
    renderedBody: 'Hi Ravi, your order 123 is shipped.',
    ...(attachmentType === 'none' ? {} : { mediaUrl: `https://cdn.example.com/files/${attachmentType === 'document' ? 'invoice%20May.pdf' : 'a.jpg'}?v=1&x=2` }),
    clientRef: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  };
}

describe('Gupshup Enterprise — what goes on the wire (reference A3–A6)', () => {
  it('sends a text template through the notification account as SendMessage + HSM with the rendered body', async () => {
    server.respondWith({ status: 200, body: SUCCESS_JSON });
    const result = await client.sendTemplate(template());
    const request = server.last();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/GatewayAPI/rest');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.form).toStrictEqual([
      ['method', 'SendMessage'],
      ['userid', '2000155005'],
      ['password', 'n0t&if=pa+ss'],
      ...AUTH,
      ['send_to', '919876543210'],
      ['msg_type', 'HSM'],
      ['isHSM', 'true'],
      ['msg', 'Hi Ravi, your order 123 is shipped.'],
      ['extra', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'],
    ]);
    // Exact bytes: spaces as %20 like the documented sample, reserved characters escaped.
    expect(request.body).toBe(
      'method=SendMessage&userid=2000155005&password=n0t%26if%3Dpa%2Bss&auth_scheme=plain&v=1.1&format=json&send_to=919876543210&msg_type=HSM&isHSM=true&msg=Hi%20Ravi%2C%20your%20order%20123%20is%20shipped.&extra=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    );
    expect(result).toStrictEqual({
      ok: true,
      providerMessageId: '4845032196180770877-390760589280616033',
      raw: {
        request: { method: 'POST', url, body: request.body.replace('n0t%26if%3Dpa%2Bss', '%5Bredacted%5D') },
        response: { status: 200, body: SUCCESS_JSON },
      },
    });
    expectNoSecrets(result);
  });

  it.each([
    ['image', 'IMAGE'],
    ['video', 'VIDEO'],
  ] as const)('sends an %s template as SendMediaMessage with media_url and the body as caption', async (type, msgType) => {
    server.respondWith({ status: 200, body: SUCCESS_JSON });
    expect(await client.sendTemplate(template(type))).toMatchObject({ ok: true });
    expect(server.last().form).toStrictEqual([
      ['method', 'SendMediaMessage'],
      ['userid', '2000155005'],
      ['password', 'n0t&if=pa+ss'],
      ...AUTH,
      ['send_to', '919876543210'],
      ['msg_type', msgType],
      ['isHSM', 'true'],
      ['media_url', 'https://cdn.example.com/files/a.jpg?v=1&x=2'],
      ['caption', 'Hi Ravi, your order 123 is shipped.'],
      ['extra', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'],
    ]);
    expect(server.last().body).toContain('media_url=https%3A%2F%2Fcdn.example.com%2Ffiles%2Fa.jpg%3Fv%3D1%26x%3D2');
  });

  it('sends a document template with its file name', async () => {
    server.respondWith({ status: 200, body: SUCCESS_JSON });
    await client.sendTemplate(template('document'));
    const form = server.last().form!;
    expect(form).toContainEqual(['msg_type', 'DOCUMENT']);
    expect(form).toContainEqual(['media_url', 'https://cdn.example.com/files/invoice%20May.pdf?v=1&x=2']);
    expect(form.at(-2)).toStrictEqual(['filename', 'invoice May.pdf']);
  });

  it('sends session text through the two-way account as DATA_TEXT', async () => {
    server.respondWith({ status: 200, body: SUCCESS_JSON });
    const result = await client.sendSession({ to: '+919876543210', text: 'Thanks! 50% off + free shipping', clientRef: 'ref-1' });
    expect(server.last().form).toStrictEqual([
      ['method', 'SendMessage'],
      ['userid', '2000155006'],
      ['password', 'tw0/way%pass'],
      ...AUTH,
      ['send_to', '919876543210'],
      ['msg_type', 'DATA_TEXT'],
      ['msg', 'Thanks! 50% off + free shipping'],
      ['extra', 'ref-1'],
    ]);
    expect(server.last().body).toContain('msg=Thanks%21%2050%25%20off%20%2B%20free%20shipping');
    expectNoSecrets(result);
  });

  it.each([
    ['optIn', 'OPT_IN'],
    ['optOut', 'OPT_OUT'],
  ] as const)('%s sends %s with channel=WHATSAPP through the notification account', async (call, method) => {
    server.respondWith({ status: 200, body: '{"response":{"id":"","phone":"919876543210","details":"","status":"success"}}' });
    const result = await client[call]('+919876543210');
    expect(result).toMatchObject({ ok: true });
    expect(server.last().form).toStrictEqual([['method', method], ['userid', '2000155005'], ['password', 'n0t&if=pa+ss'], ...AUTH, ['phone_number', '919876543210'], ['channel', 'WHATSAPP']]);
    expectNoSecrets(result);
  });

  it('refuses a non-E.164 recipient and a media template without mediaUrl without sending anything', async () => {
    expect(await client.sendTemplate({ ...template(), to: '9876543210' })).toMatchObject({ ok: false, outcome: 'not_sent', category: 'invalid_number', retryable: false });
    expect(await client.sendTemplate({ ...template('image'), mediaUrl: undefined })).toMatchObject({ ok: false, outcome: 'not_sent', category: 'invalid_request' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('Gupshup Enterprise — 10-digit numbers (reference §0, A7 error 105)', () => {
  // The gateway reads a 10-digit number as an Indian national number ("an Indian number may be sent
  // as 10 digits"): Singapore's +65 9123 4567 sent as 6591234567 would go to +91 65912 34567.
  it('refuses a 10-digit E.164 number for templates, session messages and opt-in without sending anything', async () => {
    for (const to of ['+6591234567', '+4791234567']) {
      const sent = await client.sendTemplate({ ...template(), to });
      expect(sent).toMatchObject({ ok: false, outcome: 'not_sent', category: 'invalid_number', retryable: false });
      expect(sent.ok === false && sent.detail).toMatch(/10 digits.*Indian/);
      expect(await client.sendSession({ to, text: 'hi' })).toMatchObject({ ok: false, outcome: 'not_sent', category: 'invalid_number', retryable: false });
      expect(await client.optIn(to)).toMatchObject({ ok: false, category: 'invalid_number', retryable: false });
    }
    expect(server.requests).toHaveLength(0);
  });

  it('still sends 11–15-digit numbers (and Indian numbers as 91 + 10 digits)', async () => {
    server.respondWith({ status: 200, body: SUCCESS_JSON });
    expect(await client.sendTemplate({ ...template(), to: '+14155550123' })).toMatchObject({ ok: true });
    expect(server.last().form).toContainEqual(['send_to', '14155550123']);
  });
});

describe('Gupshup Enterprise — reading every documented answer (A6, A7)', () => {
  async function answer(status: number, body: string, headers?: Record<string, string>): Promise<SendResult> {
    server.respondWith({ status, body, ...(headers ? { headers } : {}) });
    return client.sendTemplate(template());
  }

  it('text success line → ok with the id after the last |', async () => {
    expect(await answer(200, 'success | 919876543210 | 4843671605020377110-242097152723471982')).toMatchObject({ ok: true, providerMessageId: '4843671605020377110-242097152723471982' });
  });

  it('multi-number JSON (data.response_messages) → ok', async () => {
    expect(await answer(200, '{"data":{"response_messages":[{"id":"1-2","phone":"919876543210","details":"","status":"success"}]}}')).toMatchObject({ ok: true, providerMessageId: '1-2' });
  });

  it.each([
    // "UNKNOWN ERROR HAS OCCURED, contact support": it may have been queued first, so never retried.
    ['100', 'provider_down', false],
    ['101', 'invalid_request', false],
    ['102', 'auth', false],
    ['103', 'auth', false],
    ['104', 'auth', false],
    ['105', 'invalid_number', false],
    ['106', 'invalid_request', false],
    ['107', 'invalid_request', false],
    ['175', 'auth', false],
    ['999', 'other', false],
  ] as const)('JSON error id %s (HTTP 200) → %s, retryable %s', async (id, category, retryable) => {
    const result = await answer(200, `{"response":{"id":"${id}","phone":"","details":"Reason ${id}.","status":"error"}}`);
    expect(result).toMatchObject({ ok: false, outcome: 'not_sent', category, retryable, code: id });
    expect(result.ok === false && result.outcome === 'not_sent' && result.detail).toBe(`Gupshup error ${id}: Reason ${id}.`);
  });

  it('text error lines in both layouts', async () => {
    expect(await answer(200, 'error | 102 | Authentication failed due to invalid userId or password.')).toMatchObject({ category: 'auth', code: '102', retryable: false });
    expect(await answer(200, 'error | 919876543210 | 105 | Invalid phone number')).toMatchObject({ category: 'invalid_number', code: '105' });
  });

  it('an unnumbered error mentioning the template → template_mismatch', async () => {
    expect(await answer(200, '{"response":{"id":"","phone":"","details":"Template did not match","status":"error"}}')).toMatchObject({ category: 'template_mismatch', retryable: false });
  });

  it('HTTP 200 with an unreadable body, or success without an id → unknown', async () => {
    expect(await answer(200, '<html>maintenance</html>')).toMatchObject({ ok: false, outcome: 'unknown' });
    expect(await answer(200, '{"response":{"id":"","status":"success"}}')).toMatchObject({ ok: false, outcome: 'unknown' });
  });

  it('HTTP 429 → rate_limited with Retry-After; 503 → provider_down retryable; 502/504 → unknown; 401 → auth', async () => {
    expect(await answer(429, '', { 'retry-after': '2' })).toMatchObject({ ok: false, outcome: 'not_sent', category: 'rate_limited', retryable: true, retryAfterMs: 2000 });
    expect(await answer(503, 'down')).toMatchObject({ ok: false, outcome: 'not_sent', category: 'provider_down', retryable: true });
    expect(await answer(502, 'bad gateway')).toMatchObject({ ok: false, outcome: 'unknown' });
    expect(await answer(504, 'gateway timeout')).toMatchObject({ ok: false, outcome: 'unknown' });
    expect(await answer(401, 'unauthorized')).toMatchObject({ ok: false, outcome: 'not_sent', category: 'auth', retryable: false });
  });

  it('a redirect (e.g. http → https; not followed) was not processed → not_sent, not unknown', async () => {
    expect(await answer(301, '', { location: 'https://media.smsgupshup.com/GatewayAPI/rest' })).toMatchObject({ ok: false, outcome: 'not_sent', category: 'invalid_request', retryable: false, code: '301' });
  });

  it('opt-in: 312 (already opted in) is a success; 102 is an auth failure', async () => {
    server.respondWith({ status: 200, body: '{"response":{"id":"312","phone":"919876543210","details":"Duplicate entry","status":"error"}}' });
    expect(await client.optIn('+919876543210')).toMatchObject({ ok: true });
    server.respondWith({ status: 200, body: '{"response":{"id":"102","phone":"","details":"Authentication failed","status":"error"}}' });
    expect(await client.optIn('+919876543210')).toMatchObject({ ok: false, category: 'auth', retryable: false });
  });

  it('a timeout after the request was sent → unknown, never not_sent', async () => {
    server.respondWith({ hang: true });
    expect(await client.sendTemplate(template())).toMatchObject({ ok: false, outcome: 'unknown' });
  });
});
