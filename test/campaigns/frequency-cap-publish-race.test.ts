import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { testPhone } from '../helpers/audience.js';
import { CampaignMaterialization } from '../../src/campaigns/publisher.js';

/**
 * Two campaigns with a frequency cap of one message, published at the same moment to the same
 * people and materialised by two workers at once (PostgreSQL scale-out): both batches used to
 * count the people's messages before either wrote its rows, so everyone was queued twice.
 */
describe.each(testEngines())('frequency cap of campaigns published at the same moment ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  const api = (method: 'GET' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: project.headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
  });
  afterAll(() => ctx?.close());

  it('queues each person in one of the two campaigns, and skips them in the other by the cap', async () => {
    const people = 30;
    const d = Array.from({ length: people }, (_, i) => ({ identity: `race-${i}`, type: 'profile', profileData: { Name: `P${i}`, Phone: testPhone(i), 'MSG-whatsapp': true } }));
    expect(json(await api('POST', '/api/v1/upload', { d }))).toMatchObject({ status: 'success', processed: people });
    const providerId = json(await api('POST', '/api/v1/providers', gupshupProviderInput())).id;
    const templateId = json(await api('POST', '/api/v1/templates', { providerId, namespace: 'ABC:race', body: 'Hi {{1}}', attachmentType: 'none' })).id;
    const campaigns: string[] = [];
    for (const name of ['Morning A', 'Morning B']) {
      const campaign = json(await api('POST', '/api/v1/campaigns', { name, providerId, templateId, audience: { all: true }, params: ['{{ Profile.Name }}'], frequencyCap: { messages: 1, days: 1 } }));
      expect(json(await api('POST', `/api/v1/campaigns/${campaign.id}/publish`)).state).toBe('running');
      campaigns.push(campaign.id);
    }

    // Two workers, one campaign each, their batches at the same time.
    const opened = await Promise.all(campaigns.map((id, i) => CampaignMaterialization.open(ctx.deps, id, `worker-${i}`)));
    const materializations = opened.map((one) => {
      if (typeof one === 'string') throw new Error(`not opened: ${one}`);
      return one;
    });
    await Promise.all(materializations.map((one) => one.step()));
    for (const one of materializations) await one.close();

    const rows = await ctx.db.kysely.selectFrom('messages').select(['profile_id', 'status', 'skip_reason']).where('campaign_id', 'in', campaigns).execute();
    expect(rows).toHaveLength(2 * people);
    const queuedPerPerson = new Map<string, number>();
    for (const row of rows) if (row.status === 'queued') queuedPerPerson.set(row.profile_id!, (queuedPerPerson.get(row.profile_id!) ?? 0) + 1);
    expect([...queuedPerPerson.values()].filter((count) => count > 1)).toEqual([]);
    expect(queuedPerPerson.size).toBe(people);
    expect(rows.filter((row) => row.status === 'skipped').map((row) => row.skip_reason)).toEqual(Array.from({ length: people }, () => 'frequency_cap'));

    const stats = await Promise.all(campaigns.map(async (id) => json(await api('GET', `/api/v1/campaigns/${id}`)).stats));
    expect(stats.reduce((sum, one) => sum + one.queued, 0)).toBe(people);
    expect(stats.reduce((sum, one) => sum + one.skipped.frequencyCap, 0)).toBe(people);
  });
});
