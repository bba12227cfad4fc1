/**
 * When a campaign sends and stops: send times and cut-offs that cannot be right are refused with
 * the field named (never a 500, never a campaign that sends or cancels everything at once), DND
 * hours that are no window are refused, a paused campaign past its cut-off ends, and a copy keeps
 * a cut-off still ahead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { FakeProvider, waitFor } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { SchedulerService } from '../../src/campaigns/scheduler.js';
import { PublisherService } from '../../src/campaigns/publisher.js';
import { localMinutes } from '../../src/campaigns/dnd.js';
import { SendResultWriter } from '../../src/campaigns/send-results.js';
import { claimCampaignMessages, releaseClaimed } from '../../src/storage/message-queue.js';

const HOUR = 3_600_000;

describe.each(testEngines())('campaign scheduling ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let templateId: string;
  const fake = new FakeProvider();

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput({ ratePerSecond: 100 }) })).id;
    templateId = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId, namespace: 'ABC:when', body: 'Hi {{1}}', attachmentType: 'none' } }),
    ).id;
    await seedProfiles(ctx.db, project.projectId, Array.from({ length: 5 }, (_, i) => ({ identity: `s${i}`, phone: testPhone(700 + i), properties: { Name: `S${i}` } })));
  });
  afterAll(() => ctx?.close());

  const create = (payload: object) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: project.headers, payload: { name: 'When', providerId, templateId, audience: { all: true }, params: ['{{ Profile.Name }}'], ...payload } });
  const patch = (id: string, payload: object) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/campaigns/${id}`, headers: project.headers, payload });
  const action = (id: string, name: string) => ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${id}/${name}`, headers: project.headers, payload: {} });
  const get = async (id: string) => json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}`, headers: project.headers }));
  const problems = (response: Awaited<ReturnType<typeof create>>) => {
    expect(response.statusCode, response.body).toBe(422);
    return json(response).error.details as Array<{ path: string; message: string }>;
  };

  it('refuses times that are no date (a fraction of a millisecond, beyond any date) with the field named', async () => {
    for (const value of [1.5, 1e20, -1e17]) {
      expect(problems(await create({ sendAt: value }))).toEqual([{ path: 'sendAt', message: expect.stringMatching(/^must be a date-time/) }]);
      expect(problems(await create({ cutoffAt: value }))).toEqual([{ path: 'cutoffAt', message: expect.stringMatching(/^must be a date-time/) }]);
    }
    // Far ahead is a time like any other.
    expect((await create({ sendAt: '2999-01-01T09:00:00Z' })).statusCode).toBe(201);
  });

  it('refuses a send time or cut-off already past, at create, edit and publish', async () => {
    const now = Date.now();
    expect(problems(await create({ sendAt: now - HOUR }))).toEqual([{ path: 'sendAt', message: expect.stringMatching(/^must be in the future/) }]);
    // A cut-off after a past send time was accepted, and cancelled everything at publish.
    expect(problems(await create({ sendAt: now - 2 * HOUR, cutoffAt: now - HOUR })).map((problem) => problem.path)).toEqual(['sendAt', 'cutoffAt']);
    expect(problems(await create({ cutoffAt: now - HOUR }))).toEqual([{ path: 'cutoffAt', message: expect.stringMatching(/^must be in the future/) }]);
    expect(problems(await create({ sendAt: now + 2 * HOUR, cutoffAt: now + HOUR }))).toEqual([{ path: 'cutoffAt', message: 'must be after the send time' }]);

    const draft = json(await create({ sendAt: now + HOUR }));
    expect(problems(await patch(draft.id, { sendAt: now - HOUR }))).toEqual([{ path: 'sendAt', message: expect.stringMatching(/^must be in the future/) }]);
    // The send time passed while the campaign was a draft: publishing asks for a new time instead of sending at once.
    await ctx.db.kysely.updateTable('campaigns').set({ send_at: now - 60_000 }).where('id', '=', draft.id).execute();
    expect(problems(await action(draft.id, 'publish'))).toEqual([{ path: 'sendAt', message: expect.stringMatching(/^must be in the future/) }]);
    expect((await get(draft.id)).state).toBe('draft');
  });

  it('lets a published campaign whose send time passed be renamed, but not given a cut-off already past', async () => {
    const now = Date.now();
    const campaign = json(await create({ sendAt: now + HOUR, cutoffAt: now + 3 * HOUR }));
    expect(json(await action(campaign.id, 'publish')).state).toBe('scheduled');
    // It started an hour ago (as if), then was paused.
    await ctx.db.kysely.updateTable('campaigns').set({ send_at: now - HOUR, state: 'paused' }).where('id', '=', campaign.id).execute();
    const renamed = await patch(campaign.id, { name: 'Renamed' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(problems(await patch(campaign.id, { cutoffAt: now - 2 * HOUR }))).toEqual([{ path: 'cutoffAt', message: 'must be after the send time' }]);
    expect(problems(await patch(campaign.id, { cutoffAt: now - 60_000 }))).toEqual([{ path: 'cutoffAt', message: expect.stringMatching(/^must be in the future/) }]);
    expect((await patch(campaign.id, { cutoffAt: now + HOUR })).statusCode).toBe(200);
    await action(campaign.id, 'stop');
  });

  it('refuses DND hours that start and end at the same time', async () => {
    expect(problems(await create({ dnd: { from: '09:00', to: '09:00', timezone: 'Europe/Berlin', action: 'delay' } }))).toEqual([
      { path: 'dnd.to', message: expect.stringMatching(/^must differ from dnd.from/) },
    ]);
    expect((await create({ dnd: { from: '21:00', to: '09:00', timezone: 'Europe/Berlin', action: 'discard' } })).statusCode).toBe(201);
  });

  it('refuses to start inside DND hours that discard, which would discard every message', async () => {
    const timezone = 'Europe/Berlin';
    /** HH:00 in Berlin, `hours` from the local hour of `at`. */
    const hourFrom = (at: number, hours: number) => `${String((Math.floor(localMinutes(at, timezone) / 60) + hours + 24) % 24).padStart(2, '0')}:00`;
    const sendAt = Date.now() + 3 * HOUR;
    const around = (at: number, action: 'delay' | 'discard') => ({ from: hourFrom(at, -1), to: hourFrom(at, 2), timezone, action });
    expect(problems(await create({ sendAt, dnd: around(sendAt, 'discard') }))).toEqual([
      { path: 'dnd', message: expect.stringMatching(/^would discard every message: the campaign starts at \d\d:\d\d Europe\/Berlin, inside its DND hours/) },
    ]);
    expect((await create({ sendAt, dnd: around(sendAt, 'delay') })).statusCode).toBe(201);
    // Nor can a scheduled campaign be given such hours.
    const scheduled = json(await create({ sendAt }));
    expect(json(await action(scheduled.id, 'publish')).state).toBe('scheduled');
    expect(problems(await patch(scheduled.id, { dnd: around(sendAt, 'discard') }))).toEqual([{ path: 'dnd', message: expect.stringMatching(/^would discard every message/) }]);
    expect((await patch(scheduled.id, { dnd: around(sendAt, 'delay') })).statusCode).toBe(200);
    await action(scheduled.id, 'stop');

    // Sending at publish: saved as a draft, refused when published inside the hours.
    const draft = json(await create({ dnd: around(Date.now(), 'discard') }));
    expect(problems(await action(draft.id, 'publish'))).toEqual([{ path: 'dnd', message: expect.stringMatching(/^would discard every message: the campaign starts now at/) }]);
    expect((await get(draft.id)).state).toBe('draft');
    expect(json(await patch(draft.id, { dnd: around(Date.now(), 'delay') })).dnd.action).toBe('delay');
    expect(json(await action(draft.id, 'publish')).state).toBe('running');
    // Paused, then given hours that discard: resuming inside them would discard what is left.
    expect(json(await action(draft.id, 'pause')).state).toBe('paused');
    expect((await patch(draft.id, { dnd: around(Date.now(), 'discard') })).statusCode).toBe(200);
    const resume = await action(draft.id, 'resume');
    expect(resume.statusCode).toBe(409);
    expect(json(resume).error).toMatchObject({ code: 'inside_dnd_hours', message: expect.stringMatching(/^Cannot resume now: it is inside the campaign's DND hours .*Resume after/) });
    expect((await get(draft.id)).state).toBe('paused');
    expect((await patch(draft.id, { dnd: null })).statusCode).toBe(200);
    expect(json(await action(draft.id, 'resume')).state).toBe('running');
    await action(draft.id, 'stop');
  });

  it('ends a paused campaign at its cut-off: what was queued is cancelled with the reason', async () => {
    const now = Date.now();
    const campaign = json(await create({ name: 'Paused past cut-off', sendAt: now + HOUR, cutoffAt: now + 2 * HOUR }));
    await action(campaign.id, 'publish');
    await new PublisherService(ctx.deps, 'test-publisher').runOnce();
    expect(json(await action(campaign.id, 'pause')).state).toBe('paused');
    expect((await get(campaign.id)).stats).toMatchObject({ targeted: 5, queued: 5 });

    const scheduler = new SchedulerService(ctx.deps, 'test-scheduler');
    await scheduler.tick(now + HOUR + 1000);
    expect((await get(campaign.id)).state).toBe('paused');
    await scheduler.tick(now + 2 * HOUR + 1000);
    const ended = await get(campaign.id);
    expect(ended).toMatchObject({ state: 'completed', stateReason: 'cut-off time reached' });
    expect(ended.stats).toMatchObject({ targeted: 5, queued: 0, cancelled: 5, sent: 0 });
    const log = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/messages?status=cancelled`, headers: project.headers }));
    expect(log.items.map((item: { errorDetail: string }) => item.errorDetail)).toEqual(Array(5).fill('cut-off time reached'));
    expect((await action(campaign.id, 'resume')).statusCode).toBe(409);
    await scheduler.stop();
  });

  it('cancels the messages that come back to the queue after their campaign was stopped', async () => {
    const campaign = json(await create({ name: 'Stopped with messages in flight' }));
    await action(campaign.id, 'publish');
    await new PublisherService(ctx.deps, 'test-publisher').runOnce();
    const owner = 'worker-in-flight';
    const claimed = await claimCampaignMessages(ctx.db, campaign.id, { owner, limit: 5, leaseMs: 60_000 });
    expect(claimed).toHaveLength(5);
    // Stopped while all five are with the provider: nothing queued to cancel then.
    expect(json(await action(campaign.id, 'stop')).state).toBe('stopped');
    expect((await get(campaign.id)).stats).toMatchObject({ targeted: 5, queued: 5, cancelled: 0 });
    // Three answers are retryable (503); two were never sent (a release, as after a crash).
    const writer = new SendResultWriter(ctx.deps, { maxAttempts: 5, owner });
    const busy = { ok: false as const, outcome: 'not_sent' as const, category: 'provider_down' as const, retryable: true, detail: 'HTTP 503', raw: { request: { method: 'POST', url: 'http://provider/send', body: '' } } };
    for (const message of claimed.slice(0, 3)) writer.add(message, busy);
    await writer.flush();
    await releaseClaimed(ctx.db, claimed.slice(3).map((message) => message.id), owner, 'queued');
    const statuses = await ctx.db.kysely.selectFrom('messages').select('status').where('campaign_id', '=', campaign.id).execute();
    expect(statuses.map((row) => row.status)).toEqual(Array(5).fill('queued'));

    const scheduler = new SchedulerService(ctx.deps, 'test-scheduler-leftovers');
    try {
      await scheduler.tick();
      const stopped = await get(campaign.id);
      expect(stopped.stats).toMatchObject({ targeted: 5, queued: 0, cancelled: 5, sent: 0 });
      const log = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/messages?status=cancelled`, headers: project.headers }));
      expect(log.items.map((item: { errorDetail: string }) => item.errorDetail)).toEqual(Array(5).fill(stopped.stateReason));
      expect(stopped.stateReason).toMatch(/^stopped /);
    } finally {
      await scheduler.stop();
    }
  });

  it('completes a campaign that sent everything without blaming a cut-off that cut nothing', async () => {
    const now = Date.now();
    const campaign = json(await create({ name: 'All sent before the cut-off', sendAt: now + HOUR, cutoffAt: now + 2 * HOUR }));
    await action(campaign.id, 'publish');
    await new PublisherService(ctx.deps, 'test-publisher').runOnce();
    // Everything went out (as the dispatcher would record it), then the cut-off time passes.
    await ctx.db.kysely.updateTable('messages').set({ status: 'sent', sent_at: now + HOUR }).where('campaign_id', '=', campaign.id).execute();
    await ctx.db.kysely.updateTable('campaign_counters').set({ queued: 0, sent: 5 }).where('campaign_id', '=', campaign.id).execute();
    const scheduler = new SchedulerService(ctx.deps, 'test-scheduler-done');
    try {
      await scheduler.tick(now + 2 * HOUR + 1000);
      expect(await get(campaign.id)).toMatchObject({ state: 'completed', stateReason: null });
    } finally {
      await scheduler.stop();
    }
  });

  it('goes on with the other campaigns when one cannot be checked (a DND time zone this Node does not know)', async () => {
    const now = Date.now();
    const broken = json(await create({ name: 'Unknown zone', dnd: { from: '21:00', to: '09:00', timezone: 'Europe/Berlin', action: 'discard' } }));
    const fine = json(await create({ name: 'Due', sendAt: now + HOUR }));
    await action(fine.id, 'publish');
    // Published, then its zone vanished (a Node upgrade that dropped it): written straight to the row.
    await ctx.db.kysely
      .updateTable('campaigns')
      .set({ state: 'running', started_at: now, dnd: JSON.stringify({ from: '21:00', to: '09:00', timezone: 'Mars/Olympus_Mons', action: 'discard' }) })
      .where('id', '=', broken.id)
      .execute();
    const scheduler = new SchedulerService(ctx.deps, 'test-scheduler-zone');
    try {
      expect(await scheduler.tick(now + HOUR + 1000)).toBe(true);
      expect((await get(fine.id)).state).toBe('running');
      expect(ctx.logs.some((line) => line.includes('could not check this campaign') && line.includes(broken.id))).toBe(true);
    } finally {
      await scheduler.stop();
    }
    await action(fine.id, 'stop');
    await ctx.db.kysely.updateTable('campaigns').set({ state: 'stopped', dnd: null }).where('id', '=', broken.id).execute();
  });

  it("sends the account's other campaigns when one has DND hours it cannot read, and holds that one", async () => {
    const broken = json(await create({ name: 'Zone gone, sending' }));
    expect(json(await action(broken.id, 'publish')).state).toBe('running');
    await ctx.db.kysely
      .updateTable('campaigns')
      .set({ dnd: JSON.stringify({ from: '21:00', to: '09:00', timezone: 'Mars/Olympus_Mons', action: 'delay' }) })
      .where('id', '=', broken.id)
      .execute();
    const fine = json(await create({ name: 'Fine, sending' }));
    expect(json(await action(fine.id, 'publish')).state).toBe('running');
    ctx.startWorker();
    await waitFor(async () => (await get(fine.id)).state === 'completed', 20_000, 'the other campaign to complete');
    expect((await get(fine.id)).stats).toMatchObject({ targeted: 5, sent: 5 });
    expect((await get(broken.id)).stats).toMatchObject({ targeted: 5, queued: 5, sent: 0 });
    expect(ctx.logs.some((line) => line.includes('cannot tell whether this campaign is inside its DND hours') && line.includes(broken.id))).toBe(true);
    await action(broken.id, 'stop');
  });

  it("clones a campaign whose rate is above the account's lowered limit, at the limit", async () => {
    const campaign = json(await create({ name: 'Fast', ratePerSecond: 90 }));
    await ctx.app.inject({ method: 'PATCH', url: `/api/v1/providers/${providerId}`, headers: project.headers, payload: { ratePerSecond: 50 } });
    try {
      const copy = await action(campaign.id, 'clone');
      expect(copy.statusCode, copy.body).toBe(201);
      expect(json(copy)).toMatchObject({ state: 'draft', ratePerSecond: 50 });
      // The original says what is wrong when it is published.
      expect(problems(await action(campaign.id, 'publish'))).toEqual([{ path: 'ratePerSecond', message: "must be at most 50, the provider account's limit" }]);
    } finally {
      await ctx.app.inject({ method: 'PATCH', url: `/api/v1/providers/${providerId}`, headers: project.headers, payload: { ratePerSecond: 100 } });
    }
  });

  it('keeps a cut-off still ahead when cloning a campaign that sends at publish', async () => {
    const cutoffAt = Date.now() + 5 * HOUR;
    const campaign = json(await create({ name: 'Now with cut-off', cutoffAt }));
    const copy = json(await action(campaign.id, 'clone'));
    expect(copy).toMatchObject({ state: 'draft', sendAt: null, cutoffAt });
  });
});
