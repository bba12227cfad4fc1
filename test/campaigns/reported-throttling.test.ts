/**
 * PRODUCT §3: provider throttling slows the sender down — also when it is reported after the
 * send was accepted, in a delivery report (WhatsApp 130429 through Gupshup, Vonage 1000), not
 * only as a 429 answer. The account's dispatcher pauses and halves its rate; the account and
 * the running campaign say why.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { FakeProvider, waitFor } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { createCallbackAccount, gupshupDlr, postJson, type CallbackAccountUrls } from '../helpers/callbacks.js';

const RATE = 100;
const RECIPIENTS = 600;

describe.each(testEngines())('throttling reported in delivery reports ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let account: CallbackAccountUrls;
  const fake = new FakeProvider();
  const api = (method: 'GET' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: project.headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    account = await createCallbackAccount(ctx, project, 'gupshup', { ratePerSecond: RATE });
    await seedProfiles(ctx.db, project.projectId, Array.from({ length: RECIPIENTS }, (_, i) => ({ identity: `t${i}`, phone: testPhone(i) })));
  });
  afterAll(() => ctx?.close());

  it('pauses and slows the account down, leaves a per-recipient pair-rate failure alone, and says why', async () => {
    const template = json(await api('POST', '/api/v1/templates', { providerId: account.id, namespace: 'ABC:throttled', body: 'Hi {{1}}', attachmentType: 'none' }));
    const campaign = json(await api('POST', '/api/v1/campaigns', { name: 'Throttled', providerId: account.id, templateId: template.id, audience: { all: true }, params: ['there'] }));
    expect((await api('POST', `/api/v1/campaigns/${campaign.id}/publish`)).statusCode).toBe(200);
    const sends = vi.spyOn(ctx.deps.sender, 'send');
    ctx.startWorker();
    const messageStatus = async (providerMessageId: string) =>
      (await ctx.db.kysely.selectFrom('messages').select('status').where('provider_message_id', '=', providerMessageId).executeTakeFirst())?.status;
    await waitFor(() => fake.sends.length >= 60, 20_000, 'the first sends');

    // WhatsApp's pair rate limit concerns one recipient: the account goes on at full speed.
    const [pairLimited, throttled] = [fake.sends[0]!, fake.sends[1]!];
    expect((await postJson(ctx, account.delivery, [gupshupDlr(pairLimited.providerMessageId, 'FAILED', { errorCode: '131056', phone: pairLimited.to })])).statusCode).toBe(200);
    await waitFor(async () => (await messageStatus(pairLimited.providerMessageId)) === 'failed', 10_000, 'the pair-rate failure applied');
    expect(json(await api('GET', `/api/v1/providers/${account.id}`)).lastThrottledAt).toBeNull();

    const reportedAt = Date.now();
    expect((await postJson(ctx, account.delivery, [gupshupDlr(throttled.providerMessageId, 'FAILED', { errorCode: '130429', phone: throttled.to })])).statusCode).toBe(200);
    await waitFor(async () => json(await api('GET', `/api/v1/providers/${account.id}`)).lastThrottledAt !== null, 10_000, 'the throttling report recorded on the account');
    expect(json(await api('GET', `/api/v1/providers/${account.id}`)).lastThrottledAt).toBeGreaterThanOrEqual(reportedAt);

    await waitFor(async () => (await ctx.deps.metrics.registry.getSingleMetricAsString('wacast_provider_throttled_total')).includes(`{provider_account="${account.id}",signal="report"} 1`), 5000, 'the throttling counted in /metrics');
    const running = json(await api('GET', `/api/v1/campaigns/${campaign.id}`));
    expect(running.state).toBe('running');
    expect(running.warnings).toEqual([{ code: 'provider_throttling', message: expect.stringContaining('sent faster than it allows') }]);

    await waitFor(async () => json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).state === 'completed', 60_000, 'completion');
    const { stats, warnings } = json(await api('GET', `/api/v1/campaigns/${campaign.id}`));
    expect(stats).toMatchObject({ targeted: RECIPIENTS, failed: 2, failedByCategory: { rate_limited: 2 } });
    expect(warnings).toEqual([]);

    // The schedule the pacer made (the times sends were due; arrival times at the fake provider
    // also carry this machine's delays): ~10 ms apart, then after the report a pause of 1 s
    // (less what was already scheduled, at most 100 ms ahead)…
    const due = sends.mock.calls.map((call) => call[2]!.at).filter((at) => at >= reportedAt).sort((a, b) => a - b);
    const gaps = due.slice(1).map((at, i) => ({ gap: at - due[i]!, resumedAt: at }));
    const pause = gaps.reduce((longest, gap) => (gap.gap > longest.gap ? gap : longest));
    expect(pause.gap).toBeGreaterThanOrEqual(900);
    // …then half the rate, recovering by 5 % of it per second: about 110 in the next 2 s, not 196.
    const nextTwoSeconds = due.filter((at) => at >= pause.resumedAt && at < pause.resumedAt + 2000).length;
    expect(nextTwoSeconds).toBeLessThan(RATE * 0.98 * 2 * 0.75);
  }, 90_000);

  it('does the same on a 429 answer to a send, and sends the refused message again', async () => {
    const template = json(await api('POST', '/api/v1/templates', { providerId: account.id, namespace: 'ABC:answered', body: 'Hi {{1}}', attachmentType: 'none' }));
    const identities = Array.from({ length: 150 }, (_, i) => `t${i}`);
    const campaign = json(await api('POST', '/api/v1/campaigns', { name: 'Answered 429', providerId: account.id, templateId: template.id, audience: { identities }, params: ['again'] }));
    let refused: string | undefined;
    let refusedAt = 0;
    fake.answer = (send) => {
      if (refused !== undefined || send.namespace !== 'ABC:answered' || fake.sends.filter((one) => one.namespace === 'ABC:answered').length < 30) return 'ok';
      refused = send.to;
      refusedAt = send.at;
      return { ok: false, outcome: 'not_sent', category: 'rate_limited', retryable: true, retryAfterMs: 1000, detail: 'rate limited (HTTP 429)', raw: { request: { method: 'POST', url: 'fake', body: '' } } };
    };
    const sends = vi.spyOn(ctx.deps.sender, 'send');
    expect((await api('POST', `/api/v1/campaigns/${campaign.id}/publish`)).statusCode).toBe(200);
    await waitFor(async () => json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).state === 'completed', 60_000, 'completion');
    fake.answer = () => 'ok';

    expect(json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).stats).toMatchObject({ targeted: 150, sent: 150, failed: 0 });
    expect(fake.sends.filter((send) => send.namespace === 'ABC:answered' && send.to === refused)).toHaveLength(2);
    const due = sends.mock.calls.map((call) => call[2]!.at).filter((at) => at >= refusedAt).sort((a, b) => a - b);
    expect(Math.max(...due.slice(1).map((at, i) => at - due[i]!))).toBeGreaterThanOrEqual(900);
    expect(await ctx.deps.metrics.registry.getSingleMetricAsString('wacast_provider_throttled_total')).toContain(`{provider_account="${account.id}",signal="answer"} 1`);
  }, 90_000);
});
