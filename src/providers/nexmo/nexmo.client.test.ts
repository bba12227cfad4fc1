import { generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaptureServer } from '../../../test/helpers/http-capture.js';
import type { AttachmentTemplate, NexmoCredentials, ProviderClient, SendResult, TemplateMessage } from '../provider.js';
import { createProviderClient } from '../provider-client.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const CREDENTIALS: NexmoCredentials = {
  applicationId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
  privateKey: PEM,
  apiKey: 'aaa012',
  apiSecret: 'abc123456789',
  signatureSecret: 'sig-secret',
  whatsappNumber: '+447700900001',
};

let server: CaptureServer;
let now = 1_738_584_865_000;
const clients: ProviderClient[] = [];

function makeClient(credentials: NexmoCredentials = CREDENTIALS, jwtReuseMs?: number): ProviderClient {
  const client = createProviderClient(
    'nexmo',
    credentials,
    { gupshupEnterprise: '', gupshupApi: '', vonageApi: server.url },
    { httpOptions: { requestTimeoutMs: 300 }, now: () => now, ...(jwtReuseMs === undefined ? {} : { jwtReuseMs }) },
  );
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await CaptureServer.start();
});
afterEach(() => server.reset());
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

const ACCEPTED = { status: 202, body: '{"message_uuid":"aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab"}' };

function template(attachmentType: AttachmentTemplate['attachmentType'] = 'none', language = 'en-GB'): TemplateMessage {
  return {
    to: '+447700900000',
    template: { namespace: 'ABC:verify_code', body: '{{1}} code: {{2}}', language, attachmentType },
    params: ['Vonage Verification', '64873'],
    renderedBody: 'Vonage Verification code: 64873',
    ...(attachmentType === 'none' ? {} : { mediaUrl: 'https://example.com/media/file.pdf' }),
    clientRef: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  };
}

function decodeJwt(authorization: string | undefined): { header: unknown; claims: Record<string, unknown>; valid: boolean } {
  const token = (authorization ?? '').replace(/^Bearer /, '');
  const [h, c, s] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as unknown,
    claims: JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>,
    valid: verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url')),
  };
}

