/**
 * A campaign's activity: every edit and state change leaves one entry with its time and actor — a
 * dashboard user (email and id, kept when the user is removed), API credentials (label and account
 * id, never the passcode) or wacast itself (scheduler start, cut-off and DND ends, completion,
 * publish failure, `wacast restore`'s pause). An entry is written with its change or not at all:
 * a refused change leaves none. The list pages newest first and is scoped to the project.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject, type TestSession } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { toJson } from '../../src/storage/json.js';
import { SchedulerService } from '../../src/campaigns/scheduler.js';
import { PublisherService } from '../../src/campaigns/publisher.js';
import { pauseCampaignsRunningAtBackup, RESTORE_PAUSE_REASON } from '../../src/campaigns/restore-pause.js';
import { localMinutes } from '../../src/campaigns/dnd.js';
import { createTemplateRow, seedCampaign } from '../helpers/campaign-seed.js';
import { sql } from 'kysely';

const HOUR = 3_600_000;

interface Entry {
  id: string;
  at: number;
  action: string;
  actor: { type: string; label: string; id: string | null };
  details: Record<string, unknown>;
}

describe.each(testEngines())('campaign activity ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let other: TestProject;
  let session: TestSession;
  let email: string;
  let providerId: string;
  let templateId: string;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    other = await ctx.createProject('Other');
    session = await ctx.createSession({ projectIds: [project.projectId] });
    email = (await ctx.db.kysely.selectFrom('users').select('email').where('id', '=', session.userId).executeTakeFirstOrThrow()).email;
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput({ ratePerSecond: 100 }) })).id;
    templateId = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId, namespace: 'ABC:activity', body: 'Hi {{1}}', attachmentType: 'none' } }),
    ).id;
    await seedProfiles(ctx.db, project.projectId, [
      ...Array.from({ length: 3 }, (_, i) => ({ identity: `a${i}`, phone: testPhone(900 + i), properties: { Name: `A${i}` } })),
      { identity: 'unreachable', phone: testPhone(990), optedIn: false },
    ]);
  });
  afterAll(() => ctx?.close());

  const asUser = () => session.headers;
  const asApi = () => project.headers;
  const create = async (headers: Record<string, string>, payload: object = {}) => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/campaigns',
      headers,
      payload: { name: 'Activity', providerId, templateId, audience: { all: true }, params: ['{{ Profile.Name }}'], ...payload },
    });
    expect(response.statusCode, response.body).toBe(201);
    return json(response).id as string;
  };
  const action = (headers: Record<string, string>, id: string, name: string) => ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${id}/${name}`, headers, payload: {} });
  const patch = (headers: Record<string, string>, id: string, payload: object) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/campaigns/${id}`, headers, payload });
  const activity = async (id: string, query = '', headers = asApi()): Promise<{ items: Entry[]; nextCursor: string | null }> => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}/activity${query}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return json(response);
  };
  /** Oldest first: the order things happened in. */
  const actions = async (id: string) => (await activity(id, '?limit=200')).items.reverse().map((entry) => entry.action);
  const latest = async (id: string) => (await activity(id, '?limit=1')).items[0]!;
  const stateOf = async (id: string) => json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}`, headers: asApi() })).state as string;

  it('records a dashboard user creating, editing, publishing, pausing, resuming, stopping and cloning, by email and id', async () => {
    const id = await create(asUser(), { name: 'By a user' });
    expect((await patch(asUser(), id, { name: 'By a user, renamed', cutoffAt: Date.now() + 5 * HOUR })).statusCode).toBe(200);
    for (const name of ['publish', 'pause', 'resume', 'stop']) expect((await action(asUser(), id, name)).statusCode, name).toBe(200);
    const clone = await action(asUser(), id, 'clone');
    expect(clone.statusCode).toBe(201);
    const copyId = json(clone).id as string;

    const { items } = await activity(id);
    expect(items.map((entry) => entry.action)).toEqual(['cloned', 'stopped', 'resumed', 'paused', 'published', 'edited', 'created']);
    for (const entry of items) expect(entry.actor).toEqual({ type: 'user', label: email, id: session.userId });
    const byAction = Object.fromEntries(items.map((entry) => [entry.action, entry]));
    expect(byAction.edited!.details).toEqual({ fields: ['name', 'cutoffAt'] });
    expect(byAction.published!.details).toEqual({ state: 'running' });
    expect(byAction.resumed!.details).toEqual({ state: 'running' });
    expect(byAction.stopped!.details).toEqual({ reason: `stopped by ${email}` });
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}`, headers: asUser() })).json().stateReason).toBe(`stopped by ${email}`);
    expect(byAction.cloned!.details).toEqual({ campaignId: copyId, name: 'By a user, renamed (copy)' });
    expect(byAction.created!.details).toEqual({});
    // Newest first, each at the time of its change.
    const times = items.map((entry) => entry.at);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(times[0]).toBeLessThanOrEqual(Date.now());

    const copy = await activity(copyId);
    expect(copy.items).toEqual([
      { id: expect.any(String), at: expect.any(Number), action: 'cloned_from', actor: { type: 'user', label: email, id: session.userId }, details: { campaignId: id, name: 'By a user, renamed' } },
    ]);
  });

  it('records API credentials by their label and account id, never the passcode', async () => {
    const id = await create(asApi(), { sendAt: Date.now() + HOUR });
    expect((await action(asApi(), id, 'publish')).statusCode).toBe(200);
    expect((await action(asApi(), id, 'pause')).statusCode).toBe(200);
    expect((await action(asApi(), id, 'resume')).statusCode).toBe(200);
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}/activity`, headers: asApi() });
    expect(response.body).not.toContain(project.passcode);
    const items = json<{ items: Entry[] }>(response).items;
    expect(items.map((entry) => entry.action)).toEqual(['resumed', 'paused', 'published', 'created']);
    for (const entry of items) expect(entry.actor).toEqual({ type: 'api', label: 'default', id: project.accountId });
    // Its send time is still ahead: published and resumed as scheduled.
    expect(items[0]!.details).toEqual({ state: 'scheduled' });
    expect(items[2]!.details).toEqual({ state: 'scheduled', sendAt: expect.any(Number) });
    const stored = await ctx.db.kysely.selectFrom('campaign_activity').selectAll().where('campaign_id', '=', id).execute();
    expect(JSON.stringify(stored)).not.toContain(project.passcode);
    // A stop says which credentials stopped it, on the campaign as in its activity.
    const stopped = json<{ stateReason: string }>(await action(asApi(), id, 'stop'));
    expect(stopped.stateReason).toBe(`stopped through the API credentials "default" (${project.accountId})`);
  });

  it('writes no entry for a change that did not happen, and none for an edit that changes nothing', async () => {
    const id = await create(asUser());
    expect((await action(asUser(), id, 'pause')).statusCode).toBe(409);
    expect((await action(asUser(), id, 'resume')).statusCode).toBe(409);
    expect((await action(asUser(), id, 'stop')).statusCode).toBe(409);
    expect((await patch(asUser(), id, { name: '' })).statusCode).toBe(422);
    expect((await patch(asUser(), id, { name: 'Activity', params: ['{{ Profile.Name }}'], audience: { all: true } })).statusCode).toBe(200);
    expect(await actions(id)).toEqual(['created']);
    expect((await action(asUser(), id, 'publish')).statusCode).toBe(200);
    // Published already; a running campaign cannot be edited.
    expect((await action(asUser(), id, 'publish')).statusCode).toBe(409);
    expect((await patch(asUser(), id, { name: 'Too late' })).statusCode).toBe(409);
    expect(await actions(id)).toEqual(['created', 'published']);
    // Refused publish (a send time already past): still a draft, nothing recorded.
    const draft = await create(asUser(), { sendAt: Date.now() + HOUR });
    await ctx.db.kysely.updateTable('campaigns').set({ send_at: Date.now() - 60_000 }).where('id', '=', draft).execute();
    expect((await action(asUser(), draft, 'publish')).statusCode).toBe(422);
    expect(await actions(draft)).toEqual(['created']);
    await action(asUser(), id, 'stop');
  });

  it('records the scheduler starting a scheduled campaign, and ending one at its cut-off, with the reason', async () => {
    const now = Date.now();
    const id = await create(asApi(), { name: 'Cut off', sendAt: now + HOUR, cutoffAt: now + 2 * HOUR });
    await action(asApi(), id, 'publish');
    await new PublisherService(ctx.deps, 'activity-publisher').runOnce();
    const scheduler = new SchedulerService(ctx.deps, 'activity-scheduler');
    await scheduler.tick(now + HOUR + 1000);
    expect(await stateOf(id)).toBe('running');
    expect(await latest(id)).toMatchObject({ action: 'started', at: now + HOUR + 1000, actor: { type: 'system', label: 'scheduler', id: null }, details: {} });
    await scheduler.tick(now + 2 * HOUR + 1000);
    expect(await stateOf(id)).toBe('completed');
    expect(await latest(id)).toMatchObject({ action: 'completed', actor: { type: 'system', label: 'scheduler' }, details: { reason: 'cut-off time reached' } });
    // Nothing more happens to it: further passes record nothing.
    await scheduler.tick(now + 2 * HOUR + 2000);
    expect(await actions(id)).toEqual(['created', 'published', 'started', 'completed']);
  });

  it('records the scheduler ending a campaign when DND hours that discard begin, and completing one with nothing left to send', async () => {
    const id = await create(asApi(), { name: 'DND discard' });
    await action(asApi(), id, 'publish');
    const timezone = 'Europe/Berlin';
    const hour = Math.floor(localMinutes(Date.now(), timezone) / 60);
    const at = (offset: number) => `${String((hour + offset + 24) % 24).padStart(2, '0')}:00`;
    await ctx.db.kysely.updateTable('campaigns').set({ dnd: toJson({ from: at(-1), to: at(2), timezone, action: 'discard' }) }).where('id', '=', id).execute();
    const scheduler = new SchedulerService(ctx.deps, 'activity-scheduler');
    await scheduler.tick();
    expect(await stateOf(id)).toBe('completed');
    expect(await latest(id)).toMatchObject({ action: 'completed', actor: { type: 'system', label: 'scheduler' }, details: { reason: 'DND hours began: remaining messages discarded' } });

    // Every recipient skipped: nothing queued once the audience is added.
    const done = await create(asApi(), { name: 'Nothing to send', audience: { identities: ['unreachable'] } });
    await action(asApi(), done, 'publish');
    await new PublisherService(ctx.deps, 'activity-publisher').runOnce();
    await scheduler.tick();
    expect(await stateOf(done)).toBe('completed');
    expect(await latest(done)).toMatchObject({ action: 'completed', actor: { type: 'system', label: 'scheduler' }, details: {} });
  });

  it('records the publisher failing a campaign it cannot render, with the reason, and no entry per message', async () => {
    const id = await create(asApi(), { name: 'Fails' });
    await action(asApi(), id, 'publish');
    await ctx.db.kysely.updateTable('campaigns').set({ params: toJson(['{{ Profile.Name ']) }).where('id', '=', id).execute();
    await new PublisherService(ctx.deps, 'activity-publisher').runOnce();
    expect(await stateOf(id)).toBe('failed');
    expect(await latest(id)).toMatchObject({ action: 'failed', actor: { type: 'system', label: 'publisher', id: null }, details: { reason: 'a placeholder value is not valid Liquid' } });

    // A campaign whose recipients are all added: the rows write no entries.
    const sent = await create(asApi(), { name: 'Rows' });
    await action(asApi(), sent, 'publish');
    await new PublisherService(ctx.deps, 'activity-publisher').runOnce();
    expect(json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${sent}`, headers: asApi() })).stats.targeted).toBe(4);
    expect(await actions(sent)).toEqual(['created', 'published']);
    await action(asApi(), sent, 'stop');
  });

  it("records wacast restore's pause of a campaign that was running, with the reason", async () => {
    const id = await create(asApi(), { name: 'Running at backup' });
    await action(asApi(), id, 'publish');
    const paused = await pauseCampaignsRunningAtBackup(ctx.db);
    expect(paused.map((campaign) => campaign.id)).toContain(id);
    expect(await stateOf(id)).toBe('paused');
    expect(await latest(id)).toMatchObject({ action: 'paused', actor: { type: 'system', label: 'wacast restore', id: null }, details: { reason: RESTORE_PAUSE_REASON } });
    await action(asApi(), id, 'stop');
  });

  it('pauses a campaign of a backup from before activity was recorded (no table for it yet)', async () => {
    const old = await openTestContext(engine);
    try {
      const oldProject = await old.createProject();
      const account = json(await old.app.inject({ method: 'POST', url: '/api/v1/providers', headers: oldProject.headers, payload: gupshupProviderInput() })).id as string;
      const template = await createTemplateRow(old.db, oldProject.projectId, account);
      const { campaignId } = await seedCampaign(old.db, { projectId: oldProject.projectId, providerId: account, templateId: template, messages: [] });
      await sql`drop table campaign_activity`.execute(old.db.kysely);
      expect((await pauseCampaignsRunningAtBackup(old.db)).map((campaign) => campaign.id)).toEqual([campaignId]);
      const row = await old.db.kysely.selectFrom('campaigns').select(['state', 'state_reason']).where('id', '=', campaignId).executeTakeFirstOrThrow();
      expect(row).toEqual({ state: 'paused', state_reason: RESTORE_PAUSE_REASON });
    } finally {
      await old.close();
    }
  });

  it('makes no change whose entry cannot be written: the change and its entry commit together', async () => {
    const broken = await openTestContext(engine, { logLevel: 'silent' });
    try {
      const brokenProject = await broken.createProject();
      const account = json(await broken.app.inject({ method: 'POST', url: '/api/v1/providers', headers: brokenProject.headers, payload: gupshupProviderInput() })).id as string;
      const template = await createTemplateRow(broken.db, brokenProject.projectId, account, 'ABC:broken', 'Hi');
      const { campaignId } = await seedCampaign(broken.db, { projectId: brokenProject.projectId, providerId: account, templateId: template, messages: [] });
      const draft = json(
        await broken.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: brokenProject.headers, payload: { name: 'Draft', providerId: account, templateId: template, audience: { all: true }, params: [] } }),
      ).id as string;
      // Entries can no longer be written (as if the disk refused them).
      await sql`drop table campaign_activity`.execute(broken.db.kysely);
      const post = (id: string, name: string) => broken.app.inject({ method: 'POST', url: `/api/v1/campaigns/${id}/${name}`, headers: brokenProject.headers, payload: {} });
      expect((await post(campaignId, 'pause')).statusCode).toBe(500);
      expect((await post(draft, 'publish')).statusCode).toBe(500);
      expect((await broken.app.inject({ method: 'PATCH', url: `/api/v1/campaigns/${draft}`, headers: brokenProject.headers, payload: { name: 'Renamed' } })).statusCode).toBe(500);
      const states = await broken.db.kysely.selectFrom('campaigns').select(['id', 'state', 'name']).where('project_id', '=', brokenProject.projectId).orderBy('id').execute();
      expect(states).toEqual([
        { id: campaignId, state: 'running', name: expect.any(String) },
        { id: draft, state: 'draft', name: 'Draft' },
      ]);
    } finally {
      await broken.close();
    }
  });

  it('keeps the entries of a user who was removed, under the email they had', async () => {
    const leaving = await ctx.createSession({ projectIds: [project.projectId] });
    const leavingEmail = (await ctx.db.kysely.selectFrom('users').select('email').where('id', '=', leaving.userId).executeTakeFirstOrThrow()).email;
    const id = await create(leaving.headers, { name: 'By someone who left' });
    await ctx.db.kysely.deleteFrom('sessions').where('user_id', '=', leaving.userId).execute();
    await ctx.db.kysely.deleteFrom('users').where('id', '=', leaving.userId).execute();
    expect((await latest(id)).actor).toEqual({ type: 'user', label: leavingEmail, id: leaving.userId });
  });

  it('pages newest first with the cursor it returns, and refuses one it did not', async () => {
    const id = await create(asApi(), { name: 'Paged', sendAt: Date.now() + HOUR });
    await action(asApi(), id, 'publish');
    for (let i = 0; i < 3; i++) {
      await action(asApi(), id, 'pause');
      await action(asApi(), id, 'resume');
    }
    const all = await activity(id);
    expect(all.items).toHaveLength(8);
    expect(all.nextCursor).toBeNull();
    const seen: Entry[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const body = await activity(id, `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(all.items);
    const refused = await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}/activity?cursor=garbage`, headers: asApi() });
    expect(refused.statusCode).toBe(422);
    expect(json(refused).error).toMatchObject({ code: 'validation_failed', details: [{ path: 'cursor', message: expect.stringMatching(/^is not a cursor this list returned/) }] });
    await action(asApi(), id, 'stop');
  });

  it("answers 404 for another project's campaign, as for one that does not exist", async () => {
    const id = await create(asApi(), { name: 'Not yours' });
    const theirs = await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}/activity`, headers: other.headers });
    const missing = await ctx.app.inject({ method: 'GET', url: '/api/v1/campaigns/0190aaaa-0000-7000-8000-000000000000/activity', headers: other.headers });
    expect(theirs.statusCode).toBe(404);
    expect(json(theirs).error.code).toBe('not_found');
    expect(missing.statusCode).toBe(404);
    expect(json(theirs).error.message).toBe(json(missing).error.message.replace('0190aaaa-0000-7000-8000-000000000000', id));
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}/activity` })).statusCode).toBe(401);
  });

  it('says in the campaign list who created each campaign, and nothing for one older than the activity', async () => {
    const byUser = await create(asUser(), { name: 'Listed, by a user' });
    const byApi = await create(asApi(), { name: 'Listed, by the API' });
    const copy = json(await action(asApi(), byUser, 'clone')).id as string;
    const account = providerId;
    const { campaignId: older } = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: account, templateId, name: 'Older than activity', messages: [] });
    const list = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/campaigns?limit=200', headers: asApi() }));
    const createdBy = (id: string) => list.items.find((campaign: { id: string }) => campaign.id === id)?.createdBy;
    expect(createdBy(byUser)).toEqual({ type: 'user', label: email });
    expect(createdBy(byApi)).toEqual({ type: 'api', label: 'default' });
    expect(createdBy(copy)).toEqual({ type: 'api', label: 'default' });
    expect(createdBy(older)).toBeNull();
    await action(asApi(), older, 'stop');
  });

  it('describes the list in the OpenAPI document', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const operation = doc.paths['/api/v1/campaigns/{id}/activity'].get;
    expect(operation.summary).toMatch(/^Who or what changed the campaign, newest first/);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '404']));
    const item = operation.responses['200'].content['application/json'].schema.properties.items.items;
    expect(item.required).toEqual(expect.arrayContaining(['at', 'action', 'actor', 'details']));
    expect(item.properties.actor.properties.type.enum).toEqual(['user', 'api', 'system']);
  });
});
