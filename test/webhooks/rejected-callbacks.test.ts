/**
 * GET /api/v1/providers/:id/callbacks/rejected: refused callbacks of one account are shown with
 * the URL called, the status answered, the reason and the body; nothing secret; project-scoped;
 * keyset-paginated. And the 415 answer keeps what arrived, for a known token only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { fixtureText } from '../helpers/provider-fixtures.js';
import { createCallbackAccount, postJson, vonageSignature, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { Applier } from '../../src/webhooks/applier.js';
import { REJECTED_BODY_PREVIEW } from '../../src/webhooks/rejected-callbacks.js';

describe.each(testEngines())('rejected callbacks ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let gupshup: CallbackAccountUrls;
  let nexmo: CallbackAccountUrls;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    gupshup = await createCallbackAccount(ctx, project, 'gupshup');
    nexmo = await createCallbackAccount(ctx, project, 'nexmo');
  });
  afterAll(() => ctx?.close());

  const rejected = async (providerId: string, query = '', headers = project.headers) =>
    ctx.app.inject({ method: 'GET', url: `/api/v1/providers/${providerId}/callbacks/rejected${query}`, headers });
  const count = async () => Number((await ctx.db.kysely.selectFrom('callback_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('lists a malformed body with the URL called, the 400 answered and the reason', async () => {
    const body = '[{"externalId":"1","eventType":"BOUNCED"}]';
    const answer = await postJson(ctx, gupshup.delivery, body);
    expect(answer.statusCode).toBe(400);
    // An accepted one is not listed.
    expect((await postJson(ctx, gupshup.delivery, [{ externalId: 'ok-1', eventType: 'SENT', eventTs: 1_700_000_000_000, destAddr: '919876543210' }])).statusCode).toBe(200);

    const response = await rejected(gupshup.id);
    expect(response.statusCode).toBe(200);
    const page = json(response);
    expect(page.nextCursor).toBeNull();
    expect(page.items).toEqual([
      {
        seq: json(answer).error.details.seq,
        receivedAt: expect.any(Number),
        kind: 'delivery',
        method: 'POST',
        status: 400,
        reason: expect.stringMatching(/eventType: expected SENT, DELIVERED, READ or FAILED, got "BOUNCED"/),
        contentType: 'application/json',
        query: null,
        body,
        bodyLength: body.length,
        bodyTruncated: false,
      },
    ]);
    expect(Math.abs(page.items[0].receivedAt - Date.now())).toBeLessThan(60_000);
  });

  it('lists a Vonage status refused for its signature (401) with the reason, and never the bearer token', async () => {
    const body = fixtureText('nexmo/status-v1-delivered.json');
    const authorization = vonageSignature(body, 'not-the-secret');
    const answer = await postJson(ctx, nexmo.delivery, body, { authorization });
    expect(answer.statusCode).toBe(401);

    const response = await rejected(nexmo.id);
    expect(response.statusCode).toBe(200);
    const [item] = json(response).items;
    expect(item).toMatchObject({ kind: 'status', status: 401, body, contentType: 'application/json' });
    expect(item.reason).toMatch(/signature: the bearer token is not signed with this account's signature secret/);
    expect(response.body).not.toContain(authorization.slice('Bearer '.length));
    expect(response.body).not.toContain('sig-secret');
  });

  it('keeps a 415 (unreadable Content-Type) of a known token, and stores nothing for an unknown one', async () => {
    const answer = await ctx.app.inject({ method: 'POST', url: gupshup.inbound, headers: { 'content-type': 'not a media type' }, payload: '{"mobile":"919876543210"}' });
    expect(answer.statusCode).toBe(415);
    expect(json(answer).error).toMatchObject({ code: 'unsupported_media_type', message: expect.stringMatching(/kept for inspection/), details: { seq: expect.any(Number) } });
    const [item] = json(await rejected(gupshup.id)).items;
    expect(item).toMatchObject({ seq: json(answer).error.details.seq, kind: 'inbound', status: 415, contentType: 'not a media type', body: '' });
    expect(item.reason).toMatch(/Content-Type header "not a media type" is empty or unreadable/);

    const before = await count();
    const forged = `/hooks/gupshup/${gupshup.token.slice(0, -4)}AAAA/inbound`;
    const unknown = await ctx.app.inject({ method: 'POST', url: forged, headers: { 'content-type': 'not a media type' }, payload: '{}' });
    expect(unknown.statusCode).toBe(404);
    const wrongType = await ctx.app.inject({ method: 'POST', url: `/hooks/nexmo/${gupshup.token}/status`, headers: { 'content-type': 'not a media type' }, payload: '{}' });
    expect(wrongType.statusCode).toBe(404);
    expect(await count()).toBe(before);
  });

  it('redacts credentials in query strings and bodies, and cuts long bodies', async () => {
    const query = await ctx.app.inject({ method: 'GET', url: `${gupshup.delivery}?password=hunter2&api_key=k-123&externalId=7&status=BOUNCED` });
    expect(query.statusCode).toBe(400);
    let [item] = json(await rejected(gupshup.id)).items;
    expect(item).toMatchObject({ method: 'GET', status: 400, query: 'password=[redacted]&api_key=[redacted]&externalId=7&status=BOUNCED', body: '' });

    const leaky = '{"apiKey":"k-456","secret":"s-789","text":"hi"}';
    expect((await postJson(ctx, gupshup.inbound, leaky)).statusCode).toBe(400);
    [item] = json(await rejected(gupshup.id)).items;
    expect(item.body).toBe('{"apiKey":"[redacted]","secret":"[redacted]","text":"hi"}');

    const long = JSON.stringify({ note: 'x'.repeat(20_000) });
    expect((await postJson(ctx, gupshup.inbound, long)).statusCode).toBe(400);
    [item] = json(await rejected(gupshup.id)).items;
    expect(item).toMatchObject({ body: long.slice(0, REJECTED_BODY_PREVIEW), bodyLength: long.length, bodyTruncated: true });
  });

  it('pages newest first with nextCursor and limit', async () => {
    const account = await createCallbackAccount(ctx, project, 'gupshup', { nickname: 'Paged' });
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await postJson(ctx, account.delivery, `{"broken": ${i}`);
      expect(answer.statusCode).toBe(400);
      seqs.push(json(answer).error.details.seq);
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    const pages: number[] = [];
    do {
      const response = await rejected(account.id, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode).toBe(200);
      const page = json(response);
      pages.push(page.items.length);
      seen.push(...page.items.map((item: { seq: number }) => item.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual([...seqs].reverse());

    const bad = await rejected(account.id, '?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(422);
    expect(json(bad).error.message).toMatch(/cursor/);
    expect((await rejected(account.id, '?limit=0')).statusCode).toBe(422);
  });

  it('answers 404 to another project, to an unknown id and to a deleted account', async () => {
    const other = await ctx.createProject('other');
    const foreign = await rejected(gupshup.id, '', other.headers);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('BOUNCED');
    expect((await rejected('0190aaaa-0000-7000-8000-000000000000')).statusCode).toBe(404);
    const removable = await createCallbackAccount(ctx, project, 'gupshup', { nickname: 'Removable' });
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/providers/${removable.id}`, headers: project.headers })).statusCode).toBe(204);
    expect((await rejected(removable.id)).statusCode).toBe(404);
  });

  it('keeps at most the newest refused callbacks per account when pruning', async () => {
    const account = await createCallbackAccount(ctx, project, 'gupshup', { nickname: 'Capped' });
    const seqs: number[] = [];
    for (let i = 0; i < 4; i++) seqs.push(json(await postJson(ctx, account.delivery, `{"capped": ${i}`)).error.details.seq);
    const before = json(await rejected(gupshup.id)).items.length;
    const deleted = await new Applier(ctx.deps).pruneLog(Date.now(), 5000, 2);
    expect(deleted).toBeGreaterThanOrEqual(2);
    expect(json(await rejected(account.id)).items.map((item: { seq: number }) => item.seq)).toEqual([seqs[3], seqs[2]]);
    expect(json(await rejected(gupshup.id)).items.length).toBe(Math.min(before, 2));
  });
});
