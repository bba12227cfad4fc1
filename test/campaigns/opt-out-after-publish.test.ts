import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { FakeProvider, waitFor } from '../helpers/fake-provider.js';
import { testPhone } from '../helpers/audience.js';

/** PRODUCT §3: opt-outs are honoured at once — also for a campaign published before the opt-out. */
describe.each(testEngines())('opt-outs after publish ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let templateId: string;
  const fake = new FakeProvider();
  const api = (method: 'GET' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: project.headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    providerId = json(await api('POST', '/api/v1/providers', gupshupProviderInput({ ratePerSecond: 1000 }))).id;
    templateId = json(await api('POST', '/api/v1/templates', { providerId, namespace: 'ABC:later', body: 'Hi {{1}}', attachmentType: 'none' })).id;
  });
  afterAll(() => ctx?.close());

  it('skips recipients who opted out between publish and send, by reason, and sends to the others', async () => {
    const names = ['stays-1', 'stays-2', 'stays-3', 'flag-off', 'dnd-flag', 'stop-phone'];
    const upload = json(
      await api('POST', '/api/v1/upload', { d: names.map((identity, i) => ({ identity, type: 'profile', profileData: { Name: identity, Phone: testPhone(i), 'MSG-whatsapp': true } })) }),
    );
    expect(upload).toMatchObject({ status: 'success', processed: names.length });

    // Scheduled a few seconds ahead: publish creates the six message rows now, sending starts later.
    const campaign = json(await api('POST', '/api/v1/campaigns', { name: 'Later', providerId, templateId, audience: { all: true }, params: ['{{ Profile.Name }}'], sendAt: Date.now() + 3000 }));
    expect(json(await api('POST', `/api/v1/campaigns/${campaign.id}/publish`)).state).toBe('scheduled');
    ctx.startWorker();
    await waitFor(async () => json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).stats.queued === 6, 10_000, 'rows created at publish');

    // Three ways of opting out while the campaign waits: both profile flags, and the phone-level DND.
    const flags = json(
      await api('POST', '/api/v1/upload', {
        d: [
          { identity: 'flag-off', type: 'profile', profileData: { 'MSG-whatsapp': false } },
          { identity: 'dnd-flag', type: 'profile', profileData: { 'MSG-dndWhatsApp': true } },
        ],
      }),
    );
    expect(flags).toMatchObject({ status: 'success', processed: 2 });
    expect(json(await api('POST', '/api/v1/subscribe', { d: [{ type: 'whatsapp', value: testPhone(5), status: 'Unsubscribe' }] }))).toMatchObject({ status: 'success' });
    expect(json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).state).toBe('scheduled');

    await waitFor(async () => json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).state === 'completed', 20_000, 'completion');
    const sentTo = fake.sends.filter((send) => send.namespace === 'ABC:later').map((send) => send.to).sort();
    expect(sentTo).toEqual([testPhone(0), testPhone(1), testPhone(2)]);
    const { stats } = json(await api('GET', `/api/v1/campaigns/${campaign.id}`));
    expect(stats).toMatchObject({ targeted: 6, sent: 3, queued: 0, skipped: { notOptedIn: 1, dnd: 2, total: 3 } });

    const skipped = await ctx.db.kysely
      .selectFrom('messages')
      .select(['phone', 'skip_reason', 'error_detail', 'attempts'])
      .where('campaign_id', '=', campaign.id)
      .where('status', '=', 'skipped')
      .orderBy('phone')
      .execute();
    expect(skipped.map((row) => [row.phone, row.skip_reason, Number(row.attempts)])).toEqual([
      [testPhone(3), 'not_opted_in', 0],
      [testPhone(4), 'dnd', 0],
      [testPhone(5), 'dnd', 0],
    ]);
    expect(skipped[2]!.error_detail).toBe('opted out after publish: the phone number unsubscribed (phone-level DND)');
  });
});
