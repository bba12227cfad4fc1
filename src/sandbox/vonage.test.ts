import { createHash, createHmac, generateKeyPairSync, randomUUID, sign, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './sandbox.server.js';
import { startCallbackReceiver, type CallbackReceiver, type ReceivedRequest } from '../../test/helpers/callback-receiver.js';

const APP_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab';
const API_KEY = 'a1b2c3d';
const API_SECRET = 'abc123456789';
const SIGNATURE_SECRET = 'signature-secret-for-webhooks-0001';
const NUMBER = '447700900001';
const USER = '447700900000';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** An application JWT exactly as the Vonage SDKs make it: RS256 over application_id, iat, jti, exp. */
function appJwt(claims: Record<string, unknown> = {}, key = privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ application_id: APP_ID, iat: now, jti: randomUUID(), exp: now + 900, ...claims })).toString('base64url');
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

const basic = `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`;

/** The receiving side's check of a signed webhook: HS256 with the signature secret, and the body hash. */
function verifySignedWebhook(request: ReceivedRequest): Record<string, unknown> {
  const authorization = request.headers.authorization;
  expect(authorization).toMatch(/^Bearer /);
  const [header, payload, signature] = authorization!.slice('Bearer '.length).split('.');
  expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
  const expected = createHmac('sha256', SIGNATURE_SECRET).update(`${header}.${payload}`).digest();
  expect(timingSafeEqual(expected, Buffer.from(signature!, 'base64url'))).toBe(true);
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  expect(claims).toMatchObject({ iss: 'Vonage', api_key: API_KEY, application_id: APP_ID });
  expect(claims.payload_hash).toBe(createHash('sha256').update(request.body).digest('hex'));
  expect(typeof claims.iat).toBe('number');
  expect(claims.jti).toMatch(UUID_V4);
  return JSON.parse(request.body) as Record<string, unknown>;
}

