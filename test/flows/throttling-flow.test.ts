/**
 * Throttling reported after the send, over real HTTP: the sandbox accepts every message of a
 * Gupshup Enterprise account and then fails it as throttled (WhatsApp 130429 in the DLR, as
 * Gupshup passes Meta's codes through); wacast records it on the account, slows the account down
 * and counts the failures as rate limited (docs/callbacks.md, "Throttling reported after the send").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, type TestContext, type TestProject } from '../helpers/context.js';
import { waitFor } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import type { Sandbox } from '../../src/sandbox/sandbox.server.js';
import { openSandboxedApp, type SandboxedApp } from '../helpers/sandboxed-app.js';

const ACCOUNT = {
  notificationUserId: '2000300011',
  notificationPassword: 'throttle-notif-pass',
  twoWayUserId: '2000300012',
  twoWayPassword: 'throttle-twoway-pass',
  businessNumber: '919000000311',
};
const RECIPIENTS = 120;

describe.each(testEngines())('throttling reported by the provider, over HTTP ($name)', (engine) => {
  let app: SandboxedApp;
  let sandbox: Sandbox;
  let ctx: TestContext;
  let project: TestProject;
  const api: SandboxedApp['api'] = (...request) => app.api(...request);

  beforeAll(async () => {
    app = await openSandboxedApp(engine, { knobs: { dlrDelayMs: [5, 40] } });
    ({ sandbox, ctx, project } = app);
  });
  afterAll(() => app?.close());

  it('records the throttling on the account, slows it down and reports the failures as rate limited', async () => {
    const account = json(
      await api('POST', '/api/v1/providers', {
        type: 'gupshup',
        nickname: 'Throttled',
        ratePerSecond: 100,
        credentials: { ...ACCOUNT, mobileNumber: ACCOUNT.businessNumber, businessNumber: undefined },
      }),
    );
    sandbox.addAccounts([
      {
        provider: 'gupshup-enterprise',
        id: 'throttled',
        ...ACCOUNT,
        dlrUrl: account.deliveryCallbackUrl,
        inboundUrl: account.inboundCallbackUrl,
        templates: [{ name: 'THR:promo', body: 'Hi {{1}}' }],
      },
    ]);
    sandbox.setKnobs({ failShare: 1, failReason: 'rate_limited' }, 'throttled');
    const template = json(await api('POST', '/api/v1/templates', { providerId: account.id, namespace: 'THR:promo', body: 'Hi {{1}}', attachmentType: 'none' }));
    await seedProfiles(ctx.db, project.projectId, Array.from({ length: RECIPIENTS }, (_, i) => ({ identity: `thr-${i}`, phone: testPhone(i) })));
    const campaign = json(await api('POST', '/api/v1/campaigns', { name: 'Too fast', providerId: account.id, templateId: template.id, audience: { all: true }, params: ['there'] }));
    expect((await api('POST', `/api/v1/campaigns/${campaign.id}/publish`)).statusCode).toBe(200);
    ctx.startWorker();

    await waitFor(async () => json(await api('GET', `/api/v1/providers/${account.id}`)).lastThrottledAt !== null, 20_000, 'the throttling recorded on the account');
    await waitFor(
      async () => (await ctx.deps.metrics.registry.getSingleMetricAsString('wacast_provider_throttled_total')).includes(`{provider_account="${account.id}",signal="report"}`),
      10_000,
      'the dispatcher slowing down',
    );
    await waitFor(async () => json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).stats.failed === RECIPIENTS, 60_000, 'every failure reported');
    const { stats } = json(await api('GET', `/api/v1/campaigns/${campaign.id}`));
    expect(stats).toMatchObject({ targeted: RECIPIENTS, sent: RECIPIENTS, failed: RECIPIENTS, failedByCategory: { rate_limited: RECIPIENTS } });
    // The sandbox saw each recipient once: a throttled message is failed, never sent again.
    expect(sandbox.messages({ account: 'throttled' }).length).toBe(RECIPIENTS);
  }, 90_000);
});
