import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureText, loadCallbackFixture } from '../../../test/helpers/provider-fixtures.js';
import type { CallbackEvent, ParseResult, RawCallback } from '../provider.js';
import { parseGupshupCallback } from './gupshup.callback.js';

const NOW = 1_700_000_000_000;

function events(name: string): CallbackEvent[] {
  const result = parseGupshupCallback(loadCallbackFixture(`gupshup/${name}`), { now: NOW });
  if (!result.ok) throw new Error(`${name}: ${result.error}`);
  return result.events;
}

function json(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(`gupshup/${name}`)) as Record<string, unknown>;
}

function raw(partial: Partial<RawCallback>): RawCallback {
  return { method: 'POST', contentType: 'application/json', body: '', query: {}, headers: {}, ...partial };
}

function errorOf(result: ParseResult): string {
  if (result.ok) throw new Error(`expected a parse error, got ${JSON.stringify(result.events)}`);
  return result.error;
}

describe('parseGupshupCallback — enterprise delivery reports (A8)', () => {
  it('reads the form field response=[…] (CleverTap READ sample), keeping +, ms eventTs and extra', () => {
    expect(events('enterprise-dlr-read.form.txt')).toStrictEqual([
      {
        kind: 'receipt',
        providerMessageId: '4687162516402008133-497817541934555810',
        status: 'read',
        occurredAt: 1658264959000,
        phone: '+919876543210',
        clientRef: '9|1658264893|20220720|9|0',
      },
    ]);
  });

  it('reads a bare JSON array batch with errCode, and maps FAILED/UNKNOWN_SUBSCRIBER', () => {
    expect(events('enterprise-dlr-batch.json')).toStrictEqual([
      { kind: 'receipt', providerMessageId: '3562707498794989059-328736121207676738', status: 'delivered', occurredAt: 1526347800000, phone: '+919892488888' },
      {
        kind: 'receipt',
        providerMessageId: '3798318073013708082-252169030017029882',
        status: 'failed',
        occurredAt: 1526347800000,
        phone: '+91989237777',
        errorCode: '003',
        errorDetail: 'UNKNOWN_SUBSCRIBER',
        category: 'invalid_number',
      },
    ]);
  });

  it('reads the Glific DELIVERED fixture, whose eventTs is in seconds', () => {
    expect(events('enterprise-dlr-delivered-glific.form.txt')).toStrictEqual([
      { kind: 'receipt', providerMessageId: '4610068946528501829-110609119085101347', status: 'delivered', occurredAt: 1592311836000, phone: '+1592311836' },
    ]);
  });

  it('reads JSON {"response":[…]} and echoes extra as clientRef', () => {
    expect(events('enterprise-dlr-response-object.json')).toStrictEqual([
      {
        kind: 'receipt',
        providerMessageId: '4845032196180770877-390760589280616033',
        status: 'sent',
        occurredAt: 1658264900000,
        phone: '+919876543210',
        clientRef: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      },
    ]);
  });

  it('reads the GET variant (status, deliveredTS, phoneNo, errCode as query parameters)', () => {
    expect(events('enterprise-dlr-get.query.json')).toStrictEqual([
      {
        kind: 'receipt',
        providerMessageId: '3798318073013708082-252169030017029882',
        status: 'failed',
        occurredAt: 1526347800000,
        phone: '+919892488888',
        errorCode: '003',
        errorDetail: 'UNKNOWN_SUBSCRIBER',
        category: 'invalid_number',
      },
    ]);
  });

  it('maps a Meta code in errorCode before the cause, and accepts the response array as a JSON string', () => {
    const body = JSON.stringify({
      response: JSON.stringify([{ externalId: '1-2', eventType: 'failed', eventTs: '1658264959000', destAddr: '919876543210', cause: 'OTHER', errorCode: '131047' }]),
    });
    expect(parseGupshupCallback(raw({ body }), { now: NOW })).toStrictEqual({
      ok: true,
      events: [{ kind: 'receipt', providerMessageId: '1-2', status: 'failed', occurredAt: 1658264959000, phone: '+919876543210', errorCode: '131047', errorDetail: 'OTHER', category: 'outside_window' }],
    });
  });

  it('reads DLR form fields sent without the response wrapper, and uses now when there is no timestamp', () => {
    const result = parseGupshupCallback(raw({ contentType: 'application/x-www-form-urlencoded', body: 'externalId=9-9&eventType=SENT&destAddr=919876543210' }), { now: NOW });
    expect(result).toStrictEqual({ ok: true, events: [{ kind: 'receipt', providerMessageId: '9-9', status: 'sent', occurredAt: NOW, phone: '+919876543210' }] });
  });

  it('reads a form response=[…] posted without a content type', () => {
    const body = fixtureText('gupshup/enterprise-dlr-read.form.txt').trimEnd();
    const result = parseGupshupCallback(raw({ contentType: null, body }), { now: NOW });
    expect(result.ok && result.events[0]).toMatchObject({ status: 'read', providerMessageId: '4687162516402008133-497817541934555810' });
  });
});

