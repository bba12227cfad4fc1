/**
 * Scale-out on PostgreSQL: three `wacast worker` processes share one database and one campaign.
 * The sandbox (its own process) must see every recipient exactly once, and the account's rate must
 * hold at the provider although three workers could send — including while the worker that sends
 * stops and another takes over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres } from '../helpers/databases.js';
import { json } from '../helpers/context.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { openProcessWorld, exited, sleep, type ProcessWorld } from '../helpers/worker-processes.js';
import { startSandboxProcess, type SandboxProcess } from '../../src/sandbox/sandbox.process.js';
import { busiestWindow } from '../../src/bench/rate.bench.js';

const RECIPIENTS = 2000;
const RATE = 200;

describe.skipIf(!hasPostgres)('three workers on PostgreSQL', () => {
  let sandbox: SandboxProcess;
  let world: ProcessWorld;
  let campaignId: string;

  beforeAll(async () => {
    sandbox = await startSandboxProcess({
      knobs: { callbacks: false, latencyMs: [1, 5] },
      accounts: [
        { provider: 'gupshup-selfserve', id: 'multi', apiKey: 'multi-worker-key', appName: 'MultiApp', sourceNumber: '919000000555' },
      ],
    });
    world = await openProcessWorld('postgres', { ...sandbox.env });
    const post = (url: string, payload: object) => world.app.inject({ method: 'POST', url, headers: world.headers, payload });
    const provider = json(
      await post('/api/v1/providers', {
        type: 'gupshup',
        nickname: 'multi',
        ratePerSecond: RATE,
        credentials: { mode: 'selfserve', apiKey: 'multi-worker-key', appName: 'MultiApp', mobileNumber: '919000000555' },
      }),
    );
    const template = json(await post('/api/v1/templates', { providerId: provider.id, namespace: 'MULTI:hello', body: 'Hello {{1}}', attachmentType: 'none' }));
    await seedProfiles(world.runtime.db, world.projectId, Array.from({ length: RECIPIENTS }, (_, i) => ({ identity: `m${i}`, phone: testPhone(i), properties: { Name: `M${i}` } })));
    campaignId = json(await post('/api/v1/campaigns', { name: 'Multi', providerId: provider.id, templateId: template.id, audience: { all: true }, params: ['{{ Profile.Name }}'] })).id;
    expect((await post(`/api/v1/campaigns/${campaignId}/publish`, {})).statusCode).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await world?.close();
    await sandbox?.close();
  });

  it('sends each recipient once, at no more than the account rate, and survives a worker leaving', async () => {
    const workers = [world.spawnWorker(), world.spawnWorker(), world.spawnWorker()];
    // Let them run a while, then stop one gracefully (it hands its account back) and go on.
    const stats = () => sandbox.get<{ messages: { total: number } }>('/_sandbox/stats');
    const deadline = Date.now() + 30_000;
    while ((await stats()).messages.total < RECIPIENTS / 3 && Date.now() < deadline) await sleep(100);
    workers[0]!.kill('SIGTERM');
    await exited(workers[0]!);

    const finish = Date.now() + 60_000;
    for (;;) {
      const state = await world.runtime.db.kysely.selectFrom('campaigns').select('state').where('id', '=', campaignId).executeTakeFirstOrThrow();
      if (state.state === 'completed') break;
      if (Date.now() > finish) throw new Error(`campaign still ${state.state}:\n${workers.map((worker) => worker.output()).join('\n---\n')}`);
      await sleep(200);
    }
    for (const worker of workers.slice(1)) {
      worker.kill('SIGTERM');
      await exited(worker);
    }

    const messages = await sandbox.messages({ account: 'multi' });
    expect(messages).toHaveLength(RECIPIENTS);
    expect(new Set(messages.map((message) => message.to)).size).toBe(RECIPIENTS);
    const times = messages.map((message) => message.arrivedAt).sort((a, b) => a - b);
    const busiest = busiestWindow(times);
    console.log(`multi-worker: busiest sliding second ${busiest} (rate ${RATE}), ${messages.length} messages in ${((times.at(-1)! - times[0]!) / 1000).toFixed(1)} s`);
    expect(busiest).toBeLessThanOrEqual(RATE);
    const counters = json(await world.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}`, headers: world.headers })).stats;
    expect(counters).toMatchObject({ targeted: RECIPIENTS, sent: RECIPIENTS, queued: 0, unknown: 0 });
  }, 180_000);
});