describe('Vonage — what goes on the wire (§1–§4)', () => {
  it('posts a text template to /v1/messages with namespace:name, string parameters and an RS256 JWT', async () => {
    server.respondWith(ACCEPTED);
    const result = await makeClient().sendTemplate(template());
    const request = server.last();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/messages');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.accept).toBe('application/json');
    const jwt = decodeJwt(request.headers.authorization);
    expect(jwt.valid).toBe(true);
    expect(jwt.header).toStrictEqual({ alg: 'RS256', typ: 'JWT' });
    expect(jwt.claims).toMatchObject({ application_id: CREDENTIALS.applicationId, iat: now / 1000, exp: now / 1000 + 900 });
    expect(JSON.parse(request.body)).toStrictEqual({
      to: '447700900000',
      from: '447700900001',
      channel: 'whatsapp',
      message_type: 'template',
      template: { name: 'ABC:verify_code', parameters: ['Vonage Verification', '64873'] },
      whatsapp: { policy: 'deterministic', locale: 'en_GB' },
      client_ref: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    });
    expect(result).toStrictEqual({ ok: true, providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab', raw: { request: { method: 'POST', url: `${server.url}/v1/messages`, body: request.body }, response: { status: 202, body: ACCEPTED.body } } });
    const text = JSON.stringify(result);
    for (const secret of [CREDENTIALS.apiSecret, 'Bearer', 'PRIVATE KEY']) expect(text).not.toContain(secret);
  });

  it.each([
    ['image', { type: 'image', image: { link: 'https://example.com/media/file.pdf' } }],
    ['video', { type: 'video', video: { link: 'https://example.com/media/file.pdf' } }],
    ['document', { type: 'document', document: { link: 'https://example.com/media/file.pdf', filename: 'file.pdf' } }],
  ] as const)('sends an %s template as a custom WhatsApp template with header and body components', async (type, media) => {
    server.respondWith(ACCEPTED);
    await makeClient().sendTemplate(template(type));
    expect(JSON.parse(server.last().body)).toStrictEqual({
      to: '447700900000',
      from: '447700900001',
      channel: 'whatsapp',
      message_type: 'custom',
      custom: {
        type: 'template',
        template: {
          namespace: 'ABC',
          name: 'verify_code',
          language: { policy: 'deterministic', code: 'en_GB' },
          components: [
            { type: 'header', parameters: [media] },
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Vonage Verification' },
                { type: 'text', text: '64873' },
              ],
            },
          ],
        },
      },
      client_ref: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    });
  });

  it('omits parameters for a template without placeholders', async () => {
    server.respondWith(ACCEPTED);
    await makeClient().sendTemplate({ ...template(), params: [], renderedBody: 'Welcome!' });
    expect(JSON.parse(server.last().body).template).toStrictEqual({ name: 'ABC:verify_code' });
  });

  it('sends session text', async () => {
    server.respondWith(ACCEPTED);
    await makeClient().sendSession({ to: '+447700900000', text: 'Hello From Vonage!' });
    expect(JSON.parse(server.last().body)).toStrictEqual({ to: '447700900000', from: '447700900001', channel: 'whatsapp', message_type: 'text', text: 'Hello From Vonage!' });
  });

  it('sends to a WhatsApp user id as it is (v1.20: a user who did not share their number)', async () => {
    server.respondWith(ACCEPTED);
    await makeClient().sendSession({ to: 'US.13491208655302741918', text: 'Hi' });
    expect(JSON.parse(server.last().body)).toMatchObject({ to: 'US.13491208655302741918', message_type: 'text' });
    expect(await makeClient().sendSession({ to: 'US.1349 1208', text: 'x' })).toMatchObject({ outcome: 'not_sent', category: 'invalid_number', detail: expect.stringMatching(/or a WhatsApp user id/) });
  });

  it('uses Basic base64(apiKey:apiSecret) without an application id and private key', async () => {
    server.respondWith(ACCEPTED);
    await makeClient({ ...CREDENTIALS, applicationId: '', privateKey: '' }).sendSession({ to: '+447700900000', text: 'x' });
    expect(server.last().headers.authorization).toBe('Basic YWFhMDEyOmFiYzEyMzQ1Njc4OQ==');
  });

  it('reuses a JWT within jwtReuseMs and signs a new one after', async () => {
    const client = makeClient(CREDENTIALS, 60_000);
    server.setResponder(() => ACCEPTED);
    await client.sendSession({ to: '+447700900000', text: 'a' });
    await client.sendSession({ to: '+447700900000', text: 'b' });
    now += 60_000;
    await client.sendSession({ to: '+447700900000', text: 'c' });
    const [a, b, c] = server.requests.map((r) => r.headers.authorization);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(decodeJwt(c).claims.iat).toBe(now / 1000);
  });

  it('refuses locally: a bad private key, no credentials, a client_ref over 40 characters, a non-E.164 number', async () => {
    expect(await makeClient({ ...CREDENTIALS, privateKey: 'garbage' }).sendSession({ to: '+447700900000', text: 'x' })).toMatchObject({ outcome: 'not_sent', category: 'auth', retryable: false });
    expect(await makeClient({ ...CREDENTIALS, applicationId: '', apiSecret: '' }).sendSession({ to: '+447700900000', text: 'x' })).toMatchObject({ outcome: 'not_sent', category: 'auth' });
    expect(await makeClient().sendSession({ to: '+447700900000', text: 'x', clientRef: 'r'.repeat(41) })).toMatchObject({ outcome: 'not_sent', category: 'invalid_request' });
    expect(await makeClient().sendSession({ to: '447700900000', text: 'x' })).toMatchObject({ outcome: 'not_sent', category: 'invalid_number' });
    expect(server.requests).toHaveLength(0);
  });

  it('opt-in and opt-out are no-ops', async () => {
    expect(await makeClient().optIn('+447700900000')).toStrictEqual({ ok: true, raw: null });
    expect(await makeClient().optOut('+447700900000')).toStrictEqual({ ok: true, raw: null });
    expect(server.requests).toHaveLength(0);
  });
});

