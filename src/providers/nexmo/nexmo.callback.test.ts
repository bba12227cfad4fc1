import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureText, loadCallbackFixture } from '../../../test/helpers/provider-fixtures.js';
import type { CallbackEvent, ParseResult, RawCallback } from '../provider.js';
import { parseNexmoCallback } from './nexmo.callback.js';

const NOW = 1_700_000_000_000;

function events(name: string): CallbackEvent[] {
  const result = parseNexmoCallback(loadCallbackFixture(`nexmo/${name}`), { now: NOW });
  if (!result.ok) throw new Error(`${name}: ${result.error}`);
  return result.events;
}

function json(name: string): unknown {
  return JSON.parse(fixtureText(`nexmo/${name}`));
}

function raw(body: string, contentType: string | null = 'application/json'): RawCallback {
  return { method: 'POST', contentType, body, query: {}, headers: {} };
}

function errorOf(result: ParseResult): string {
  if (result.ok) throw new Error(`expected a parse error, got ${JSON.stringify(result.events)}`);
  return result.error;
}

describe('parseNexmoCallback — message status (§6)', () => {
  it('maps v1 submitted to sent, with client_ref', () => {
    expect(events('status-v1-submitted.json')).toStrictEqual([
      { kind: 'receipt', providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab', status: 'sent', occurredAt: Date.parse('2025-02-03T12:14:20Z'), phone: '+447700900000', clientRef: 'abc123' },
    ]);
  });

  it('maps v1 delivered, with fractional seconds', () => {
    expect(events('status-v1-delivered.json')).toStrictEqual([
      { kind: 'receipt', providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab', status: 'delivered', occurredAt: Date.parse('2025-02-03T12:14:22.500Z'), phone: '+447700900000', clientRef: 'abc123' },
    ]);
  });

  it('maps the documented v1 read example (its illustrative error is not a failure)', () => {
    expect(events('status-v1-read.json')).toStrictEqual([
      {
        kind: 'receipt',
        providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
        status: 'read',
        occurredAt: 1738584865000,
        phone: '+447700900000',
        clientRef: 'abc123',
        // whatsapp.recipient: the user's WhatsApp user id and number, paired for later inbound messages.
        user: { id: 'US.13491208655302741918', phone: '+447700900000' },
      },
    ]);
  });

  it('maps v1 rejected with error.title 1340 to outside_window', () => {
    expect(events('status-v1-rejected.json')).toStrictEqual([
      {
        kind: 'receipt',
        providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
        status: 'failed',
        occurredAt: 1738584865000,
        phone: '+447700900000',
        clientRef: 'abc123',
        errorCode: '1340',
        errorDetail: 'Outside of the allowed window - This message is sent outside of allowed response window.',
        category: 'outside_window',
      },
    ]);
  });

  it('maps v0.1 rejected with error.code 1300 to invalid_number', () => {
    expect(events('status-v01-rejected.json')).toStrictEqual([
      {
        kind: 'receipt',
        providerMessageId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
        status: 'failed',
        occurredAt: Date.parse('2020-01-01T14:00:00.000Z'),
        phone: '+447700900000',
        clientRef: 'my-personal-reference',
        errorCode: '1300',
        errorDetail: 'Not part of the provider network',
        category: 'invalid_number',
      },
    ]);
  });

  it('maps v0.1 undeliverable without an error object to a failed provider_down', () => {
    expect(events('status-v01-undeliverable.json')).toStrictEqual([
      { kind: 'receipt', providerMessageId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab', status: 'failed', occurredAt: Date.parse('2020-01-01T14:00:00.000Z'), phone: '+447700900000', category: 'provider_down' },
    ]);
  });

  it.each([
    ['1000', 'rate_limited'],
    ['1022', 'template_mismatch'],
    ['1380', 'media'],
    ['1461', 'blocked'],
    ['9999', 'other'],
  ])('maps error %s to %s, and reads a code from the type anchor when the title is text', (code, category) => {
    const body = JSON.stringify({ message_uuid: 'u', to: '447700900000', from: '447700900001', timestamp: '2025-02-03T12:14:25Z', status: 'rejected', error: { type: `https://developer.vonage.com/api-errors/messages#${code}`, title: 'Some title' } });
    expect(parseNexmoCallback(raw(body))).toMatchObject({ ok: true, events: [{ status: 'failed', errorCode: code, category }] });
  });
});

describe('parseNexmoCallback — inbound (§7)', () => {
  it('reads the documented v1 text with the "… UTC" timestamp and the context', () => {
    expect(events('inbound-v1-text.json')).toStrictEqual([
      {
        kind: 'inbound',
        providerMessageId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
        from: '+447700900001',
        to: '447700900000',
        senderName: 'Jane Smith',
        messageType: 'text',
        text: 'Nexmo Verification code: 12345. Valid for 10 minutes.',
        contextMessageId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
        receivedAt: Date.parse('2020-01-01T14:00:00Z'),
        payload: json('inbound-v1-text.json'),
      },
    ]);
  });

  it('reads a v1 image (no caption → null text)', () => {
    expect(events('inbound-v1-image.json')).toStrictEqual([
      {
        kind: 'inbound',
        providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
        from: '+447700900000',
        to: '447700900001',
        senderName: 'Jane Smith',
        messageType: 'image',
        text: null,
        receivedAt: 1738584865000,
        payload: json('inbound-v1-image.json'),
      },
    ]);
  });

  it('reads an interactive reply (title) and a template button (text)', () => {
    expect(events('inbound-v1-reply.json')).toMatchObject([{ messageType: 'interactive', text: 'Tomorrow 10:00', contextMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab' }]);
    expect(events('inbound-v1-button.json')).toMatchObject([{ messageType: 'button', text: 'Stop promotions', contextMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab' }]);
  });

  it('reads a v1 location (no text, lat/long, name and address kept in the payload)', () => {
    expect(events('inbound-v1-location.json')).toStrictEqual([
      {
        kind: 'inbound',
        providerMessageId: 'eeeeeeee-bbbb-4ccc-8ddd-0123456789ab',
        from: '+447700900000',
        to: '447700900001',
        senderName: 'Jane Smith',
        messageType: 'location',
        text: null,
        receivedAt: 1738584865000,
        payload: json('inbound-v1-location.json'),
      },
    ]);
  });

  it('reads the documented v0.1 text and a v0.1 image caption', () => {
    expect(events('inbound-v01-text.json')).toStrictEqual([
      {
        kind: 'inbound',
        providerMessageId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
        from: '+447700900001',
        to: '447700900000',
        messageType: 'text',
        text: 'Hello From Vonage!',
        receivedAt: Date.parse('2020-01-01T14:00:00.000Z'),
        payload: json('inbound-v01-text.json'),
      },
    ]);
    expect(events('inbound-v01-image.json')).toMatchObject([{ messageType: 'image', text: 'my photo', from: '+447700900001' }]);
  });

  it('takes the number from whatsapp.sender.wa_id when from is a username id (BSUID), and keeps the id', () => {
    const body = JSON.stringify({ channel: 'whatsapp', message_uuid: 'u1', to: '447700900001', from: 'US.13491208655302741918', timestamp: '2025-02-03T12:14:25Z', message_type: 'text', text: 'hi', whatsapp: { sender: { user_id: 'US.13491208655302741918', wa_id: '447700900000' } } });
    expect(parseNexmoCallback(raw(body))).toMatchObject({ ok: true, events: [{ from: '+447700900000', senderUserId: 'US.13491208655302741918', text: 'hi' }] });
  });

  it('accepts a sender named by user id alone (no wa_id): the number is looked up when applied', () => {
    const body = JSON.stringify({ channel: 'whatsapp', message_uuid: 'u2', to: '447700900001', from: 'BR.8812', timestamp: '2025-02-03T12:14:25Z', message_type: 'text', text: 'PARAR', whatsapp: { sender: { user_id: 'BR.8812' } } });
    expect(parseNexmoCallback(raw(body))).toMatchObject({ ok: true, events: [{ from: null, senderUserId: 'BR.8812', text: 'PARAR' }] });
    // `from` alone is enough.
    const bare = JSON.stringify({ channel: 'whatsapp', message_uuid: 'u3', to: '447700900001', from: 'US.13491208655302741918', timestamp: '2025-02-03T12:14:25Z', message_type: 'text', text: 'x' });
    expect(parseNexmoCallback(raw(bare))).toMatchObject({ ok: true, events: [{ from: null, senderUserId: 'US.13491208655302741918' }] });
  });

  it('pairs a delivered status\'s recipient id with wa_id, else with to; ignores what is not a user id', () => {
    const status = (recipient: unknown) =>
      raw(JSON.stringify({ message_uuid: 'm1', to: '447700900000', from: '447700900001', timestamp: '2025-02-03T12:14:25Z', status: 'delivered', channel: 'whatsapp', whatsapp: { recipient } }));
    expect(parseNexmoCallback(status({ user_id: 'MX.1', wa_id: '5215512345678' }))).toMatchObject({ events: [{ user: { id: 'MX.1', phone: '+5215512345678' } }] });
    expect(parseNexmoCallback(status({ user_id: 'GB.77' }))).toMatchObject({ events: [{ user: { id: 'GB.77', phone: '+447700900000' } }] });
    for (const userId of ['<BSUID>', 'US.', '447700900000', 'US.12 34', 42]) {
      const result = parseNexmoCallback(status({ user_id: userId, wa_id: '447700900000' }));
      expect(result.ok && result.events[0]).not.toHaveProperty('user');
    }
  });
});

describe('parseNexmoCallback — malformed input', () => {
  it.each([
    ['an empty body', raw(''), /expected a JSON object/],
    ['a form body', raw('a=b', 'application/x-www-form-urlencoded'), /expected a JSON object/],
    ['invalid JSON', raw('{"status":'), /not valid JSON/],
    ['an array', raw('[]'), /expected a JSON object/],
    ['an unknown status', raw('{"message_uuid":"u","status":"queued","timestamp":"2025-02-03T12:14:25Z"}'), /status: expected submitted, delivered, read, rejected or undeliverable, got "queued"/],
    ['a bad timestamp', raw('{"message_uuid":"u","status":"read","timestamp":"yesterday"}'), /timestamp: expected epoch/],
    ['an inbound without a sender number', raw('{"message_uuid":"u","message_type":"text","text":"x","from":"someone"}'), /from: expected the sender's number \(digits with country code\) or WhatsApp user id/],
    ['a v0.1 inbound without content', raw('{"message_uuid":"u","from":{"number":"447700900001"},"message":{}}'), /message\.content: expected an object/],
    ['an unrecognised object', raw('{"foo":1}'), /expected a message status .* or an inbound message/],
  ])('answers a clear error for %s', (_label, input, message) => {
    expect(errorOf(parseNexmoCallback(input))).toMatch(message);
  });

  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), fc.constantFrom('application/json', null, 'text/plain'), (body, contentType) => {
        expect(typeof parseNexmoCallback(raw(body, contentType)).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