describe('parseGupshupCallback — enterprise inbound (A9)', () => {
  const ctText = {
    kind: 'inbound',
    // No replyId in the documented sample: an id from the message's content (gupshup-enterprise.callback.ts contentId).
    providerMessageId: expect.stringMatching(/^wacast-content-[0-9a-f]{32}$/),
    from: '+919876543210',
    to: '912240000000',
    senderName: 'John Doe',
    messageType: 'text',
    text: 'incoming text',
    receivedAt: 1658261071000,
  };

  it('reads the flat JSON text message (timestamp in ms as a string)', () => {
    expect(events('enterprise-inbound-text.json')).toStrictEqual([{ ...ctText, payload: json('enterprise-inbound-text.json') }]);
  });

  it('reads the same message form-encoded', () => {
    expect(events('enterprise-inbound-text.form.txt')).toStrictEqual([{ ...ctText, payload: json('enterprise-inbound-text.json') }]);
  });

  it('gives a message without replyId one id from its content: the same JSON or form-encoded, another for another timestamp', () => {
    const [asJson] = events('enterprise-inbound-text.json') as Array<{ providerMessageId: string }>;
    const [asForm] = events('enterprise-inbound-text.form.txt') as Array<{ providerMessageId: string }>;
    expect(asForm!.providerMessageId).toBe(asJson!.providerMessageId);
    const later = parseGupshupCallback(raw({ contentType: 'application/json', body: JSON.stringify({ ...json('enterprise-inbound-text.json'), timestamp: '1658261072000' }) }), { now: NOW });
    expect(later.ok && later.events[0]).toMatchObject({ providerMessageId: expect.stringMatching(/^wacast-content-/) });
    expect(later.ok && (later.events[0] as { providerMessageId: string }).providerMessageId).not.toBe(asJson!.providerMessageId);
    const { timestamp: _none, ...undated } = json('enterprise-inbound-text.json') as Record<string, unknown>;
    const withoutTime = parseGupshupCallback(raw({ contentType: 'application/json', body: JSON.stringify(undated) }), { now: NOW });
    expect(withoutTime.ok && withoutTime.events[0]).toMatchObject({ providerMessageId: null });
  });

  it('takes replyId as the message id and messageId as the context (our message)', () => {
    expect(events('enterprise-inbound-text-ids.json')).toStrictEqual([
      {
        kind: 'inbound',
        providerMessageId: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8',
        from: '+919917443994',
        to: '911244006972',
        senderName: 'Smit',
        messageType: 'text',
        text: 'Hello to enterprise',
        contextMessageId: '4687162516402008133-497817541934555810',
        receivedAt: 1644911629000,
        payload: json('enterprise-inbound-text-ids.json'),
      },
    ]);
  });

  it('decodes the image JSON string: caption as text, url + signature as the media URL', () => {
    const original = json('enterprise-inbound-image.json');
    const image = { signature: 'abc123sig', url: 'https://media.example.com/media/', mime_type: 'image/jpeg', caption: 'see this' };
    expect(events('enterprise-inbound-image.json')).toStrictEqual([
      {
        kind: 'inbound',
        providerMessageId: 'b1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8',
        from: '+919917443994',
        to: '911244006972',
        senderName: 'Smit',
        messageType: 'image',
        text: 'see this',
        contextMessageId: '4687162516402008133-497817541934555810',
        receivedAt: 1644911629000,
        payload: { ...original, image, mediaUrl: 'https://media.example.com/media/abc123sig' },
      },
    ]);
  });

  it('reads a template button tap', () => {
    const [event] = events('enterprise-inbound-button.json');
    expect(event).toMatchObject({ kind: 'inbound', messageType: 'button', text: 'Yes', from: '+919917443994', contextMessageId: '4687162516402008133-497817541934555810' });
    expect(event).toHaveProperty('payload.button', { text: 'Yes', payload: 'Yes' });
  });

  it('reads an interactive list reply (title as text, no context when messageId is absent)', () => {
    const [event] = events('enterprise-inbound-interactive.json');
    expect(event).toStrictEqual({
      kind: 'inbound',
      providerMessageId: 'd1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8',
      from: '+919917443994',
      to: '911244006972',
      senderName: 'Smit',
      messageType: 'interactive',
      text: 'Row 1',
      receivedAt: 1644911629000,
      payload: { ...json('enterprise-inbound-interactive.json'), interactive: { type: 'list_reply', list_reply: { id: 'r1', title: 'Row 1' } } },
    });
  });

  it('decodes a location JSON string (no text, coordinates kept in the payload)', () => {
    expect(events('enterprise-inbound-location.json')).toStrictEqual([
      {
        kind: 'inbound',
        providerMessageId: 'c1c2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8',
        from: '+919917443994',
        to: '911244006972',
        senderName: 'Smit',
        messageType: 'location',
        text: null,
        receivedAt: 1644911629000,
        payload: { ...json('enterprise-inbound-location.json'), location: { longitude: '77.5946', latitude: '12.9716' } },
      },
    ]);
  });

  it('accepts an inbound message sent as GET query parameters', () => {
    const result = parseGupshupCallback(raw({ method: 'GET', contentType: null, query: { mobile: '919876543210', type: 'text', text: 'STOP', timestamp: '1658261071000' } }));
    expect(result.ok && result.events).toMatchObject([{ kind: 'inbound', from: '+919876543210', text: 'STOP', receivedAt: 1658261071000 }]);
  });
});

