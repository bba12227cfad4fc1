import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './sandbox.server.js';
import { startCallbackReceiver, type CallbackReceiver } from '../../test/helpers/callback-receiver.js';

const HSM = { userid: '2000100001', password: 'hsm-secret' };
const TWO_WAY = { userid: '2000100002', password: 'two-way-secret' };
const ID = /^\d{19}-\d{18}$/;

interface DlrEvent {
  externalId: string;
  eventType: string;
  eventTs: number;
  destAddr: string;
  srcAddr: string;
  channel: string;
  cause: string;
  errorCode: string;
  extra?: string;
}

/** The DLR events of every batch received, in arrival order. */
function dlrEvents(receiver: CallbackReceiver): DlrEvent[] {
  return receiver.on('/dlr').flatMap((request) => JSON.parse(new URLSearchParams(request.body).get('response')!) as DlrEvent[]);
}

describe('sandbox: Gupshup Enterprise GatewayAPI', () => {
  let sandbox: Sandbox;
  let receiver: CallbackReceiver;
  let gateway: string;

  const base = { v: '1.1', auth_scheme: 'plain', format: 'json' };
  const post = async (params: Record<string, string>) => {
    const response = await fetch(gateway, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  const get = async (params: Record<string, string>) => {
    const response = await fetch(`${gateway}?${new URLSearchParams(params).toString()}`);
    return { status: response.status, text: await response.text() };
  };
  const template = (extra: Record<string, string> = {}) =>
    post({ ...base, ...HSM, method: 'SendMessage', msg_type: 'HSM', isHSM: 'true', send_to: '919876543210', msg: 'Hi Ravi, your order 123 is shipped.', ...extra });

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
    sandbox = await startSandbox({
      knobs: { dlrDelayMs: [1, 5], readShare: 1, callbackRetries: 0 },
      accounts: [
        {
          provider: 'gupshup-enterprise',
          id: 'acme',
          notificationUserId: HSM.userid,
          notificationPassword: HSM.password,
          twoWayUserId: TWO_WAY.userid,
          twoWayPassword: TWO_WAY.password,
          businessNumber: '919000000001',
          dlrUrl: `${receiver.url}/dlr`,
          inboundUrl: `${receiver.url}/inbound`,
          templates: [
            { name: 'ACME:order_shipped', body: 'Hi {{1}}, your order {{2}} is shipped.' },
            { name: 'ACME:invoice', body: 'Your invoice {{1}} is attached.', attachment: 'document' },
          ],
        },
      ],
    });
    gateway = sandbox.env.GUPSHUP_ENTERPRISE_URL;
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
    receiver.respond(() => 200);
    sandbox.setKnobs({ readShare: 1, failShare: 0, notOnWhatsApp: [], callbacks: true, dlrDelayMs: [1, 5], rateLimitPerSecond: 0, down: 'off' });
  });

  it('accepts a template (HSM) send as a form POST and answers the documented JSON shape', async () => {
    const answer = await template();
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/application\/json/);
    const body = JSON.parse(answer.text) as { response: { id: string; phone: string; details: string; status: string } };
    expect(Object.keys(body.response)).toEqual(['id', 'phone', 'details', 'status']);
    expect(body.response).toMatchObject({ phone: '919876543210', details: '', status: 'success' });
    expect(body.response.id).toMatch(ID);
    const [message] = sandbox.messages();
    expect(message).toMatchObject({
      provider: 'gupshup-enterprise',
      account: 'acme',
      id: body.response.id,
      to: '919876543210',
      kind: 'template',
      type: 'text',
      namespace: 'ACME',
      template: 'order_shipped',
      params: ['Ravi', '123'],
      body: 'Hi Ravi, your order 123 is shipped.',
      outcome: 'read',
      answered: true,
    });
  });

  it('answers format=text (the default) as "success | phone | id", on GET too', async () => {
    const { format: _format, ...textBase } = base;
    const answer = await get({ ...textBase, ...HSM, method: 'SendMessage', msg_type: 'HSM', send_to: '919876543210', msg: 'Hi Asha, your order 9 is shipped.' });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/^success \| 919876543210 \| \d{19}-\d{18}$/);
  });

  it('matches method, format and msg_type case-insensitively, and treats isHSM=true as a template', async () => {
    const answer = await post({ ...base, format: 'JSON', ...HSM, method: 'SENDMESSAGE', msg_type: 'text', isHSM: 'TRUE', send_to: '919876543210', msg: 'Hi Ravi, your order 1 is shipped.' });
    expect(JSON.parse(answer.text)).toMatchObject({ response: { status: 'success' } });
    expect(sandbox.messages()[0]).toMatchObject({ kind: 'template', template: 'order_shipped' });
  });

  it('accepts v=1.0 as well as v=1.1 (error 107: "v must be 1.0/1.1", reference A7)', async () => {
    const answer = await template({ v: '1.0' });
    expect(JSON.parse(answer.text)).toMatchObject({ response: { status: 'success' } });
  });

  it('turns a 10-digit number into an Indian one', async () => {
    const answer = await template({ send_to: '9876543210' });
    expect(JSON.parse(answer.text)).toMatchObject({ response: { phone: '919876543210', status: 'success' } });
  });

  it.each([
    [{ method: '' }, '101', /method/],
    [{ method: 'SendSms' }, '106', /SendSms/],
    [{ v: '2.0' }, '107', /v must be 1\.0 or 1\.1/],
    [{ v: '' }, '107', /v must be 1\.0 or 1\.1/],
    [{ auth_scheme: '' }, '101', /auth_scheme/],
    [{ password: 'wrong' }, '102', /invalid userId or password/],
    [{ userid: '2999999999' }, '102', /invalid userId or password/],
    [{ send_to: '' }, '101', /send_to/],
    [{ send_to: '+919876543210' }, '105', /Invalid phone number/],
    [{ send_to: '12345' }, '105', /Invalid phone number/],
    [{ send_to: '919876543210,919876543211' }, '105', /one number/],
    [{ msg: '' }, '101', /msg/],
    [{ msg_type: 'IMAGE' }, '100', /SendMediaMessage/],
  ])('answers %j with error %s naming the problem (HTTP 200, JSON)', async (change, code, details) => {
    const params: Record<string, string> = { ...base, ...HSM, method: 'SendMessage', msg_type: 'HSM', send_to: '919876543210', msg: 'Hi Ravi, your order 1 is shipped.' };
    for (const [key, value] of Object.entries(change)) {
      if (value === '') delete params[key];
      else params[key] = value;
    }
    const answer = await post(params);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { response: { id: string; phone: string; details: string; status: string } };
    expect(body.response).toMatchObject({ id: code, phone: '', status: 'error' });
    expect(body.response.details).toMatch(details);
    expect(sandbox.messages()).toHaveLength(0);
  });

  it('answers errors in text format as "error | code | details"', async () => {
    const answer = await get({ v: '1.1', auth_scheme: 'plain', userid: HSM.userid, password: 'nope', method: 'SendMessage', send_to: '919876543210', msg: 'x' });
    expect(answer.text).toBe('error | 102 | Authentication failed due to invalid userId or password.');
  });

  it('sends templates only through the notification account and session messages only through the two-way account (106)', async () => {
    const templateViaTwoWay = await template({ ...TWO_WAY });
    expect(JSON.parse(templateViaTwoWay.text)).toMatchObject({ response: { id: '106', status: 'error' } });
    expect(JSON.parse(templateViaTwoWay.text).response.details).toMatch(/notification account/);
    const sessionViaHsm = await post({ ...base, ...HSM, method: 'SendMessage', msg_type: 'DATA_TEXT', send_to: '919876543210', msg: 'Hello' });
    expect(JSON.parse(sessionViaHsm.text)).toMatchObject({ response: { id: '106', status: 'error' } });
    expect(JSON.parse(sessionViaHsm.text).response.details).toMatch(/two-way account/);
    const optInViaTwoWay = await post({ ...base, ...TWO_WAY, method: 'OPT_IN', phone_number: '919876543210', channel: 'WHATSAPP' });
    expect(JSON.parse(optInViaTwoWay.text)).toMatchObject({ response: { id: '106', status: 'error' } });
  });

  it('opts a number in and out; a second OPT_IN answers 312 (already opted in)', async () => {
    const optIn = () => post({ ...base, ...HSM, method: 'OPT_IN', phone_number: '919876543210', channel: 'WHATSAPP' });
    const first = JSON.parse((await optIn()).text) as { response: { id: string; status: string; phone: string } };
    expect(first.response).toMatchObject({ status: 'success', phone: '919876543210' });
    expect(first.response.id).toMatch(ID);
    expect(JSON.parse((await optIn()).text)).toMatchObject({ response: { id: '312', status: 'error', phone: '919876543210' } });
    const out = await get({ ...base, ...HSM, method: 'opt_out', phone_number: '919876543210', channel: 'whatsapp' });
    expect(JSON.parse(out.text)).toMatchObject({ response: { status: 'success' } });
    expect(JSON.parse((await optIn()).text)).toMatchObject({ response: { status: 'success' } });
    expect(sandbox.messages().map((message) => message.kind)).toEqual(['opt_in', 'opt_out', 'opt_in']);
    const missingChannel = await post({ ...base, ...HSM, method: 'OPT_IN', phone_number: '919876543210' });
    expect(JSON.parse(missingChannel.text)).toMatchObject({ response: { id: '101', status: 'error' } });
  });

  it('accepts a media template (SendMediaMessage, media_url, caption) and matches the caption against the document template', async () => {
    const answer = await post({
      ...base,
      ...HSM,
      method: 'SendMediaMessage',
      msg_type: 'DOCUMENT',
      isHSM: 'true',
      send_to: '919876543210',
      media_url: 'https://cdn.example.com/invoice.pdf',
      caption: 'Your invoice INV-7 is attached.',
      filename: 'invoice.pdf',
    });
    expect(JSON.parse(answer.text)).toMatchObject({ response: { status: 'success' } });
    expect(sandbox.messages()[0]).toMatchObject({
      kind: 'template',
      type: 'document',
      template: 'invoice',
      params: ['INV-7'],
      mediaUrl: 'https://cdn.example.com/invoice.pdf',
      outcome: 'read',
    });
    const missingUrl = await post({ ...base, ...HSM, method: 'SendMediaMessage', msg_type: 'IMAGE', isHSM: 'true', send_to: '919876543210', caption: 'x' });
    expect(JSON.parse(missingUrl.text)).toMatchObject({ response: { id: '101', status: 'error' } });
    expect(JSON.parse(missingUrl.text).response.details).toMatch(/media_url/);
  });

  it('posts SENT, DELIVERED and READ as form field response=[…] with ms eventTs, destAddr without + and extra echoed', async () => {
    const answer = JSON.parse((await template({ extra: '9|1658264893|20220720|9|0' })).text) as { response: { id: string } };
    await receiver.waitFor(() => dlrEvents(receiver).length === 3);
    const requests = receiver.on('/dlr');
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect([...new URLSearchParams(request.body).keys()]).toEqual(['response']);
    }
    const events = dlrEvents(receiver);
    expect(events.map((event) => event.eventType)).toEqual(['SENT', 'DELIVERED', 'READ']);
    for (const event of events) {
      expect(event).toMatchObject({
        externalId: answer.response.id,
        destAddr: '919876543210',
        srcAddr: '919000000001',
        channel: 'WHATSAPP',
        extra: '9|1658264893|20220720|9|0',
      });
      expect(event.eventTs).toBeGreaterThan(1e12);
      expect(event.errorCode).toMatch(/^\d{3}$/);
    }
    expect(events.map((event) => [event.cause, event.errorCode])).toEqual([
      ['SENT', '000'],
      ['SUCCESS', '000'],
      ['READ', '026'],
    ]);
  });

  it('batches DLR events per URL, never more than 20 per request', async () => {
    sandbox.setKnobs({ readShare: 0, dlrDelayMs: 0, dlrBatchMs: 50 });
    const answers = await Promise.all(Array.from({ length: 45 }, (_, i) => template({ send_to: `9198765${String(i).padStart(5, '0')}` })));
    const ids = new Set(answers.map((answer) => (JSON.parse(answer.text) as { response: { id: string } }).response.id));
    expect(ids.size).toBe(45);
    await receiver.waitFor(() => dlrEvents(receiver).length === 90);
    const sizes = receiver.on('/dlr').map((request) => (JSON.parse(new URLSearchParams(request.body).get('response')!) as unknown[]).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(20);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(new Set(dlrEvents(receiver).map((event) => event.externalId))).toEqual(ids);
  });

  it('accepts a rendered msg that matches no registered template, then reports FAILED (OTHER / 005)', async () => {
    const answer = await template({ msg: 'Buy now, 50% off!' });
    expect(JSON.parse(answer.text)).toMatchObject({ response: { status: 'success' } });
    await receiver.waitFor(() => dlrEvents(receiver).length === 1);
    await sandbox.drain();
    expect(dlrEvents(receiver)).toEqual([expect.objectContaining({ eventType: 'FAILED', cause: 'OTHER', errorCode: '005' })]);
    expect(sandbox.messages()[0]).toMatchObject({ outcome: 'failed', failure: { reason: 'template_mismatch', code: '005' } });
  });

  it('fails numbers that are not on WhatsApp with UNKNOWN_SUBSCRIBER / 003', async () => {
    sandbox.setKnobs({ notOnWhatsApp: ['91999*'] });
    await template({ send_to: '919990001111' });
    await receiver.waitFor(() => dlrEvents(receiver).length === 1);
    await sandbox.drain();
    expect(dlrEvents(receiver)).toEqual([expect.objectContaining({ eventType: 'FAILED', cause: 'UNKNOWN_SUBSCRIBER', errorCode: '003' })]);
  });

  it('fails a session message outside the 24-hour window and delivers it after the user wrote in', async () => {
    const session = () => post({ ...base, ...TWO_WAY, method: 'SendMessage', msg_type: 'DATA_TEXT', send_to: '919876543210', msg: 'How can we help?' });
    await session();
    await receiver.waitFor(() => dlrEvents(receiver).length === 1);
    expect(dlrEvents(receiver)[0]).toMatchObject({ eventType: 'FAILED', errorCode: '470' });
    // Gupshup names users by number only.
    expect(() => sandbox.inbound({ account: 'acme', from: '+919876543210', text: 'hello', username: true })).toThrow(/username: WhatsApp user ids are sent by Vonage accounts only/);
    await sandbox.inbound({ account: 'acme', from: '+919876543210', text: 'hello' }).delivery;
    await session();
    await receiver.waitFor(() => dlrEvents(receiver).length === 4);
    expect(dlrEvents(receiver).slice(1).map((event) => event.eventType)).toEqual(['SENT', 'DELIVERED', 'READ']);
  });

  it('answers HTTP 429 above the account rate limit, 503 when down, and counts both', async () => {
    sandbox.setKnobs({ rateLimitPerSecond: 1 });
    const answers = await Promise.all([template(), template(), template()]);
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(limited[0]!.text)).toMatchObject({ response: { id: '100', status: 'error', details: expect.stringMatching(/rate limit/) } });
    sandbox.setKnobs({ rateLimitPerSecond: 0, down: '5xx' });
    expect((await template()).status).toBe(503);
    expect(sandbox.stats().accounts.acme!.rejected).toMatchObject({ rate_limited: limited.length, down: 1 });
  });

  it('posts inbound messages as flat JSON to the inbound URL, with the replied message id', async () => {
    const sent = JSON.parse((await template()).text) as { response: { id: string } };
    const result = sandbox.inbound({ account: 'acme', from: '919876543210', name: 'Ravi', text: 'STOP', contextId: sent.response.id });
    expect(await result.delivery).toMatchObject({ delivered: true, attempts: 1, status: 200 });
    const [request] = receiver.on('/inbound');
    expect(request!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request!.body) as Record<string, string>;
    expect(body).toMatchObject({ waNumber: '919000000001', mobile: '919876543210', name: 'Ravi', type: 'text', text: 'STOP', messageId: sent.response.id });
    expect(body.timestamp).toMatch(/^\d{13}$/);
    expect(body.replyId).toBe(result.id);

    await sandbox.inbound({ account: 'acme', from: '919876543210', type: 'image', mediaUrl: 'https://media.example.com/m/abc123', caption: 'see this' }).delivery;
    const image = JSON.parse(receiver.on('/inbound')[1]!.body) as Record<string, string>;
    const media = JSON.parse(image.image!) as Record<string, string>;
    expect(`${media.url}${media.signature}`).toBe('https://media.example.com/m/abc123');
    expect(media).toMatchObject({ mime_type: 'image/jpeg', caption: 'see this' });
  });
});
