/**
 * Sends whose answer never comes, on a Gupshup self-serve account, over real HTTP against the
 * sandbox (PRODUCT §3: "a send whose outcome is unknown … is reconciled if a DLR arrives"). The
 * sandbox accepts every message but never answers the send request; its status callbacks name the
 * recipient and its own message id, nothing of ours. Every message goes `unknown` at the send
 * timeout and is then settled from its callbacks, matched by account and phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, type TestContext, type TestProject } from '../helpers/context.js';
import { waitFor } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import type { Sandbox } from '../../src/sandbox/sandbox.server.js';
import { openSandboxedApp, type SandboxedApp } from '../helpers/sandboxed-app.js';

const RECIPIENTS = 6;

describe.each(testEngines())('self-serve sends without an answer settle from their status callbacks ($name)', (engine) => {
  let app: SandboxedApp;
  let sandbox: Sandbox;
  let ctx: TestContext;
  let project: TestProject;
  const api: SandboxedApp['api'] = (...request) => app.api(...request);

  beforeAll(async () => {
    app = await openSandboxedApp(engine, { knobs: { dlrDelayMs: [5, 30], readShare: 0.5, timeoutShare: 1, timeoutMs: 0 }, env: { WACAST_SEND_TIMEOUT_MS: '600' } });
    ({ sandbox, ctx, project } = app);
  });
  afterAll(() => app?.close());

  it('marks each send unknown at the timeout, then settles it from the callbacks that name its phone', async () => {
    const account = json(
      await api('POST', '/api/v1/providers', {
        type: 'gupshup',
        nickname: 'Self-serve',
        ratePerSecond: 50,
        credentials: { mode: 'selfserve', apiKey: 'unknown-flow-key-123', appName: 'UnknownFlow', mobileNumber: '919000000088' },
      }),
    );
    sandbox.addAccounts([{ provider: 'gupshup-selfserve', id: 'unknown-flow', apiKey: 'unknown-flow-key-123', appName: 'UnknownFlow', sourceNumber: '919000000088', webhookUrl: account.deliveryCallbackUrl }]);
    const template = json(await api('POST', '/api/v1/templates', { providerId: account.id, namespace: 'FLOW:late_answer', body: 'Hello {{1}}', attachmentType: 'none' }));
    await seedProfiles(ctx.db, project.projectId, Array.from({ length: RECIPIENTS }, (_, i) => ({ identity: `late-${i}`, phone: testPhone(60 + i), properties: { Name: `N${i}` } })));
    const campaign = json(await api('POST', '/api/v1/campaigns', { name: 'Late answers', providerId: account.id, templateId: template.id, audience: { all: true }, params: ['{{ Profile.Name }}'] }));
    ctx.startWorker();
    expect((await api('POST', `/api/v1/campaigns/${campaign.id}/publish`)).statusCode).toBe(200);

    await waitFor(() => sandbox.messages({ account: 'unknown-flow' }).length === RECIPIENTS, 20_000, 'the sandbox received every message');
    await sandbox.drain(20_000);
    const received = sandbox.messages({ account: 'unknown-flow' });
    const outcomes = { read: 0, delivered: 0 };
    for (const message of received) if (message.outcome === 'read' || message.outcome === 'delivered') outcomes[message.outcome]++;
    await waitFor(async () => json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).stats.unknown === 0 && json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).state === 'completed', 30_000, 'every unknown send settled');

    const stats = json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).stats;
    expect(stats).toMatchObject({ targeted: RECIPIENTS, queued: 0, unknown: 0, sent: RECIPIENTS, delivered: outcomes.read + outcomes.delivered, read: outcomes.read, failed: 0 });
    const rows = await ctx.db.kysely.selectFrom('messages').select(['phone', 'provider_message_id']).where('campaign_id', '=', campaign.id).execute();
    const sandboxIds = new Map(received.map((message) => [`+${message.to}`, message.id]));
    for (const row of rows) expect(row.provider_message_id).toBe(sandboxIds.get(row.phone!));
  });
});
