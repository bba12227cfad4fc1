import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { fixtureText } from '../helpers/provider-fixtures.js';
import { createCallbackAccount, fixtureNames, isReceiptFixture, postJson, replayFixture, vonageSignature, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { nexmoProviderInput } from '../helpers/fixtures.js';
import { CALLBACK_BODY_LIMIT } from '../../src/webhooks/callback.routes.js';

describe.each(testEngines())('callback endpoints ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let gupshup: CallbackAccountUrls;
  let nexmo: CallbackAccountUrls;
  const SECRET = 'sig-secret-abcdefgh'; // nexmoProviderInput's signature secret

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    gupshup = await createCallbackAccount(ctx, project, 'gupshup');
    nexmo = await createCallbackAccount(ctx, project, 'nexmo');
  });
  afterAll(() => ctx?.close());

  const lastEvent = () => ctx.db.kysely.selectFrom('callback_events').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
  const count = async () => Number((await ctx.db.kysely.selectFrom('callback_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it.each(fixtureNames('gupshup'))('stores the Gupshup fixture %s exactly as received', async (name) => {
    const url = isReceiptFixture(name) ? gupshup.delivery : gupshup.inbound;
    const response = await replayFixture(ctx, url, name);
    const row = await lastEvent();
    expect(row).toMatchObject({ project_id: project.projectId, provider_id: gupshup.id, provider_type: 'gupshup', kind: isReceiptFixture(name) ? 'delivery' : 'inbound' });
    if (name.endsWith('v3-meta-format.json')) {
      // Documented but refused: the account must be set to payload version 2.
      expect(response.statusCode).toBe(400);
      expect(json(response).error).toMatchObject({ code: 'invalid_callback', details: { seq: Number(row.seq) } });
      expect(json(response).error.message).toMatch(/version-3/);
      expect(row).toMatchObject({ state: 'invalid', error: expect.stringMatching(/version-3/) });
      return;
    }
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(row.state).toBe('pending');
    expect(row.signature_ok).toBeNull();
    if (name.endsWith('.query.json')) {
      expect(row.method).toBe('GET');
      expect(row.body).toBe('');
      expect(Object.fromEntries(new URLSearchParams(row.query!))).toEqual(JSON.parse(fixtureText(name)));
    } else {
      expect(row.method).toBe('POST');
      expect(row.body).toBe(fixtureText(name));
      expect(row.content_type).toBe(name.endsWith('.form.txt') ? 'application/x-www-form-urlencoded' : 'application/json');
      expect(row.query).toBeNull();
    }
  });

  it.each(fixtureNames('nexmo'))('verifies and stores the signed Vonage fixture %s', async (name) => {
    const url = isReceiptFixture(name) ? nexmo.delivery : nexmo.inbound;
    const response = await replayFixture(ctx, url, name, { signWith: SECRET });
    expect(response.statusCode, response.body).toBe(200);
    const row = await lastEvent();
    expect(row).toMatchObject({ provider_id: nexmo.id, provider_type: 'nexmo', kind: isReceiptFixture(name) ? 'status' : 'inbound', state: 'pending', signature_ok: 1, body: fixtureText(name) });
  });

  it.each(fixtureNames('nexmo'))('refuses the Vonage fixture %s signed with a wrong secret (401), keeping it as invalid', async (name) => {
    const url = isReceiptFixture(name) ? nexmo.delivery : nexmo.inbound;
    const response = await replayFixture(ctx, url, name, { signWith: 'not-the-secret' });
    expect(response.statusCode).toBe(401);
    expect(json(response).error.code).toBe('invalid_signature');
    const row = await lastEvent();
    expect(row).toMatchObject({ provider_id: nexmo.id, state: 'invalid', signature_ok: 0, body: fixtureText(name) });
    expect(row.error).toMatch(/signature/);
  });

  it('refuses an unsigned or tampered Vonage callback when the account has a signature secret', async () => {
    const body = fixtureText('nexmo/status-v1-delivered.json');
    // Unsigned: Vonage's own internal-error case (vonage.md §8). Only a 429 or 5xx makes it retry
    // (§9), so it is answered 503 with Retry-After, kept for inspection and never applied.
    const unsigned = await postJson(ctx, nexmo.delivery, body);
    expect(unsigned.statusCode).toBe(503);
    expect(unsigned.headers['retry-after']).toBe('5');
    expect(json(unsigned).error.code).toBe('unsigned_callback');
    expect(json(unsigned).error.message).toMatch(/no Authorization bearer token.*retries it signed/);
    expect(await lastEvent()).toMatchObject({ state: 'invalid', signature_ok: 0, http_status: 503, body });
    // The retry, signed, is accepted.
    const retried = await postJson(ctx, nexmo.delivery, body, { authorization: vonageSignature(body, SECRET) });
    expect(retried.statusCode).toBe(200);
    expect(await lastEvent()).toMatchObject({ state: 'pending', signature_ok: 1 });
    const tampered = await postJson(ctx, nexmo.delivery, body.replace('delivered', 'read'), { authorization: vonageSignature(body, SECRET) });
    expect(tampered.statusCode).toBe(401);
    expect((await lastEvent()).state).toBe('invalid');
  });

  it('accepts unsigned Vonage callbacks when the account has no signature secret', async () => {
    const { signatureSecret: _unused, ...credentials } = nexmoProviderInput().credentials;
    const unsigned = await createCallbackAccount(ctx, project, 'nexmo', { nickname: 'Unsigned', credentials });
    const response = await replayFixture(ctx, unsigned.delivery, 'nexmo/status-v1-read.json');
    expect(response.statusCode).toBe(200);
    expect(await lastEvent()).toMatchObject({ provider_id: unsigned.id, state: 'pending', signature_ok: null });
  });

  it('answers 404 to unknown, foreign-type and deleted tokens and stores nothing', async () => {
    const before = await count();
    const body = fixtureText('gupshup/enterprise-dlr-batch.json');
    const forged = `${gupshup.token.slice(0, -4)}AAAA`;
    for (const url of [
      `/hooks/gupshup/${forged}/delivery`,
      '/hooks/gupshup/short/delivery',
      `/hooks/nexmo/${gupshup.token}/status`, // a Gupshup token on the Vonage path
      `/hooks/gupshup/${gupshup.token}/status`, // no such kind for Gupshup
      `/hooks/nexmo/${nexmo.token}/delivery`,
    ]) {
      const response = await postJson(ctx, url, body);
      expect(response.statusCode, url).toBe(404);
    }
    const removable = await createCallbackAccount(ctx, project, 'gupshup', { nickname: 'Removable' });
    expect((await postJson(ctx, removable.delivery, body)).statusCode).toBe(200);
    const afterAccept = await count();
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/providers/${removable.id}`, headers: project.headers })).statusCode).toBe(204);
    // Tokens are cached for up to 2 s: a deleted account's URLs stop answering within that time.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await postJson(ctx, removable.delivery, body)).statusCode).toBe(404);
    expect(await count()).toBe(afterAccept);
    expect(afterAccept).toBe(before + 1);
  });

  it('refuses malformed bodies with a 400 that says what is wrong, and keeps them for inspection', async () => {
    const cases: Array<{ url: string; body: string; type?: string; expected: RegExp }> = [
      { url: gupshup.delivery, body: '{"externalId": ', expected: /not valid JSON/ },
      { url: gupshup.delivery, body: '[{"externalId":"1","eventType":"BOUNCED"}]', expected: /eventType: expected SENT, DELIVERED, READ or FAILED, got "BOUNCED"/ },
      { url: gupshup.inbound, body: 'hello=world', type: 'application/x-www-form-urlencoded', expected: /expected a Gupshup delivery report/ },
      { url: gupshup.inbound, body: '', type: 'text/plain', expected: /empty callback/ },
      { url: gupshup.inbound, body: '{"mobile":"12","type":"text","text":"hi"}', expected: /mobile: expected the sender's number/ },
      // Thousands of levels deep: once parsed, the recursive code that stores a callback used to
      // overflow the stack, so it was acknowledged and then never applied.
      { url: gupshup.inbound, body: `{"mobile":"919876543210","type":"text","text":"hi","extra":${'['.repeat(5000)}${']'.repeat(5000)}}`, expected: /body: nests objects and lists more than 64 levels deep/ },
      {
        url: gupshup.delivery,
        body: `response=${encodeURIComponent(`${'['.repeat(5000)}${']'.repeat(5000)}`)}`,
        type: 'application/x-www-form-urlencoded',
        expected: /response: nests objects and lists more than 64 levels deep/,
      },
    ];
    for (const { url, body, type, expected } of cases) {
      const response = await ctx.app.inject({ method: 'POST', url, headers: { 'content-type': type ?? 'application/json' }, payload: body });
      expect(response.statusCode, body).toBe(400);
      expect(json(response).error.code).toBe('invalid_callback');
      expect(json(response).error.message).toMatch(expected);
      const row = await lastEvent();
      expect(row).toMatchObject({ state: 'invalid', body });
      expect(row.error).toMatch(expected);
    }
    const vonage = await postJson(ctx, nexmo.delivery, '{"hello":1}', { authorization: vonageSignature('{"hello":1}', SECRET) });
    expect(vonage.statusCode).toBe(400);
    expect(json(vonage).error.message).toMatch(/expected a message status/);
    const deep = `{"message_uuid":"m-1","status":"delivered","to":"14155550100","timestamp":"2026-01-01T00:00:00Z","x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const deepVonage = await postJson(ctx, nexmo.delivery, deep, { authorization: vonageSignature(deep, SECRET) });
    expect(deepVonage.statusCode, deepVonage.body).toBe(400);
    expect(json(deepVonage).error.message).toMatch(/body: nests objects and lists more than 64 levels deep/);
  });

  it('limits the body size (413: kept without the body for a known token, nothing for an unknown one) and accepts any content type', async () => {
    const big = `response=${encodeURIComponent(JSON.stringify([{ externalId: '1', eventType: 'SENT', padding: 'x'.repeat(CALLBACK_BODY_LIMIT) }]))}`;
    const tooLarge = await ctx.app.inject({ method: 'POST', url: `${gupshup.delivery}?via=bulk`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: big });
    expect(tooLarge.statusCode).toBe(413);
    expect(json(tooLarge).error).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/262144 bytes/), details: { seq: expect.any(Number) } });
    expect(json(tooLarge).error.message).toContain(`this one had ${Buffer.byteLength(big)} bytes`);
    const kept = await lastEvent();
    expect(kept).toMatchObject({
      seq: json(tooLarge).error.details.seq, provider_id: gupshup.id, kind: 'delivery', state: 'invalid', http_status: 413, body: '', query: 'via=bulk',
      content_type: 'application/x-www-form-urlencoded', signature_ok: null,
    });
    expect(kept.error).toBe(`body: ${Buffer.byteLength(big)} bytes (its Content-Length), over the limit of 262144 bytes (256 KiB), so it was not read`);

    const before = await count();
    const forged = `/hooks/gupshup/${gupshup.token.slice(0, -4)}AAAA/delivery`;
    const unknown = await ctx.app.inject({ method: 'POST', url: forged, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: big });
    expect(unknown.statusCode).toBe(404);
    expect(await count()).toBe(before);
    const atLimit = await ctx.app.inject({ method: 'POST', url: gupshup.delivery, headers: { 'content-type': 'text/plain' }, payload: 'x'.repeat(CALLBACK_BODY_LIMIT) });
    expect(atLimit.statusCode).toBe(400); // read (not refused for its size), then found unreadable
    expect(await lastEvent()).toMatchObject({ http_status: 400, body: 'x'.repeat(CALLBACK_BODY_LIMIT) });

    const dlr = JSON.stringify([{ externalId: 'x-1', eventType: 'SENT', eventTs: 1_700_000_000_000, destAddr: '919876543210' }]);
    for (const type of ['text/plain', 'application/octet-stream', 'application/json; charset=utf-8', 'text/xml']) {
      const response = await ctx.app.inject({ method: 'POST', url: gupshup.delivery, headers: { 'content-type': type }, payload: dlr });
      expect(response.statusCode, type).toBe(200);
      expect(await lastEvent()).toMatchObject({ content_type: type, body: dlr, state: 'pending' });
    }
    const noType = await ctx.app.inject({ method: 'POST', url: gupshup.delivery, payload: Buffer.from(dlr) });
    expect(noType.statusCode).toBe(200);
    expect(await lastEvent()).toMatchObject({ content_type: null, body: dlr });
  });

  it('never crashes on hostile input and answers every concurrent request after its commit', async () => {
    const junk = ['\u0000\u0001\u0002', '{"response":', '[1,2,3]', '{"mobile":{"$gt":""}}', 'response=%E0%A4%A', '{}'.repeat(1000), '\uD800'];
    for (const body of junk) {
      const response = await ctx.app.inject({ method: 'POST', url: gupshup.inbound, headers: { 'content-type': 'application/json' }, payload: body });
      expect(response.statusCode, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
    }
    const before = await count();
    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        postJson(ctx, gupshup.delivery, [{ externalId: `concurrent-${i}`, eventType: 'DELIVERED', eventTs: 1_700_000_000_000 + i, destAddr: '919876543210' }]),
      ),
    );
    expect(responses.every((response) => response.statusCode === 200)).toBe(true);
    expect(await count()).toBe(before + 300);
    const stored = await ctx.db.kysely.selectFrom('callback_events').select(['seq', 'body']).where('body', 'like', '%concurrent-%').orderBy('seq').execute();
    expect(stored).toHaveLength(300);
    expect(new Set(stored.map((row) => JSON.parse(row.body)[0].externalId))).toEqual(new Set(Array.from({ length: 300 }, (_, i) => `concurrent-${i}`)));
  });
});
