/**
 * The campaign builder's estimate with a frequency cap (POST /api/v1/audience/estimate with
 * `frequencyCap`): how many reachable profiles the cap would skip now, counted as publish counts
 * them, for every kind of audience, within the project only — and equal to what publish then skips.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { FakeProvider, waitFor } from '../helpers/fake-provider.js';
import { profileIdOf, seedCampaign, type SeedMessage } from '../helpers/campaign-seed.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(testEngines())('estimated reach with a frequency cap ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let other: TestProject;
  let providerId: string;
  let templateId: string;
  const fake = new FakeProvider();

  // Who received what, within the project, before the campaign being built.
  const PROFILES = [
    { identity: 'thrice', phone: testPhone(1), properties: { City: 'MUM' } }, // 3 in the last 7 days
    { identity: 'once', phone: testPhone(2), properties: { City: 'MUM' } }, // 1 in the last 7 days
    { identity: 'last-month', phone: testPhone(3), properties: { City: 'DEL' } }, // 1, 10 days ago
    { identity: 'failed-only', phone: testPhone(4), properties: { City: 'MUM' } }, // failed and skipped: reached nobody
    { identity: 'replied-to', phone: testPhone(5), properties: { City: 'DEL' } }, // an agent's reply: not a campaign message
    { identity: 'fresh', phone: testPhone(6), properties: { City: 'MUM' } }, // nothing
    { identity: 'not-opted-in', phone: testPhone(7), properties: { City: 'MUM' }, optedIn: false }, // 3, but not reachable anyway
  ];

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject('A');
    other = await ctx.createProject('B');
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput({ ratePerSecond: 1000 }) })).id;
    templateId = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId, namespace: 'ABC:capped', body: 'Hi {{1}}', attachmentType: 'none' } }),
    ).id;
    await seedProfiles(ctx.db, project.projectId, PROFILES);
    // The same people in another project, never messaged there.
    await seedProfiles(ctx.db, other.projectId, PROFILES);

    const now = Date.now();
    const id = (identity: string) => profileIdOf(ctx.db, project.projectId, identity);
    const to = async (identity: string, overrides: Partial<SeedMessage> = {}): Promise<SeedMessage> => ({
      profileId: await id(identity),
      phone: PROFILES.find((profile) => profile.identity === identity)!.phone,
      status: 'sent',
      sentAt: now - DAY,
      ...overrides,
    });
    const seed = (messages: SeedMessage[]) => seedCampaign(ctx.db, { projectId: project.projectId, providerId, templateId, messages });
    await seed([await to('thrice'), await to('once'), await to('last-month', { sentAt: now - 10 * DAY }), await to('failed-only'), await to('not-opted-in')]);
    await seed([await to('thrice', { status: 'unknown' }), await to('failed-only'), await to('not-opted-in'), await to('replied-to', { kind: 'reply' })]);
    await seed([await to('thrice', { status: 'queued' }), await to('not-opted-in')]);
    // failed-only's messages reached nobody.
    const failedOnly = await id('failed-only');
    const [first, second] = await ctx.db.kysely.selectFrom('messages').select('id').where('profile_id', '=', failedOnly).orderBy('id').execute();
    await ctx.db.kysely.updateTable('messages').set({ status: 'failed' }).where('id', '=', first!.id).execute();
    await ctx.db.kysely.updateTable('messages').set({ status: 'skipped', skip_reason: 'dnd' }).where('id', '=', second!.id).execute();
  });
  afterAll(() => ctx?.close());

  const estimate = (payload: object, headers = project.headers) => ctx.app.inject({ method: 'POST', url: '/api/v1/audience/estimate', headers, payload });
  const capped = async (payload: object, headers = project.headers) => {
    const response = await estimate(payload, headers);
    expect(response.statusCode, response.body).toBe(200);
    return json(response);
  };

  it('answers reach alone without a cap, as before', async () => {
    expect(await capped({ audience: { all: true } })).toEqual({ total: 7, reachable: 6 });
    expect(await capped({ audience: { all: true }, frequencyCap: null })).toEqual({ total: 7, reachable: 6 });
  });

  it('counts the reachable profiles that already reached the cap, with only the messages that went out or may still go', async () => {
    const all = { all: true };
    // thrice (sent, unknown, queued) and once; not last-month (outside 7 days), failed-only, replied-to, fresh or not-opted-in.
    expect(await capped({ audience: all, frequencyCap: { messages: 1, days: 7 } })).toEqual({ total: 7, reachable: 6, frequencyCapped: 2 });
    expect(await capped({ audience: all, frequencyCap: { messages: 3, days: 7 } })).toEqual({ total: 7, reachable: 6, frequencyCapped: 1 });
    expect(await capped({ audience: all, frequencyCap: { messages: 4, days: 7 } })).toEqual({ total: 7, reachable: 6, frequencyCapped: 0 });
    // A longer window takes in last month's message.
    expect(await capped({ audience: all, frequencyCap: { messages: 1, days: 30 } })).toEqual({ total: 7, reachable: 6, frequencyCapped: 3 });
  });

  it('works for a segment and for a list of identities', async () => {
    const segment = json(
      await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/segments',
        headers: project.headers,
        payload: { name: 'Mumbai', filter: { type: 'property', name: 'City', op: 'eq', value: 'MUM' } },
      }),
    );
    expect(await capped({ audience: { segmentId: segment.id }, frequencyCap: { messages: 1, days: 30 } })).toEqual({ total: 5, reachable: 4, frequencyCapped: 2 });
    expect(await capped({ audience: { identities: ['thrice', 'fresh', 'not-opted-in', 'nobody'] }, frequencyCap: { messages: 1, days: 7 } })).toEqual({
      total: 3,
      reachable: 2,
      frequencyCapped: 1,
    });
  });

  it('counts within the project only', async () => {
    expect(await capped({ audience: { all: true }, frequencyCap: { messages: 1, days: 30 } }, other.headers)).toEqual({ total: 7, reachable: 6, frequencyCapped: 0 });
  });

  it('refuses a cap out of bounds with the words a campaign gets', async () => {
    const response = await estimate({ audience: { all: true }, frequencyCap: { messages: 0, days: 365 } });
    expect(response.statusCode).toBe(422);
    expect(json(response).error.details).toEqual([
      { path: 'frequencyCap.messages', message: 'must be a whole number from 1 to 100' },
      { path: 'frequencyCap.days', message: 'must be a whole number from 1 to 90' },
    ]);
    const fractional = await estimate({ audience: { all: true }, frequencyCap: { messages: 1.5, days: 7 } });
    expect(json(fractional).error.details).toEqual([{ path: 'frequencyCap.messages', message: 'must be a whole number from 1 to 100' }]);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const operation = doc.paths['/api/v1/audience/estimate'].post;
    const body = operation.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties)).toEqual(['audience', 'frequencyCap', 'providerId']);
    expect(JSON.stringify(body.properties.frequencyCap)).toContain('"maximum":100');
    const answer = operation.responses['200'].content['application/json'].schema;
    expect(Object.keys(answer.properties)).toEqual(['total', 'reachable', 'frequencyCapped', 'messagingLimit']);
    expect(answer.required).toEqual(['total', 'reachable']);
  });

  it('skips at publish as many as it estimated', async () => {
    const cap = { messages: 1, days: 7 };
    const expected = await capped({ audience: { all: true }, frequencyCap: cap });
    const draft = json(
      await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/campaigns',
        headers: project.headers,
        payload: { name: 'Capped', providerId, templateId, audience: { all: true }, params: ['there'], frequencyCap: cap },
      }),
    );
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${draft.id}/publish`, headers: project.headers, payload: {} })).statusCode).toBe(200);
    ctx.startWorker();
    const report = async () => json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${draft.id}`, headers: project.headers }));
    await waitFor(async () => (await report()).state === 'completed', 20_000, 'campaign completion');
    const { stats } = await report();
    expect(stats.skipped.frequencyCap).toBe(expected.frequencyCapped);
    expect(stats.sent).toBe(expected.reachable - expected.frequencyCapped);
  });
});
