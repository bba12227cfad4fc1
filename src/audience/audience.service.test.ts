import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../test/helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../../test/helpers/context.js';
import { estimateAudience, resolveAudience, type Audience } from './audience.service.js';

describe.each(testEngines())('resolveAudience ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let other: TestProject;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject('A');
    other = await ctx.createProject('B');
    const d = Array.from({ length: 25 }, (_, i) => ({
      identity: `m${String(i).padStart(2, '0')}`,
      type: 'profile',
      profileData: { N: i, Even: i % 2 === 0, Phone: `+1415555${String(1000 + i)}`, 'MSG-whatsapp': i % 3 !== 0 },
    }));
    expect(json(await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d } })).status).toBe('success');
    await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: other.headers, payload: { d: d.slice(0, 5) } });
  });
  afterAll(() => ctx?.close());

  async function collect(audience: Audience, options: Parameters<typeof resolveAudience>[3] = {}) {
    const batches: string[][] = [];
    for await (const batch of resolveAudience(ctx.db, project.projectId, audience, options)) batches.push(batch.map((p) => p.identity));
    return batches;
  }

  it('walks every profile of the project in id order, batch by batch', async () => {
    const batches = await collect({ all: true }, { batchSize: 10 });
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(Array.from({ length: 25 }, (_, i) => `m${String(i).padStart(2, '0')}`));
    // An exact multiple of the batch size ends without an empty batch.
    expect((await collect({ all: true }, { batchSize: 5 })).map((b) => b.length)).toEqual([5, 5, 5, 5, 5]);
  });

  it('resolves a segment and an identity list, and can keep only reachable profiles', async () => {
    const created = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/segments', headers: project.headers, payload: { name: 'even', filter: { type: 'property', name: 'Even', op: 'eq', value: true } } }));
    const even = (await collect({ segmentId: created.id }, { batchSize: 4 })).flat();
    expect(even).toHaveLength(13);
    // Small filter windows: the same profiles, in id order, batches never empty nor over batchSize.
    for (const windowSize of [1, 3, 7, 25, 26]) {
      const batches = await collect({ segmentId: created.id }, { batchSize: 4, windowSize });
      expect(batches.flat()).toEqual(even);
      expect(batches.every((batch) => batch.length >= 1 && batch.length <= 4)).toBe(true);
    }
    const evenReachable = (await collect({ segmentId: created.id }, { reachableOnly: true, windowSize: 5 })).flat();
    // Even and not a multiple of 3 (MSG-whatsapp false there).
    expect(evenReachable).toEqual(['m02', 'm04', 'm08', 'm10', 'm14', 'm16', 'm20', 'm22']);
    expect(await estimateAudience(ctx.db, project.projectId, { segmentId: created.id })).toEqual({ total: 13, reachable: 8 });

    const list = ['m03', ' m01 ', 'm03', 'unknown', '', 'm24'];
    const batches = await collect({ identities: list }, { batchSize: 2 });
    expect(batches.flat().sort()).toEqual(['m01', 'm03', 'm24']);
    expect(await estimateAudience(ctx.db, project.projectId, { identities: list })).toEqual({ total: 3, reachable: 1 });
  });

  it('carries what the reachability rule needs', async () => {
    const [batch] = await collect({ identities: ['m03'] });
    expect(batch).toEqual(['m03']);
    for await (const profiles of resolveAudience(ctx.db, project.projectId, { identities: ['m03'] })) {
      expect(profiles[0]).toEqual({
        id: expect.any(String),
        identity: 'm03',
        phone: '+14155551003',
        properties: { N: 3, Even: false, Phone: '+14155551003', 'MSG-whatsapp': false },
        msgWhatsapp: false,
        dndWhatsapp: null,
        phoneDnd: false,
      });
    }
  });

  it('refuses a batch size out of range', async () => {
    await expect(resolveAudience(ctx.db, project.projectId, { all: true }, { batchSize: 0 }).next()).rejects.toThrow(/batchSize/);
    await expect(resolveAudience(ctx.db, project.projectId, { all: true }, { batchSize: 10_001 }).next()).rejects.toThrow(/batchSize/);
  });

  it("never returns another project's profiles", async () => {
    const batches = [];
    for await (const batch of resolveAudience(ctx.db, other.projectId, { all: true })) batches.push(...batch);
    expect(batches).toHaveLength(5);
    expect(await estimateAudience(ctx.db, other.projectId, { identities: ['m10'] })).toEqual({ total: 0, reachable: 0 });
  });
});