describe('parseGupshupCallback — self-serve version-2 envelopes (B6)', () => {
  it('ignores enqueued', () => {
    expect(events('selfserve-event-enqueued.json')).toStrictEqual([]);
  });

  it('maps a synchronous failed event (id = our messageId, no ts → envelope timestamp)', () => {
    expect(events('selfserve-event-failed-sync.json')).toStrictEqual([
      {
        kind: 'receipt',
        providerMessageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35',
        status: 'failed',
        occurredAt: 1580311136040,
        phone: '+918898702134',
        errorCode: '1008',
        errorDetail: 'User is not Opted in and Inactive',
        category: 'not_opted_in',
      },
    ]);
  });

  it('keys an asynchronous failure by gsId and maps 470 to outside_window', () => {
    expect(events('selfserve-event-failed-async.json')).toStrictEqual([
      {
        kind: 'receipt',
        providerMessageId: '72f61f22-5aa4-4615-a970-943edf6da01c',
        status: 'failed',
        occurredAt: 1663138637856,
        phone: '+918898702134',
        errorCode: '470',
        errorDetail: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number',
        category: 'outside_window',
      },
    ]);
  });

  it.each([
    ['selfserve-event-sent.json', 'sent', 1585344475000, '+917798544103'],
    ['selfserve-event-delivered.json', 'delivered', 1585344476000, '+918898702134'],
    ['selfserve-event-read.json', 'read', 1585344602000, '+918898702134'],
  ] as const)('maps %s by gsId with ts in seconds', (file, status, occurredAt, phone) => {
    expect(events(file)).toStrictEqual([{ kind: 'receipt', providerMessageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35', status, occurredAt, phone }]);
  });

  it('reads an inbound text', () => {
    expect(events('selfserve-message-text.json')).toStrictEqual([
      {
        kind: 'inbound',
        providerMessageId: 'ABEGkYaYVSEEAhAL3SLAWwHKeKrt6s3FKB0c',
        from: '+918898702134',
        senderName: 'Andy',
        messageType: 'text',
        text: 'Hi',
        receivedAt: 1580227766370,
        payload: json('selfserve-message-text.json').payload,
      },
    ]);
  });

  it('takes context.gsId (our messageId) as the context', () => {
    expect(events('selfserve-message-text-context.json')).toMatchObject([{ text: 'hi', senderName: 'Jacob', contextMessageId: '9b71295f-f7af-4c1f-b2b4-31b4a4867bad', receivedAt: 1590854464792 }]);
  });

  it('reads a quick_reply tap as a button, falling back to context.id, and the app phone as to', () => {
    expect(events('selfserve-message-quick-reply.json')).toStrictEqual([
      {
        kind: 'inbound',
        providerMessageId: 'ABEGkYaYVSEEAgo-quickreply01',
        from: '+918898702134',
        to: '917834811114',
        senderName: 'Andy',
        messageType: 'button',
        text: 'Yes, please',
        contextMessageId: 'gBEGkYaYVSEEAgnPFrOLcjkFjL8',
        receivedAt: 1712230664720,
        payload: json('selfserve-message-quick-reply.json').payload,
      },
    ]);
  });

  it('recognises a button tap whose outer type is "text" by its inner type', () => {
    expect(events('selfserve-message-quick-reply-as-text.json')).toMatchObject([{ messageType: 'button', text: 'No', contextMessageId: '9b71295f-f7af-4c1f-b2b4-31b4a4867bad' }]);
  });

  it('reads an image (caption as text) and a list reply (title as text)', () => {
    expect(events('selfserve-message-image.json')).toMatchObject([{ messageType: 'image', text: 'my receipt', providerMessageId: 'ABEGkYaYVSEEAgo-image0001' }]);
    expect(events('selfserve-message-list-reply.json')).toMatchObject([{ messageType: 'interactive', text: '👍', contextMessageId: '9b71295f-f7af-4c1f-b2b4-31b4a4867bad' }]);
  });

  it('reads a file as a document (caption as text) and a location (coordinates in the payload)', () => {
    expect(events('selfserve-message-file.json')).toMatchObject([
      { messageType: 'document', text: 'my invoice', providerMessageId: 'ABEGkYaYVSEEAgo-file00001', payload: { payload: { name: 'invoice.pdf', url: 'https://filemanager.gupshup.io/wa/abc/invoice.pdf' } } },
    ]);
    expect(events('selfserve-message-location.json')).toStrictEqual([
      {
        kind: 'inbound',
        providerMessageId: 'ABEGkYaYVSEEAgo-locat0001',
        from: '+918898702134',
        senderName: 'Andy',
        messageType: 'location',
        text: null,
        receivedAt: 1590854464792,
        payload: (json('selfserve-message-location.json') as { payload: unknown }).payload,
      },
    ]);
  });

  it('maps user events, ignoring sandbox-start', () => {
    expect(events('selfserve-user-opted-in.json')).toStrictEqual([{ kind: 'user', phone: '+918898702134', type: 'opted_in' }]);
    expect(events('selfserve-user-opted-out.json')).toStrictEqual([{ kind: 'user', phone: '+918898702134', type: 'opted_out' }]);
    expect(events('selfserve-user-sandbox-start.json')).toStrictEqual([]);
  });

  it('maps a marketing-preference stop to opted_out', () => {
    expect(events('selfserve-preference-event-stop.json')).toStrictEqual([{ kind: 'user', phone: '+918898702134', type: 'opted_out' }]);
  });

  it('ignores template, account and billing events', () => {
    for (const type of ['template-event', 'account-event', 'billing-event']) {
      const body = JSON.stringify({ app: 'DemoApp', timestamp: 1, version: 2, type, payload: { id: 'x' } });
      expect(parseGupshupCallback(raw({ body }))).toStrictEqual({ ok: true, events: [] });
    }
  });

  it('refuses the version-3 (Meta) format with instructions', () => {
    expect(errorOf(parseGupshupCallback(loadCallbackFixture('gupshup/selfserve-v3-meta-format.json')))).toMatch(/version-3.*payload version 2/);
  });
});

describe('parseGupshupCallback — malformed input', () => {
  it.each([
    ['an empty request', raw({ body: '' }), /empty callback/],
    ['invalid JSON', raw({ body: '{"response":[' }), /body: not valid JSON/],
    ['a response field that is not JSON', raw({ contentType: 'application/x-www-form-urlencoded', body: 'response=%5Bnope' }), /response: expected a JSON array.*invalid JSON/],
    ['a DLR without externalId', raw({ body: '[{"eventType":"READ"}]' }), /\[0\]\.externalId: expected a non-empty string/],
    ['an unknown eventType', raw({ body: '[{"externalId":"1-2","eventType":"BOUNCED"}]' }), /\[0\]\.eventType: expected SENT, DELIVERED, READ or FAILED, got "BOUNCED"/],
    ['an unreadable eventTs', raw({ body: '[{"externalId":"1-2","eventType":"READ","eventTs":"yesterday"}]' }), /\[0\]\.eventTs: expected epoch/],
    ['a DLR batch holding a string', raw({ body: '["oops"]' }), /\[0\]\.: expected a delivery report object/],
    ['an inbound message from a non-number', raw({ body: '{"mobile":"abc","type":"text","text":"hi"}' }), /mobile: expected the sender's number/],
    ['an inbound image with broken JSON', raw({ body: '{"mobile":"919876543210","type":"image","image":"{\\"url\\":"}' }), /image: expected a JSON object/],
    ['an unrecognised object', raw({ body: '{"hello":"world"}' }), /expected a Gupshup delivery report.*keys hello/],
    ['a JSON scalar', raw({ body: '42' }), /expected a Gupshup delivery report/],
    ['an envelope without a payload object', raw({ body: '{"app":"A","version":2,"type":"message","payload":"x"}' }), /payload: expected an object/],
    ['a user event with a bad phone', raw({ body: '{"app":"A","version":2,"timestamp":1,"type":"user-event","payload":{"type":"opted-out","phone":"n/a"}}' }), /payload\.phone: expected/],
    ['multipart', raw({ contentType: 'multipart/form-data; boundary=x', body: '--x--' }), /unsupported content type/],
  ])('answers a clear error for %s', (_label, input, message) => {
    expect(errorOf(parseGupshupCallback(input))).toMatch(message);
  });

  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', null, 'text/plain'),
        fc.dictionary(fc.string(), fc.string()),
        (body, contentType, query) => {
          const result = parseGupshupCallback({ method: 'POST', contentType, body, query, headers: {} });
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });
});
