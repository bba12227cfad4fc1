/**
 * Rate accuracy (PRODUCT §5): an account configured for 200 messages/s, two campaigns sending at
 * once, measured where it counts — the arrival times at the sandbox, in its own process. Target:
 * 196–200/s on average and no sliding 1-second window above 200.
 */
import type { BenchContext, BenchResult, BenchSuite } from './suites.js';
import { openBenchWorld, insertBenchProfiles, deleteBenchProject } from './bench-world.js';
import { Worker } from '../worker/worker.js';
import { SchedulerService } from '../campaigns/scheduler.js';
import { PublisherService } from '../campaigns/publisher.js';
import { DispatchService } from '../campaigns/dispatch.service.js';
import { createCampaign, getCampaign, publishCampaign } from '../campaigns/campaigns.service.js';
import { SYSTEM_ACTORS } from '../campaigns/campaign-activity.js';

const RATE = 200;

/** The most arrivals within any sliding window of `windowMs` (times sorted ascending). */
export function busiestWindow(times: number[], windowMs = 1000): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

export async function runRateBench(context: BenchContext, seconds = 30): Promise<BenchResult> {
  const { runtime, log } = context;
  const world = await openBenchWorld(runtime, { ratePerSecond: RATE, sandboxKnobs: { latencyMs: [2, 10] } });
  try {
    const perCampaign = Math.ceil((RATE * seconds) / 2);
    await insertBenchProfiles(world.deps, world.projectId, perCampaign * 2);
    const ids: string[] = [];
    for (const half of [0, 1]) {
      const identities = Array.from({ length: perCampaign }, (_, i) => `bench-${half * perCampaign + i}`);
      const campaign = await createCampaign(world.deps, world.projectId, {
        name: `rate ${half}`,
        providerId: world.providerId,
        templateId: world.templateId,
        audience: { identities },
        params: ['{{ Profile.Name }}', `R${half}`],
      }, SYSTEM_ACTORS.bench);
      ids.push(campaign.id);
    }
    const owner = `bench-rate-${process.pid}`;
    const worker = new Worker(world.deps, owner, [
      (deps) => new SchedulerService(deps, owner),
      (deps) => new PublisherService(deps, owner),
      (deps) => new DispatchService(deps, owner),
    ]);
    log(`sending ${perCampaign * 2} messages in two campaigns on one ${RATE}/s account…`);
    for (const id of ids) await publishCampaign(world.deps, world.projectId, id, SYSTEM_ACTORS.bench);
    worker.start();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const states = await Promise.all(ids.map(async (id) => (await getCampaign(world.deps, world.projectId, id)).state));
      if (states.every((state) => state === 'completed')) break;
    }
    await worker.stop();
    const arrivals = (await world.sandbox.messages({ account: 'bench' })).map((message) => message.arrivedAt).sort((a, b) => a - b);
    const busiest = busiestWindow(arrivals);
    const average = ((arrivals.length - 1) / (arrivals[arrivals.length - 1]! - arrivals[0]!)) * 1000;
    // Windows starting at each arrival: [t, t + 1 s).
    let windowsAbove = 0;
    for (let i = 0, j = 0; i < arrivals.length; i++) {
      while (j < arrivals.length && arrivals[j]! < arrivals[i]! + 1000) j++;
      if (j - i > RATE) windowsAbove++;
    }
    return {
      suite: 'rate',
      engine: runtime.db.dialect,
      metrics: [
        { name: 'average rate at the provider', value: Number(average.toFixed(1)), unit: 'messages/s', target: '196–200', ok: average >= 196 && average <= 200 },
        { name: 'busiest sliding 1-second window', value: busiest, unit: 'messages', target: `≤ ${RATE}`, ok: busiest <= RATE },
        { name: 'sliding windows above the rate', value: windowsAbove, unit: 'windows', target: '0', ok: windowsAbove === 0 },
      ],
      notes: [`${arrivals.length} arrivals over ${((arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000).toFixed(1)} s; two campaigns sharing one account configured at ${RATE}/s; sandbox latency 2–10 ms`],
    };
  } finally {
    if (!context.options.keep) await deleteBenchProject(world.deps, world.projectId);
    await world.close();
  }
}

export const rateBenchSuite: BenchSuite = {
  name: 'rate',
  description: 'rate accuracy of a 200/s account, measured at the sandbox',
  run: (context) => runRateBench(context),
};
