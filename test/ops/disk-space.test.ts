import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject, type TestSession } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { FakeProvider, waitFor } from '../helpers/fake-provider.js';
import { testPhone } from '../helpers/audience.js';
import { useDiskReader } from '../../src/ops/disk-space.js';

const GB = 1e9;
const MB = 1e6;

/** Campaigns hold while the disk holding the SQLite database is almost full (src/ops/disk-space.ts). */
describe.each(testEngines())('free disk space ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let session: TestSession;
  let providerId: string;
  let templateId: string;
  let freeBytes = 40 * GB;
  const fake = new FakeProvider();
  const api = (method: 'GET' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: project.headers, ...(payload ? { payload } : {}) });
  const storage = async () => json(await ctx.app.inject({ method: 'GET', url: '/api/v1/storage', headers: session.headers }));

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    useDiskReader(ctx.deps, async () => ({ freeBytes, totalBytes: 50 * GB }));
    project = await ctx.createProject();
    session = await ctx.createSession({ projectIds: [project.projectId] });
    providerId = json(await api('POST', '/api/v1/providers', gupshupProviderInput({ ratePerSecond: 1000 }))).id;
    templateId = json(await api('POST', '/api/v1/templates', { providerId, namespace: 'ABC:disk', body: 'Hi {{1}}', attachmentType: 'none' })).id;
  });
  afterAll(() => ctx?.close());

  if (engine.name === 'postgres') {
    it('reports no disk on PostgreSQL: its data is on its own server', async () => {
      expect(await storage()).toEqual({ engine: 'postgres', disk: null });
    });
    return;
  }

  it('tells dashboard users how much is free and whether campaigns hold; API credentials are refused', async () => {
    freeBytes = 40 * GB;
    expect(await storage()).toEqual({ engine: 'sqlite', disk: { freeBytes: 40 * GB, totalBytes: 50 * GB, level: 'ok', warnBelowBytes: 1 * GB, holdBelowBytes: 250 * MB, campaignsHeld: false } });
    freeBytes = 600 * MB;
    expect((await storage()).disk).toMatchObject({ level: 'low', campaignsHeld: false });
    freeBytes = 100 * MB;
    expect((await storage()).disk).toMatchObject({ freeBytes: 100 * MB, level: 'critical', campaignsHeld: true });
    expect((await api('GET', '/api/v1/storage')).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/storage' })).statusCode).toBe(401);
    const metrics = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(`wacast_data_disk_free_bytes ${100 * MB}`);
  });

  it('holds a campaign while less than 250 MB is free, says so in the log once, and sends it all once space is freed', async () => {
    freeBytes = 100 * MB;
    const names = ['d-1', 'd-2', 'd-3', 'd-4'];
    const upload = json(
      await api('POST', '/api/v1/upload', { d: names.map((identity, i) => ({ identity, type: 'profile', profileData: { Name: identity, Phone: testPhone(i), 'MSG-whatsapp': true } })) }),
    );
    expect(upload).toMatchObject({ status: 'success', processed: names.length });
    const campaign = json(await api('POST', '/api/v1/campaigns', { name: 'Disk', providerId, templateId, audience: { all: true }, params: ['{{ Profile.Name }}'] }));
    expect(json(await api('POST', `/api/v1/campaigns/${campaign.id}/publish`)).state).toBe('running');
    ctx.startWorker();

    // Several passes of the publisher (every 500 ms) and the dispatcher (every 500 ms) go by.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(fake.sends.filter((send) => send.namespace === 'ABC:disk')).toEqual([]);
    const held = json(await api('GET', `/api/v1/campaigns/${campaign.id}`));
    expect(held.state).toBe('running');
    expect(held.stats.sent).toBe(0);
    const holdLines = ctx.logs.filter((line) => line.includes('campaigns hold until more than 250 MB is free'));
    expect(holdLines).toHaveLength(1);
    expect(JSON.parse(holdLines[0]!)).toMatchObject({ freeBytes: 100 * MB, totalBytes: 50 * GB });

    freeBytes = 2 * GB;
    await waitFor(async () => json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).state === 'completed', 20_000, 'completion once space is freed');
    expect(fake.sends.filter((send) => send.namespace === 'ABC:disk').map((send) => send.to).sort()).toEqual(names.map((_, i) => testPhone(i)).sort());
    expect(json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).stats).toMatchObject({ targeted: 4, sent: 4, queued: 0 });
    expect(ctx.logs.some((line) => line.includes('free on the disk holding the database again: campaigns go on'))).toBe(true);
  });
});

describe('free disk space, thresholds set by the operator (sqlite)', () => {
  let ctx: TestContext;
  let session: TestSession;
  let freeBytes = 40 * GB;
  const storage = async () => json(await ctx.app.inject({ method: 'GET', url: '/api/v1/storage', headers: session.headers })).disk;

  beforeAll(async () => {
    ctx = await openTestContext(testEngines()[0]!, { env: { WACAST_DISK_WARN_MB: '5000', WACAST_DISK_HOLD_MB: '2000' } });
    useDiskReader(ctx.deps, async () => ({ freeBytes, totalBytes: 50 * GB }));
    session = await ctx.createSession({ projectIds: [(await ctx.createProject()).projectId] });
  });
  afterAll(() => ctx?.close());

  it('warns below WACAST_DISK_WARN_MB and holds campaigns below WACAST_DISK_HOLD_MB', async () => {
    freeBytes = 6 * GB;
    expect(await storage()).toMatchObject({ level: 'ok', warnBelowBytes: 5 * GB, holdBelowBytes: 2 * GB, campaignsHeld: false });
    freeBytes = 3 * GB;
    expect(await storage()).toMatchObject({ level: 'low', campaignsHeld: false });
    freeBytes = 1.5 * GB;
    expect(await storage()).toMatchObject({ level: 'critical', campaignsHeld: true });
    expect(ctx.logs.some((line) => line.includes('campaigns hold until more than 2.0 GB is free'))).toBe(true);
  });
});
