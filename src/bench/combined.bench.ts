/**
 * Dispatch and delivery reports together (PRODUCT §5): a campaign sent to the sandbox, which
 * answers each message with SENT, DELIVERED and READ reports posted to the account's callback URL
 * — received, stored and applied by the same process that sends, as `wacast serve` runs. Target:
 * ≥ 2,000 messages/s sustained with no backlog growth (the callback log drains as fast as it
 * fills).
 */
import type { BenchContext, BenchResult, BenchSuite } from './suites.js';
import { openBenchWorld, insertBenchProfiles, deleteBenchProject, createBenchCampaign } from './bench-world.js';
import { buildApp } from '../app.js';
import { backgroundServices, Worker } from '../worker/worker.js';
import { getCampaign, publishCampaign } from '../campaigns/campaigns.service.js';
import { getProviderAccount } from '../providers/provider-accounts.service.js';
import { BENCH_ACCOUNT } from './bench-world.js';
import { freePort } from '../net/free-port.js';
import { SYSTEM_ACTORS } from '../campaigns/campaign-activity.js';

const RATE = 3000;


export async function runCombinedBench(context: BenchContext, messages: number): Promise<BenchResult> {
  const { runtime, log } = context;
  const port = await freePort();
  const world = await openBenchWorld(runtime, {
    ratePerSecond: RATE,
    publicUrl: `http://127.0.0.1:${port}`,
    sandboxKnobs: { callbacks: true, readShare: 1, failShare: 0, dlrDelayMs: [50, 300], callbackConcurrency: 64 },
  });
  const app = await buildApp(world.deps);
  const owner = `bench-combined-${process.pid}`;
  const worker = new Worker(world.deps, owner, backgroundServices);
  try {
    await app.listen({ host: '127.0.0.1', port });
    const account = await getProviderAccount(world.deps, world.projectId, world.providerId);
    await world.sandbox.post('/_sandbox/accounts', {
      accounts: [{ provider: 'gupshup-enterprise', id: 'bench', ...BENCH_ACCOUNT, dlrUrl: account.deliveryCallbackUrl, inboundUrl: account.inboundCallbackUrl }],
    });
    log(`generating ${messages.toLocaleString('en')} profiles…`);
    await insertBenchProfiles(world.deps, world.projectId, messages);
    const campaign = await createBenchCampaign(world, 'bench combined');
    log(`sending at ${RATE}/s with SENT, DELIVERED and READ reports for every message…`);
    const started = performance.now();
    await publishCampaign(world.deps, world.projectId, campaign.id, SYSTEM_ACTORS.bench);
    worker.start();
    const backlog: number[] = [];
    let sentAt = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const pending = await world.deps.db.kysely
        .selectFrom('callback_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', world.projectId)
        .where('state', '=', 'pending')
        .executeTakeFirstOrThrow();
      const stats = (await getCampaign(world.deps, world.projectId, campaign.id)).stats;
      if (!sentAt) backlog.push(Number(pending.n));
      if (!sentAt && stats.sent >= messages) sentAt = performance.now();
      if (stats.read >= messages) break;
      if (performance.now() - started > 600_000) throw new Error(`not done after 10 minutes: ${JSON.stringify(stats)}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const sendSeconds = (sentAt - started) / 1000;
    const half = Math.floor(backlog.length / 2);
    const average = (values: number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
    const growth = average(backlog.slice(half)) - average(backlog.slice(0, half));
    const rate = messages / seconds;
    return {
      suite: 'combined',
      engine: runtime.db.dialect,
      metrics: [
        { name: 'messages sent, delivered and read, end to end', value: Math.round(rate), unit: 'messages/s', target: '≥ 2,000', ok: rate >= 2000 },
        { name: 'sending phase', value: Math.round(messages / sendSeconds), unit: 'messages/s' },
        { name: 'callbacks applied', value: Math.round((messages * 3) / seconds), unit: 'callbacks/s' },
        { name: 'callback backlog, largest while sending', value: Math.max(0, ...backlog), unit: 'callbacks' },
        { name: 'backlog growth (2nd half − 1st half of sending, average)', value: Math.round(growth), unit: 'callbacks', target: 'no growth', ok: growth <= Math.max(100, RATE * 0.1) },
      ],
      notes: [
        `${messages.toLocaleString('en')} messages, account at ${RATE}/s; the sandbox posts Gupshup Enterprise DLR batches (≤ 20 per request, 50–300 ms after each step) to this process, which stores and applies them while it sends`,
        `pending callbacks each second while sending: ${backlog.join(', ')}`,
      ],
    };
  } finally {
    await worker.stop();
    await app.close();
    if (!context.options.keep) await deleteBenchProject(world.deps, world.projectId);
    await world.close();
  }
}

export const combinedBenchSuite: BenchSuite = {
  name: 'combined',
  description: 'dispatch with SENT, DELIVERED and READ reports for every message, applied by the same process',
  run: (context) => runCombinedBench(context, Math.min(context.options.messages, 60_000)),
};