describe('Vonage — reading every documented answer (§5)', () => {
  const problem = (status: number, body: object, headers: Record<string, string> = {}) => ({ status, body: JSON.stringify(body), headers: { 'content-type': 'application/problem+json', ...headers } });

  async function answer(response: { status: number; body: string; headers?: Record<string, string> }): Promise<SendResult> {
    server.respondWith(response);
    return makeClient().sendTemplate(template());
  }

  it.each([
    ['401 missing credentials', problem(401, { type: 'https://developer.vonage.com/api-errors/#unathorized', title: "You did not provide correct credentials.", detail: "Check that you're using the correct credentials" }), 'auth'],
    ['401 unprovisioned', problem(401, { type: 'https://developer.vonage.com/api-errors/#unprovisioned', title: 'The crendentials provided do not have access to the requested product' }), 'auth'],
    ['402 low balance', problem(402, { type: 'https://developer.nexmo.com/api-errors/#low-balance', title: 'Low balance', detail: 'This request could not be performed due to your account balance being low.' }), 'insufficient_funds'],
    ['422 invalid recipient', problem(422, { type: 'https://developer.vonage.com/api-errors/messages#110', title: 'Invalid recipient', detail: 'The `to` parameter is invalid for the given channel.' }), 'invalid_number'],
    ['422 invalid params on to', problem(422, { type: 'https://developer.vonage.com/api-errors/messages#1150', title: 'Invalid params', invalid_parameters: [{ name: 'to', reason: 'must be a number' }] }), 'invalid_number'],
    ['422 invalid media URL', problem(422, { type: 'https://developer.vonage.com/api-errors/messages#1150', title: 'Invalid params', detail: 'The value of one or more parameters is invalid.', invalid_parameters: [{ name: 'image.url', reason: 'is required.' }] }), 'media'],
    ['422 invalid template name', problem(422, { type: 'https://developer.vonage.com/api-errors/messages#1150', title: 'Invalid params', invalid_parameters: [{ name: 'template.name', reason: 'is invalid' }] }), 'template_mismatch'],
    ['422 invalid locale', problem(422, { title: 'Invalid channel parameters', invalid_parameters: [{ name: 'whatsapp.locale', reason: 'is invalid' }] }), 'template_mismatch'],
    ['422 invalid sender', problem(422, { type: 'https://developer.vonage.com/api-errors/messages#1120', title: 'Invalid sender', detail: 'The `from` parameter is invalid for the given channel.' }), 'invalid_request'],
    ['422 invalid JSON', problem(422, { type: 'https://developer.vonage.com/api-errors#invalid-json', title: 'The request body did not contain valid JSON' }), 'invalid_request'],
    ['422 client reference', problem(422, { type: 'https://developer.vonage.com/api-errors/messages#1060', title: 'Invalid client reference' }), 'invalid_request'],
    ['400 v0.1 invalid parameters', problem(400, { type: 'https://www.nexmo.com/messages/Errors#InvalidParams', title: 'Invalid Parameters', detail: 'Your request parameters did not validate.' }), 'invalid_request'],
    ['404', problem(404, { title: 'Not found' }), 'invalid_request'],
  ] as const)('%s → %s, not retryable', async (_label, response, category) => {
    expect(await answer(response)).toMatchObject({ ok: false, outcome: 'not_sent', category, retryable: false });
  });

  it('keeps the title, detail and invalid parameters in the detail', async () => {
    const result = await answer(problem(422, { type: 'https://developer.vonage.com/api-errors/messages#1150', title: 'Invalid params', detail: 'The value of one or more parameters is invalid.', invalid_parameters: [{ name: 'image.url', reason: 'is required.' }] }));
    expect(result).toMatchObject({ code: '1150', detail: 'Vonage HTTP 422: Invalid params — The value of one or more parameters is invalid. (image.url is required.)' });
  });

  it('429 → rate_limited, retryable, Retry-After seconds → retryAfterMs', async () => {
    expect(await answer(problem(429, { title: 'Rate Limit Hit', detail: 'Please wait, then retry your request' }, { 'retry-after': '15', 'x-ratelimit-limit': '30' }))).toMatchObject({
      ok: false,
      outcome: 'not_sent',
      category: 'rate_limited',
      retryable: true,
      retryAfterMs: 15_000,
    });
  });

  it('Retry-After as an HTTP date', async () => {
    const date = new Date(now + 5_000).toUTCString();
    expect(await answer(problem(429, { title: 'Rate Limit Hit' }, { 'retry-after': date }))).toMatchObject({ retryAfterMs: 5_000 });
  });

  it('500 → provider_down retryable; 202 without message_uuid → unknown; timeout after sending → unknown', async () => {
    expect(await answer(problem(500, { title: 'Internal error', detail: 'There was an error processing your request in the Platform.' }))).toMatchObject({ outcome: 'not_sent', category: 'provider_down', retryable: true });
    expect(await answer({ status: 202, body: '{}' })).toMatchObject({ ok: false, outcome: 'unknown' });
    server.respondWith({ hang: true });
    expect(await makeClient().sendSession({ to: '+447700900000', text: 'x' })).toMatchObject({ ok: false, outcome: 'unknown' });
  });
});
