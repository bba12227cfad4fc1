import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RESTORE_PAUSE_REASON } from '../../src/campaigns/restore-pause.js';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { FakeProvider, waitFor } from '../helpers/fake-provider.js';
import { seedPhoneDnd, seedProfiles, testPhone } from '../helpers/audience.js';
import { seedCampaign } from '../helpers/campaign-seed.js';

// One name that resolves to a private address, for the media URLs whose host is rendered per
// recipient (every other name resolves as the machine resolves it).
vi.mock('node:dns/promises', async (importOriginal) => {
  const dns = await importOriginal<typeof import('node:dns/promises')>();
  const lookup = ((host: string, options?: object) =>
    host === 'intranet.example.com' ? Promise.resolve([{ address: '10.0.0.7', family: 4 }]) : dns.lookup(host, options as never)) as typeof dns.lookup;
  return { ...dns, lookup, default: { ...dns, lookup } };
});

describe.each(testEngines())('campaign flow ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let templateId: string;
  const fake = new FakeProvider();

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput({ ratePerSecond: 1000 }) })).id;
    templateId = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId, namespace: 'ABC:welcome', body: 'Hi {{1}}, use {{2}}', attachmentType: 'none' } }),
    ).id;
    const reachable = Array.from({ length: 40 }, (_, i) => ({ identity: `user-${i}`, phone: testPhone(i), properties: { Name: `User ${i}`, City: i % 2 ? 'MUM' : 'DEL' } }));
    await seedProfiles(ctx.db, project.projectId, [
      ...reachable,
      { identity: 'not-opted-in', phone: testPhone(100), properties: { Name: 'No' }, optedIn: false },
      { identity: 'never-asked', phone: testPhone(101), properties: { Name: 'Maybe' }, optedIn: null },
      { identity: 'dnd-flag', phone: testPhone(102), properties: { Name: 'Dnd' }, dnd: true },
      { identity: 'dnd-phone-a', phone: testPhone(103), properties: { Name: 'A' } },
      { identity: 'dnd-phone-b', phone: testPhone(103), properties: { Name: 'B' } },
      { identity: 'no-phone', phone: null, properties: { Name: 'Nobody' } },
      { identity: 'no-name', phone: testPhone(104), properties: {} },
    ]);
    await seedPhoneDnd(ctx.db, project.projectId, testPhone(103));
  });
  afterAll(() => ctx?.close());

  const create = (payload: object) => ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: project.headers, payload });
  const action = (id: string, name: string) => ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${id}/${name}`, headers: project.headers, payload: {} });
  const get = async (id: string) => json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}`, headers: project.headers }));

  it('sends exactly one rendered message per reachable recipient and counts skips by reason', async () => {
    const draft = json(
      await create({
        name: 'Welcome',
        providerId,
        templateId,
        audience: { all: true },
        params: ['{{ Profile.Name }}', '{% if Profile.City == "MUM" %}MUM50{% else %}IND50{% endif %}'],
      }),
    );
    expect(draft.state).toBe('draft');
    const published = json(await action(draft.id, 'publish'));
    expect(published.state).toBe('running');
    ctx.startWorker();
    await waitFor(async () => (await get(draft.id)).state === 'completed', 20_000, 'campaign completion');

    const mine = fake.sends.filter((send) => send.namespace === 'ABC:welcome');
    expect(mine).toHaveLength(40);
    expect(new Set(mine.map((send) => send.to)).size).toBe(40);
    const user3 = mine.find((send) => send.to === testPhone(3))!;
    expect(user3.body).toBe('Hi User 3, use MUM50');
    expect(user3.params).toEqual(['User 3', 'MUM50']);

    const campaign = await get(draft.id);
    expect(campaign.stats).toMatchObject({
      targeted: 47,
      skipped: { notOptedIn: 2, dnd: 3, invalidPhone: 1, renderError: 1, frequencyCap: 0, total: 7 },
      queued: 0,
      sent: 40,
      delivered: 0,
      failed: 0,
      unknown: 0,
    });
    expect(campaign.completedAt).toBeGreaterThan(0);

    const skipped = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${draft.id}/messages?status=skipped`, headers: project.headers }));
    expect(skipped.items.map((item: { identity: string; skipReason: string }) => `${item.identity}:${item.skipReason}`).sort()).toEqual([
      'dnd-flag:dnd', 'dnd-phone-a:dnd', 'dnd-phone-b:dnd', 'never-asked:not_opted_in', 'no-name:render_error', 'no-phone:invalid_phone', 'not-opted-in:not_opted_in',
    ]);
    const renderError = skipped.items.find((item: { identity: string }) => item.identity === 'no-name');
    expect(renderError.errorDetail).toContain('{{1}}: missing value: Profile.Name');

    const page = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${draft.id}/messages?status=sent&limit=15`, headers: project.headers }));
    expect(page.items).toHaveLength(15);
    expect(page.nextCursor).not.toBeNull();
    const csv = await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${draft.id}/messages?format=csv`, headers: project.headers });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toMatch(/^message_id,identity,phone,status/);
    expect(lines).toHaveLength(48);

    const events = await ctx.db.kysely.selectFrom('events').select(['name']).where('project_id', '=', project.projectId).where('name', '=', 'Notification Sent').execute();
    expect(events).toHaveLength(40);
    const timeline = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${draft.id}/timeline`, headers: project.headers }));
    expect(timeline.items.reduce((sum: number, item: { sent: number }) => sum + item.sent, 0)).toBe(40);
    expect(timeline.nextCursor).toBeNull();
  });

  it('never sends twice when publish is repeated', async () => {
    const before = fake.sends.length;
    const draft = json(await create({ name: 'Twice', providerId, templateId, audience: { identities: ['user-1', 'user-2'] }, params: ['{{ Profile.Name }}', 'X'] }));
    const results = await Promise.all([action(draft.id, 'publish'), action(draft.id, 'publish'), action(draft.id, 'publish')]);
    expect(results.map((result) => result.statusCode).sort()).toEqual([200, 409, 409]);
    await waitFor(async () => (await get(draft.id)).state === 'completed', 20_000, 'completion');
    expect(fake.sends.length - before).toBe(2);
    expect((await get(draft.id)).stats.targeted).toBe(2);
  });

  it('skips recipients over the frequency cap, counting only messages that went out', async () => {
    const seeds = Array.from({ length: 6 }, (_, i) => ({ identity: `cap-${i}`, phone: testPhone(500 + i), properties: { Name: `Cap ${i}` } }));
    await seedProfiles(ctx.db, project.projectId, seeds);
    const identities = (count: number) => seeds.slice(0, count).map((seed) => seed.identity);
    const run = async (payload: object) => {
      const campaign = json(await create({ providerId, templateId, params: ['{{ Profile.Name }}', 'CAP'], ...payload }));
      expect((await action(campaign.id, 'publish')).statusCode).toBe(200);
      await waitFor(async () => (await get(campaign.id)).state === 'completed', 20_000, 'completion');
      return get(campaign.id);
    };

    const first = await run({ name: 'Cap first', audience: { identities: identities(4) } });
    expect(first.stats).toMatchObject({ sent: 4, skipped: { frequencyCap: 0 } });

    const capped = await run({ name: 'Cap one a week', audience: { identities: identities(6) }, frequencyCap: { messages: 1, days: 7 } });
    expect(capped.frequencyCap).toEqual({ messages: 1, days: 7 });
    expect(capped.stats).toMatchObject({ targeted: 6, sent: 2, skipped: { frequencyCap: 4, total: 4 } });
    const skipped = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${capped.id}/messages?status=skipped`, headers: project.headers }));
    expect(skipped.items.map((item: { identity: string; skipReason: string }) => `${item.identity}:${item.skipReason}`).sort()).toEqual(
      identities(4).map((identity) => `${identity}:frequency_cap`),
    );
    expect(skipped.items[0].errorDetail).toMatch(/already received 1 message\(s\) in the last 7 days \(frequency cap: 1 per 7 days\)/);

    // cap-0 has one message that went out (the capped campaign's skip does not count): a cap of 2 lets it through.
    const roomy = await run({ name: 'Cap two a week', audience: { identities: identities(1) }, frequencyCap: { messages: 2, days: 7 } });
    expect(roomy.stats).toMatchObject({ sent: 1, skipped: { frequencyCap: 0 } });
    const sends = fake.sends.filter((send) => send.to === testPhone(500)).length;
    expect(sends).toBe(2);
  });

  it("checks a scheduled campaign's frequency cap when its messages are sent, by send time, not at publish", async () => {
    const seeds = ['sched-w', 'sched-x', 'sched-y'].map((identity, i) => ({ identity, phone: testPhone(520 + i), properties: { Name: identity } }));
    await seedProfiles(ctx.db, project.projectId, seeds);
    const idOf = async (identity: string) => (await ctx.db.kysely.selectFrom('profiles').select('id').where('project_id', '=', project.projectId).where('identity', '=', identity).executeTakeFirstOrThrow()).id;
    // W received a message just inside the 7-day window at publish, and outside it by the send time.
    await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId,
      templateId,
      name: 'Last week',
      messages: [{ profileId: await idOf('sched-w'), phone: testPhone(520), status: 'sent', sentAt: Date.now() - 7 * 24 * 3600_000 + 4_000 }],
    });
    const scheduled = json(
      await create({ name: 'Weekend, capped', providerId, templateId, params: ['{{ Profile.Name }}', 'SCHED'], audience: { identities: seeds.map((seed) => seed.identity) }, sendAt: Date.now() + 9_000, frequencyCap: { messages: 1, days: 7 } }),
    );
    expect((await action(scheduled.id, 'publish')).statusCode).toBe(200);
    // Materialised at publish with nobody skipped: the cap waits for the send time.
    await waitFor(async () => (await get(scheduled.id)).stats.queued === 3, 10_000, 'the scheduled audience');
    expect((await get(scheduled.id)).stats.skipped.frequencyCap).toBe(0);
    // X gets another campaign's message after the publish, before the send time.
    const other = json(await create({ name: 'Flash sale', providerId, templateId, params: ['{{ Profile.Name }}', 'FLASH'], audience: { identities: ['sched-x'] } }));
    await action(other.id, 'publish');
    await waitFor(async () => (await get(other.id)).state === 'completed', 20_000, 'the flash sale');

    await waitFor(async () => (await get(scheduled.id)).state === 'completed', 30_000, 'the scheduled campaign');
    expect((await get(scheduled.id)).stats).toMatchObject({ targeted: 3, sent: 2, skipped: { frequencyCap: 1, total: 1 }, queued: 0 });
    const skipped = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${scheduled.id}/messages?status=skipped`, headers: project.headers })).items;
    expect(skipped).toEqual([expect.objectContaining({ identity: 'sched-x', skipReason: 'frequency_cap', errorDetail: expect.stringMatching(/already received 1 message\(s\) in the last 7 days .*checked when it was to be sent/) })]);
    expect(fake.sends.filter((send) => send.params[1] === 'SCHED').map((send) => send.to).sort()).toEqual([testPhone(520), testPhone(522)].sort());
  });

  it('validates the frequency cap', async () => {
    const response = await create({ name: 'Bad cap', providerId, templateId, audience: { all: true }, params: ['a', 'b'], frequencyCap: { messages: 0, days: 365 } });
    expect(response.statusCode).toBe(422);
    expect(json(response).error.details).toEqual(
      expect.arrayContaining([
        { path: 'frequencyCap.messages', message: 'must be a whole number from 1 to 100' },
        { path: 'frequencyCap.days', message: 'must be a whole number from 1 to 90' },
      ]),
    );
  });

  it('counts a conversion once per recipient who does the goal event after the message', async () => {
    const campaign = json(
      await create({ name: 'Goal', providerId, templateId, audience: { identities: ['user-1', 'user-2'] }, params: ['{{ Profile.Name }}', 'G'], conversionEvent: 'Purchase' }),
    );
    await action(campaign.id, 'publish');
    await waitFor(async () => (await get(campaign.id)).state === 'completed', 20_000, 'completion');
    const ts = Math.floor(Date.now() / 1000) + 2;
    const purchase = (identity: string) => ({ identity, type: 'event', evtName: 'purchase', evtData: { Amount: 10 }, ts });
    const upload = await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d: [purchase('user-1'), purchase('user-1'), purchase('user-3')] } });
    expect(json(upload).status).toBe('success');
    expect((await get(campaign.id)).stats.converted).toBe(1);
    await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d: [purchase('user-1')] } });
    expect((await get(campaign.id)).stats.converted).toBe(1);
  });

  it('refuses illegal state changes with 409 and clones into a draft', async () => {
    const draft = json(await create({ name: 'States', providerId, templateId, audience: { identities: ['user-5'] }, params: ['a', 'b'] }));
    expect((await action(draft.id, 'pause')).statusCode).toBe(409);
    expect((await action(draft.id, 'resume')).statusCode).toBe(409);
    const stop = await action(draft.id, 'stop');
    expect(stop.statusCode).toBe(409);
    expect(json(stop).error.message).toMatch(/Cannot stop a draft campaign/);
    const clone = await action(draft.id, 'clone');
    expect(clone.statusCode).toBe(201);
    expect(json(clone)).toMatchObject({ name: 'States (copy)', state: 'draft', clonedFrom: draft.id, params: ['a', 'b'] });
  });

  it('validates the definition field by field', async () => {
    const response = await create({ name: '', providerId, templateId, audience: { all: false }, params: ['{{ Profile.Name '], mediaUrl: 'http://127.0.0.1/x.jpg', ratePerSecond: 5000, dnd: { from: '25:00', to: '09:00', timezone: 'Nowhere/City', action: 'delay' } });
    expect(response.statusCode).toBe(422);
    const paths = json(response).error.details.map((problem: { path: string }) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'audience.all', 'params', 'params.0', 'mediaUrl', 'ratePerSecond', 'dnd.from', 'dnd.timezone']));
  });

  it('refuses a media URL naming this machine with a trailing dot', async () => {
    const imageTemplateId = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId, namespace: 'ABC:dotted', body: 'Look {{1}}', attachmentType: 'image' } }),
    ).id;
    const response = await create({ name: 'Dotted', providerId, templateId: imageTemplateId, params: ['x'], audience: { all: true }, mediaUrl: 'http://localhost./a.jpg' });
    expect(response.statusCode).toBe(422);
    expect(json(response).error.details).toEqual([expect.objectContaining({ path: 'mediaUrl', message: expect.stringMatching(/this machine or a private network/) })]);
  });

  it('keeps media URLs with Liquid off private addresses: the fixed host when saved, each rendered URL at publish', async () => {
    const imageTemplateId = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId, namespace: 'ABC:picture', body: 'Look {{1}}', attachmentType: 'image' } }),
    ).id;
    const base = { name: 'Pictures', providerId, templateId: imageTemplateId, params: ['{{ Profile.Name }}'] };
    const fixedHost = await create({ ...base, audience: { all: true }, mediaUrl: 'http://127.0.0.1/{{ Profile.Name }}.jpg' });
    expect(fixedHost.statusCode).toBe(422);
    expect(json(fixedHost).error.details).toEqual([expect.objectContaining({ path: 'mediaUrl', message: expect.stringMatching(/loopback or private/) })]);

    await seedProfiles(ctx.db, project.projectId, [
      { identity: 'pic-public', phone: testPhone(300), properties: { Name: 'Pub', Img: 'https://cdn.example.com/p.jpg' } },
      { identity: 'pic-mapped', phone: testPhone(301), properties: { Name: 'Map', Img: 'http://[::ffff:127.0.0.1]/p.jpg' } },
      { identity: 'pic-metadata', phone: testPhone(302), properties: { Name: 'Meta', Img: 'http://169.254.169.254/latest' } },
      { identity: 'pic-intranet', phone: testPhone(303), properties: { Name: 'Intra', Img: 'https://intranet.example.com/p.jpg' } },
    ]);
    const campaign = json(await create({ ...base, audience: { identities: ['pic-public', 'pic-mapped', 'pic-metadata', 'pic-intranet'] }, mediaUrl: '{{ Profile.Img }}' }));
    await action(campaign.id, 'publish');
    await waitFor(async () => (await get(campaign.id)).state === 'completed', 20_000, 'campaign completion');
    expect(fake.sends.filter((send) => send.namespace === 'ABC:picture').map((send) => send.mediaUrl)).toEqual(['https://cdn.example.com/p.jpg']);
    const skipped = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/messages?status=skipped`, headers: project.headers })).items;
    expect(skipped).toHaveLength(3);
    const detailOf = (identity: string) => skipped.find((message: { phone: string }) => message.phone === testPhone({ 'pic-mapped': 301, 'pic-metadata': 302, 'pic-intranet': 303 }[identity]!))?.errorDetail;
    expect(detailOf('pic-mapped')).toMatch(/which must not point at a loopback or private address/);
    expect(detailOf('pic-metadata')).toMatch(/which must not point at a loopback or private address/);
    // A host name is looked up (once per name) when the URL's host is rendered per recipient.
    expect(detailOf('pic-intranet')).toBe(
      'media URL rendered to "https://intranet.example.com/p.jpg", which must not point at a private address (intranet.example.com resolves to one; set WACAST_ALLOW_PRIVATE_URLS=true to allow)',
    );
    for (const message of skipped) expect(message.skipReason).toBe('render_error');
  });

  it('pauses, resumes and stops a running campaign', async () => {
    const seeds = Array.from({ length: 300 }, (_, i) => ({ identity: `bulk-${i}`, phone: testPhone(1000 + i), properties: { Name: `B${i}` } }));
    await seedProfiles(ctx.db, project.projectId, seeds);
    await ctx.app.inject({ method: 'PATCH', url: `/api/v1/providers/${providerId}`, headers: project.headers, payload: { ratePerSecond: 100 } });
    const campaign = json(await create({ name: 'Slow', providerId, templateId, audience: { identities: seeds.map((seed) => seed.identity) }, params: ['{{ Profile.Name }}', 'P'] }));
    await action(campaign.id, 'publish');
    await waitFor(async () => (await get(campaign.id)).stats.sent >= 20, 20_000, 'first sends');
    expect(json(await action(campaign.id, 'pause')).state).toBe('paused');
    // Claiming stops within a second; messages claimed before still go (and are counted) once:
    // wait for them, however slow the machine, then nothing more may be sent.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const inFlight = async () =>
      Number((await ctx.db.kysely.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('campaign_id', '=', campaign.id).where('status', '=', 'sending').executeTakeFirstOrThrow()).n);
    await waitFor(async () => (await inFlight()) === 0, 10_000, 'the sends claimed before the pause');
    const atPause = (await get(campaign.id)).stats.sent;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await get(campaign.id)).stats.sent).toBe(atPause);
    const editRunning = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/campaigns/${campaign.id}`, headers: project.headers, payload: { params: ['x', 'y'] } });
    expect(editRunning.statusCode).toBe(409);
    // Paused by `wacast restore` (restore-pause.ts), a campaign carries that reason until it is resumed.
    await ctx.db.kysely.updateTable('campaigns').set({ state_reason: RESTORE_PAUSE_REASON }).where('id', '=', campaign.id).execute();
    expect((await get(campaign.id)).stateReason).toBe(RESTORE_PAUSE_REASON);
    const resumed = json(await action(campaign.id, 'resume'));
    expect([resumed.state, resumed.stateReason]).toEqual(['running', null]);
    await waitFor(async () => (await get(campaign.id)).stats.sent > atPause, 10_000, 'sending after resume');
    const stopped = json(await action(campaign.id, 'stop'));
    expect(stopped.state).toBe('stopped');
    await waitFor(async () => {
      const stats = (await get(campaign.id)).stats;
      return stats.queued === 0 && stats.sent + stats.cancelled === 300;
    }, 10_000, 'every message settled after stop');
    const sentForCampaign = fake.sends.filter((send) => send.params[1] === 'P');
    expect(new Set(sentForCampaign.map((send) => send.to)).size).toBe(sentForCampaign.length);
    expect(sentForCampaign.length).toBe((await get(campaign.id)).stats.sent);
    // Cancelled while queued or after being claimed for sending: the log gives the same reason.
    const cancelled = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/messages?status=cancelled&limit=500`, headers: project.headers })).items as Array<{ errorDetail: string | null }>;
    expect(cancelled.length).toBe((await get(campaign.id)).stats.cancelled);
    expect(new Set(cancelled.map((message) => message.errorDetail))).toEqual(new Set([`stopped through the API credentials "default" (${project.accountId})`]));
  });

  it('keeps campaigns inside their project', async () => {
    const campaign = json(await create({ name: 'Mine', providerId, templateId, audience: { all: true }, params: ['a', 'b'] }));
    const other = await ctx.createProject('other');
    for (const [method, url] of [
      ['GET', `/api/v1/campaigns/${campaign.id}`],
      ['PATCH', `/api/v1/campaigns/${campaign.id}`],
      ['DELETE', `/api/v1/campaigns/${campaign.id}`],
      ['POST', `/api/v1/campaigns/${campaign.id}/publish`],
      ['POST', `/api/v1/campaigns/${campaign.id}/clone`],
      ['GET', `/api/v1/campaigns/${campaign.id}/messages`],
      ['GET', `/api/v1/campaigns/${campaign.id}/timeline`],
    ] as const) {
      const response = await ctx.app.inject({ method, url, headers: other.headers, payload: method === 'PATCH' ? { name: 'x' } : method === 'POST' ? {} : undefined });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    const viaOther = await ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: other.headers, payload: { name: 'x', providerId, templateId, audience: { all: true }, params: ['a', 'b'] } });
    expect(viaOther.statusCode).toBe(422);
  });
});