describe('sandbox: Vonage Messages API', () => {
  let sandbox: Sandbox;
  let receiver: CallbackReceiver;

  const send = async (path: string, body: unknown, authorization: string | null = `Bearer ${appJwt()}`) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (authorization !== null) headers.authorization = authorization;
    const response = await fetch(`${sandbox.env.VONAGE_API_URL}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), headers: response.headers, json: JSON.parse(text) as Record<string, unknown> };
  };
  const templateV1 = (changes: Record<string, unknown> = {}) => ({
    to: USER,
    from: NUMBER,
    channel: 'whatsapp',
    message_type: 'template',
    whatsapp: { policy: 'deterministic', locale: 'en-GB' },
    template: { name: 'ACME:verify', parameters: [{ default: 'Vonage Verification' }, '64873', { default: '10' }] },
    client_ref: 'campaign-7',
    ...changes,
  });
  const statuses = () => receiver.on('/status').map((request) => JSON.parse(request.body) as Record<string, unknown>);

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
    sandbox = await startSandbox({
      knobs: { dlrDelayMs: [1, 5], readShare: 1, callbackRetries: 0 },
      accounts: [
        {
          provider: 'vonage',
          id: 'nexmo',
          apiKey: API_KEY,
          apiSecret: API_SECRET,
          applicationId: APP_ID,
          publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          signatureSecret: SIGNATURE_SECRET,
          whatsappNumber: NUMBER,
          namespace: 'ACME',
          statusUrl: `${receiver.url}/status`,
          inboundUrl: `${receiver.url}/inbound`,
          templates: [
            { name: 'ACME:verify', body: '{{1}} code: {{2}}. Valid for {{3}} minutes.', language: 'en_GB' },
            { name: 'ACME:ticket', body: 'Your ticket, {{1}}.', attachment: 'image' },
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
    await sandbox.drain();
    receiver.requests.length = 0;
    sandbox.setKnobs({ readShare: 1, burst429Share: 0, down: 'off', notOnWhatsApp: [] });
  });

  it('accepts a v1 template send with a JWT: 202 {"message_uuid"}, namespace:name and {default} parameters', async () => {
    const answer = await send('/v1/messages', templateV1());
    expect(answer.status).toBe(202);
    expect(Object.keys(answer.json)).toEqual(['message_uuid']);
    expect(answer.json.message_uuid).toMatch(UUID_V4);
    expect(sandbox.messages()[0]).toMatchObject({
      provider: 'vonage',
      kind: 'template',
      namespace: 'ACME',
      template: 'verify',
      params: ['Vonage Verification', '64873', '10'],
      body: 'Vonage Verification code: 64873. Valid for 10 minutes.',
      clientRef: 'campaign-7',
      outcome: 'read',
    });
  });

  it('accepts Basic auth (API key and secret) too', async () => {
    const answer = await send('/v1/messages', templateV1({ template: { name: 'verify', parameters: ['a', 'b', 'c'] } }), basic);
    expect(answer.status).toBe(202);
  });

  it.each([
    ['no Authorization header', null],
    ['a wrong API secret', `Basic ${Buffer.from(`${API_KEY}:wrong`).toString('base64')}`],
    ['an expired JWT', `Bearer ${appJwt({ iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 1800 })}`],
    ['a JWT without jti', `Bearer ${appJwt({ jti: undefined })}`],
    // Vonage: exp at least 30 s and at most 24 h after generation (§2).
    ['a JWT living less than 30 s', `Bearer ${appJwt({ exp: Math.floor(Date.now() / 1000) + 20 })}`],
    ['a JWT living more than 24 h', `Bearer ${appJwt({ exp: Math.floor(Date.now() / 1000) + 24 * 3600 + 60 })}`],
    ['a JWT without iat', `Bearer ${appJwt({ iat: undefined })}`],
    ['a JWT signed with another key', `Bearer ${appJwt({}, other.privateKey)}`],
    ['a JWT for an unknown application', `Bearer ${appJwt({ application_id: 'ffffffff-0000-4000-8000-000000000000' })}`],
    ['an HS256 JWT', `Bearer ${appJwt().replace(/^[^.]+/, Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'))}`],
  ])('refuses %s with 401 problem+json', async (_name, authorization) => {
    const answer = await send('/v1/messages', templateV1(), authorization);
    expect(answer.status).toBe(401);
    expect(answer.type).toBe('application/problem+json');
    expect(answer.json).toMatchObject({
      type: 'https://developer.vonage.com/api-errors/#unathorized',
      title: 'You did not provide correct credentials.',
      detail: "Check that you're using the correct credentials, and that your account has this feature enabled",
    });
    expect(answer.json.instance).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.headers.get('x-sandbox-reason')).toBeTruthy();
  });

  it.each([
    ['invalid JSON', '{"to": ', 'https://developer.vonage.com/api-errors#invalid-json', undefined],
    ['an unsupported channel', { ...templateV1(), channel: 'sms' }, 'https://developer.vonage.com/api-errors/messages#1100', 'channel'],
    ['an unknown message_type', { ...templateV1(), message_type: 'carousel' }, 'https://developer.vonage.com/api-errors/messages#1140', 'message_type'],
    ['a "+" in to', { ...templateV1(), to: '+447700900000' }, 'https://developer.vonage.com/api-errors/messages#1130', 'to'],
    ['a from that is not the application number', { ...templateV1(), from: '447700900999' }, 'https://developer.vonage.com/api-errors/messages#1120', 'from'],
    ['no locale', { ...templateV1(), whatsapp: { policy: 'deterministic' } }, 'https://developer.vonage.com/api-errors/messages#1110', 'whatsapp.locale'],
    ['the fallback policy', { ...templateV1(), whatsapp: { policy: 'fallback', locale: 'en' } }, 'https://developer.vonage.com/api-errors/messages#1110', 'whatsapp.policy'],
    ['a number parameter', { ...templateV1(), template: { name: 'ACME:verify', parameters: ['a', 2, 'c'] } }, 'https://developer.vonage.com/api-errors/messages#1150', 'template.parameters[1]'],
    ['an image without url', { to: USER, from: NUMBER, channel: 'whatsapp', message_type: 'image', image: { caption: 'x' } }, 'https://developer.vonage.com/api-errors/messages#1150', 'image.url'],
    ['an empty text', { to: USER, from: NUMBER, channel: 'whatsapp', message_type: 'text', text: '' }, 'https://developer.vonage.com/api-errors/messages#1150', 'text'],
    ['a client_ref over 100 characters', { ...templateV1(), client_ref: 'x'.repeat(101) }, 'https://developer.vonage.com/api-errors/messages#1060', 'client_ref'],
  ])('answers %s with 422 naming the parameter', async (_name, body, type, parameter) => {
    const answer = await send('/v1/messages', body);
    expect(answer.status).toBe(422);
    expect(answer.type).toBe('application/problem+json');
    expect(answer.json.type).toBe(type);
    if (parameter) expect(answer.json.invalid_parameters).toEqual([expect.objectContaining({ name: parameter })]);
    expect(sandbox.messages()).toHaveLength(0);
  });

  it('accepts the v0.1 shape (to/from objects, message.content, message.whatsapp) and answers its validation errors with 400', async () => {
    const body = {
      from: { type: 'whatsapp', number: NUMBER },
      to: { type: 'whatsapp', number: USER },
      message: {
        content: { type: 'template', template: { name: 'ACME:verify', parameters: [{ default: 'Vonage Verification' }, { default: '64873' }, { default: '10' }] } },
        whatsapp: { policy: 'deterministic', locale: 'en-GB' },
      },
    };
    const answer = await send('/v0.1/messages', body, basic);
    expect(answer.status).toBe(202);
    expect(answer.json.message_uuid).toMatch(UUID_V4);
    expect(sandbox.messages()[0]).toMatchObject({ template: 'verify', params: ['Vonage Verification', '64873', '10'] });
    const noLocale = await send('/v0.1/messages', { ...body, message: { ...body.message, whatsapp: { policy: 'deterministic' } } });
    expect(noLocale.status).toBe(400);
    expect(noLocale.json).toMatchObject({
      type: 'https://www.nexmo.com/messages/Errors#InvalidParams',
      title: 'Invalid Parameters',
      detail: 'Your request parameters did not validate.',
      invalid_parameters: [{ name: 'message.whatsapp.locale', reason: 'is required.' }],
    });
    const clientRef = await send('/v0.1/messages', { ...body, client_ref: 'x'.repeat(41) });
    expect(clientRef.status).toBe(400);
  });

  it('posts signed v1 status webhooks submitted → delivered → read, echoing client_ref', async () => {
    const answer = await send('/v1/messages', templateV1());
    await receiver.waitFor(() => receiver.on('/status').length === 3);
    const bodies = receiver.on('/status').map(verifySignedWebhook);
    expect(bodies.map((body) => body.status)).toEqual(['submitted', 'delivered', 'read']);
    for (const body of bodies) {
      expect(body).toMatchObject({ message_uuid: answer.json.message_uuid, to: USER, from: NUMBER, channel: 'whatsapp', client_ref: 'campaign-7' });
      expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    expect(bodies[1]).toHaveProperty('usage.currency', 'EUR');
    // Delivered statuses name the recipient by WhatsApp user id (business-scoped) and number (v1.20).
    expect(bodies[1]).toHaveProperty('whatsapp.recipient', { user_id: expect.stringMatching(/^[A-Z]{2}\.\d{20}$/), wa_id: USER });
    expect(bodies[0]).not.toHaveProperty('whatsapp');
  });

  it('uses the v0.1 status shape when the message asks for webhook_version v0.1', async () => {
    await send('/v1/messages', templateV1({ webhook_version: 'v0.1' }));
    await receiver.waitFor(() => receiver.on('/status').length === 3);
    const first = verifySignedWebhook(receiver.on('/status')[0]!);
    expect(first).toMatchObject({ to: { type: 'whatsapp', number: USER }, from: { type: 'whatsapp', number: NUMBER }, status: 'submitted', client_ref: 'campaign-7' });
  });

  it('rejects templates outside the namespace or with the wrong parameter count with error 1022 (v1 and v0.1 error shapes)', async () => {
    await send('/v1/messages', templateV1({ template: { name: 'OTHER:verify', parameters: ['a', 'b', 'c'] } }));
    await send('/v1/messages', templateV1({ template: { name: 'ACME:verify', parameters: ['a'] }, webhook_version: 'v0.1' }));
    await receiver.waitFor(() => receiver.on('/status').length === 4);
    const failures = statuses().filter((body) => body.status === 'rejected');
    expect(failures).toHaveLength(2);
    const v1 = failures.find((body) => typeof body.to === 'string')!;
    expect(v1.error).toMatchObject({ type: 'https://developer.vonage.com/api-errors/messages#1022', title: '1022' });
    const v01 = failures.find((body) => typeof body.to === 'object')!;
    expect(v01.error).toMatchObject({ code: 1022, reason: expect.any(String) });
  });

  it('rejects free-form text outside the 24-hour window (1340) and delivers it after an inbound message', async () => {
    const text = { to: USER, from: NUMBER, channel: 'whatsapp', message_type: 'text', text: 'Hello' };
    await send('/v1/messages', text);
    await receiver.waitFor(() => statuses().some((body) => body.status === 'rejected'));
    expect(statuses().find((body) => body.status === 'rejected')!.error).toMatchObject({ title: '1340' });
    await sandbox.inbound({ account: 'nexmo', from: USER, text: 'hi' }).delivery;
    const answer = await send('/v1/messages', text);
    await receiver.waitFor(() => statuses().some((body) => body.message_uuid === answer.json.message_uuid && body.status === 'read'));
  });

  it('rejects numbers that are not on WhatsApp with 1300', async () => {
    sandbox.setKnobs({ notOnWhatsApp: [USER] });
    await send('/v1/messages', templateV1());
    await receiver.waitFor(() => statuses().length === 2);
    expect(statuses()[1]).toMatchObject({ status: 'rejected', error: { title: '1300' } });
  });

  it('answers 429 "Rate Limit Hit" with Retry-After, and 500 or a reset when down', async () => {
    sandbox.setKnobs({ burst429Share: 1 });
    const limited = await send('/v1/messages', templateV1());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.json).toMatchObject({ title: 'Rate Limit Hit', detail: 'Please wait, then retry your request' });
    sandbox.setKnobs({ burst429Share: 0, down: '5xx' });
    const down = await send('/v1/messages', templateV1());
    expect(down.status).toBe(500);
    expect(down.json).toMatchObject({ title: 'Internal error' });
    sandbox.setKnobs({ down: 'reset' });
    await expect(send('/v1/messages', templateV1())).rejects.toThrow();
    expect(sandbox.messages()).toHaveLength(0);
  });

  it('posts signed inbound messages (v1) with profile and context', async () => {
    const answer = await send('/v1/messages', templateV1());
    const result = sandbox.inbound({ account: 'nexmo', from: USER, name: 'Jane Smith', text: 'Yes please', contextId: answer.json.message_uuid as string });
    expect(await result.delivery).toMatchObject({ delivered: true });
    const body = verifySignedWebhook(receiver.on('/inbound')[0]!);
    expect(body).toMatchObject({
      channel: 'whatsapp',
      message_uuid: result.id,
      to: NUMBER,
      from: USER,
      message_type: 'text',
      text: 'Yes please',
      profile: { name: 'Jane Smith' },
      context_status: 'available',
      context: { message_uuid: answer.json.message_uuid, message_from: NUMBER },
    });
    await sandbox.inbound({ account: 'nexmo', from: USER, type: 'button', buttonText: 'Stop', buttonPayload: 'STOP' }).delivery;
    expect(verifySignedWebhook(receiver.on('/inbound')[1]!)).toMatchObject({ message_type: 'button', button: { payload: 'STOP', text: 'Stop' }, context_status: 'none' });
  });

  it('sends a user with a username as their WhatsApp user id, the one delivered statuses name them by; with or without their number', async () => {
    await send('/v1/messages', templateV1());
    await receiver.waitFor(() => receiver.on('/status').length === 3);
    const userId = (verifySignedWebhook(receiver.on('/status')[1]!).whatsapp as { recipient: { user_id: string } }).recipient.user_id;
    await sandbox.inbound({ account: 'nexmo', from: USER, text: 'hi', username: true }).delivery;
    await sandbox.inbound({ account: 'nexmo', from: USER, text: 'STOP', username: true, hidePhone: true }).delivery;
    const [shared, hidden] = receiver.on('/inbound').map(verifySignedWebhook);
    expect(shared).toMatchObject({ from: userId, whatsapp: { sender: { user_id: userId, wa_id: USER } }, profile: { username: expect.any(String) } });
    expect(hidden).toMatchObject({ from: userId, text: 'STOP', whatsapp: { sender: { user_id: userId } } });
    expect(hidden).not.toHaveProperty('whatsapp.sender.wa_id');
    expect(() => sandbox.inbound({ account: 'nexmo', from: USER, text: 'x', hidePhone: true })).toThrow(/hidePhone: needs username/);

    // Answered at the id: the message is the phone's (its window is open), an unknown id is refused.
    const reply = await send('/v1/messages', { to: userId, from: NUMBER, channel: 'whatsapp', message_type: 'text', text: 'You are unsubscribed.' });
    expect(reply.status).toBe(202);
    expect(sandbox.messages({ account: 'nexmo', kind: 'session' })).toMatchObject([{ to: USER, body: 'You are unsubscribed.', outcome: expect.not.stringMatching(/failed/) }]);
    const unknown = await send('/v1/messages', { to: 'US.99999999999999999999', from: NUMBER, channel: 'whatsapp', message_type: 'text', text: 'x' });
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(unknown.json)).toMatch(/not the WhatsApp user id of a user of this business/);
    // Statuses of a user who keeps their number to themselves name them by id alone.
    await receiver.waitFor(() => receiver.on('/status').length >= 5);
    const hiddenStatus = receiver.on('/status').map(verifySignedWebhook).find((body) => body.message_uuid === reply.json.message_uuid && body.status === 'delivered');
    expect(hiddenStatus).toMatchObject({ to: userId, whatsapp: { recipient: { user_id: userId } } });
    expect(hiddenStatus).not.toHaveProperty('whatsapp.recipient.wa_id');
  });

  it('retries a webhook only when it is answered 429 or 5xx (or not at all), as Vonage does (§9)', async () => {
    sandbox.setKnobs({ callbackRetries: 3, callbackRetryDelayMs: 5 });
    try {
      receiver.respond((_request, index) => (index === 0 ? 503 : index === 1 ? 429 : 200));
      expect(await sandbox.inbound({ account: 'nexmo', from: USER, text: 'retried' }).delivery).toEqual({ delivered: true, attempts: 3, status: 200 });
      // Each attempt is signed afresh over the same body.
      for (const request of receiver.on('/inbound')) verifySignedWebhook(request);

      // A 4xx ends the delivery: Vonage does not retry it, so a receiver refusing a webhook loses it.
      receiver.requests.length = 0;
      receiver.respond(() => 401);
      expect(await sandbox.inbound({ account: 'nexmo', from: USER, text: 'refused' }).delivery).toEqual({ delivered: false, attempts: 1, status: 401 });
      expect(receiver.on('/inbound')).toHaveLength(1);
    } finally {
      receiver.respond(() => 200);
      sandbox.setKnobs({ callbackRetries: 0 });
    }
  });

  it('posts v0.1 inbound messages when the application uses v0.1 webhooks', async () => {
    sandbox.addAccounts([
      {
        provider: 'vonage',
        id: 'legacy',
        apiKey: 'legacy1',
        apiSecret: 'legacy-secret',
        applicationId: 'bbbbbbbb-cccc-4ddd-8eee-0123456789ab',
        publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        signatureSecret: SIGNATURE_SECRET,
        whatsappNumber: '447700900002',
        inboundUrl: `${receiver.url}/inbound-legacy`,
        webhookVersion: 'v0.1',
      },
    ]);
    await sandbox.inbound({ account: 'legacy', from: USER, text: 'Hello From Vonage!' }).delivery;
    const body = JSON.parse(receiver.on('/inbound-legacy')[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      to: { type: 'whatsapp', number: '447700900002' },
      from: { type: 'whatsapp', number: USER },
      message: { content: { type: 'text', text: 'Hello From Vonage!' } },
    });
    expect(sandbox.removeAccount('legacy')).toBe(true);
  });
});
