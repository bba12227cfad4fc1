/**
 * Rate accuracy, measured where it matters — at the provider (the sandbox's arrival times): a
 * 200/s account never gets more than 200 messages in any sliding 1-second window (a rule that
 * must always hold), sends at nearly that rate, and two campaigns running at once on the account
 * share it.
 *
 * The average is checked against a floor that only a broken pacer misses (95 % of the rate). The
 * performance target, 196–200/s, is measured by `wacast bench --suite rate` (docs/benchmarks.md):
 * on a busy two-core machine a 30-second average moves by ±0.5/s from run to run, too close to
 * the target for a test that must not flake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { waitFor } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { startSandboxProcess, type SandboxProcess } from '../../src/sandbox/sandbox.process.js';
import { busiestWindow } from '../../src/bench/rate.bench.js';

const RATE = 200;
// 6,000 messages = a 30-second run: long enough that the fixed cost of starting (first request,
// connection set-up) is a small share of the average, as it is for a real campaign.
const PER_CAMPAIGN = 3000;


describe.each(testEngines())('rate accuracy at the provider ($name)', (engine) => {
  let sandbox: SandboxProcess;
  let ctx: TestContext;
  let project: TestProject;

  beforeAll(async () => {
    // The provider is another machine in reality: run the sandbox in its own process so its
    // arrival times are not disturbed by the event loop of the process under test.
    sandbox = await startSandboxProcess({
      knobs: { callbacks: false, latencyMs: [2, 8] },
      accounts: [{ provider: 'gupshup-selfserve', id: 'rate', apiKey: 'rate-api-key-123', appName: 'RateApp', sourceNumber: '919000000077' }],
    });
    ctx = await openTestContext(engine, { env: { GUPSHUP_API_URL: sandbox.env.GUPSHUP_API_URL }, threadSender: true });
    project = await ctx.createProject();
  });
  afterAll(async () => {
    await ctx?.close();
    await sandbox?.close();
  });

  it('never exceeds 200 per second, sends at nearly that rate, and shares it between two campaigns', async () => {
    const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, headers: project.headers, payload });
    const provider = json(
      await post('/api/v1/providers', {
        type: 'gupshup',
        nickname: 'rate',
        ratePerSecond: RATE,
        credentials: { mode: 'selfserve', apiKey: 'rate-api-key-123', appName: 'RateApp', mobileNumber: '919000000077' },
      }),
    );
    const template = json(await post('/api/v1/templates', { providerId: provider.id, namespace: 'RATE:promo', body: 'Deal {{1}}', attachmentType: 'none' }));
    const seeds = Array.from({ length: PER_CAMPAIGN * 2 }, (_, i) => ({ identity: `r${i}`, phone: testPhone(i), properties: {} }));
    await seedProfiles(ctx.db, project.projectId, seeds);
    const campaigns: string[] = [];
    for (const [index, half] of [seeds.slice(0, PER_CAMPAIGN), seeds.slice(PER_CAMPAIGN)].entries()) {
      const campaign = json(
        await post('/api/v1/campaigns', { name: `half ${index}`, providerId: provider.id, templateId: template.id, audience: { identities: half.map((seed) => seed.identity) }, params: [`C${index}`] }),
      );
      campaigns.push(campaign.id as string);
    }
    for (const id of campaigns) expect((await post(`/api/v1/campaigns/${id}/publish`, {})).statusCode).toBe(200);
    ctx.startWorker();
    await waitFor(
      async () => {
        for (const id of campaigns) {
          const campaign = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}`, headers: project.headers }));
          if (campaign.state !== 'completed') return false;
        }
        return true;
      },
      120_000,
      'both campaigns to complete',
    );

    const messages = await sandbox.messages({ account: 'rate' });
    expect(messages).toHaveLength(PER_CAMPAIGN * 2);
    const times = messages.map((message) => message.arrivedAt).sort((a, b) => a - b);
    const busiest = busiestWindow(times);
    const average = ((times.length - 1) / (times[times.length - 1]! - times[0]!)) * 1000;
    const stats = await sandbox.get<{ accounts: Record<string, { maxArrivalsPerSecond: number; perSecond: Array<{ arrivals: number }> }> }>('/_sandbox/stats?histogram=true');
    console.log(JSON.stringify(stats.accounts.rate!.perSecond.map((bucket) => bucket.arrivals)));
    console.log(`rate test (${engine.name}): busiest sliding second ${busiest}, average ${average.toFixed(1)}/s over ${times.length} messages`);
    expect(busiest).toBeLessThanOrEqual(RATE);
    expect(stats.accounts.rate!.maxArrivalsPerSecond).toBeLessThanOrEqual(RATE);
    expect(average).toBeGreaterThanOrEqual(RATE * 0.95);

    // Sharing: while both ran, each got a fair part of the rate (neither waited for the other).
    const firstHalf = messages.filter((message) => message.arrivedAt <= times[0]! + 5000);
    const byCampaign = [0, 1].map((index) => firstHalf.filter((message) => message.params?.[0] === `C${index}`).length);
    expect(Math.min(...byCampaign)).toBeGreaterThan(firstHalf.length * 0.35);
  }, 180_000);
});
