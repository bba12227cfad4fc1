/**
 * Dispatch benchmark (PRODUCT §5): a campaign to N generated profiles sent end to end — publish,
 * recipients resolved and materialised, claimed, sent to the sandbox over HTTP, outcomes stored —
 * next to the raw HTTP ceiling: a bare undici client sending the same requests to the same sandbox
 * in the same run. Also the report latency (GET of the campaign, counters only) and peak RSS.
 */
import { Pool } from 'undici';
import type { BenchContext, BenchResult, BenchSuite } from './suites.js';
import { openBenchWorld, insertBenchProfiles, deleteBenchProject, campaignProgress, BENCH_ACCOUNT } from './bench-world.js';
import { MemorySampler } from './memory-sampler.js';
import { Worker } from '../worker/worker.js';
import { SchedulerService } from '../campaigns/scheduler.js';
import { PublisherService } from '../campaigns/publisher.js';
import { DispatchService } from '../campaigns/dispatch.service.js';
import { createCampaign, getCampaign, publishCampaign } from '../campaigns/campaigns.service.js';
import { SYSTEM_ACTORS } from '../campaigns/campaign-activity.js';

/** The same SendMessage request the Enterprise adapter makes, sent by a bare client. */
async function rawCeiling(url: string, requests: number, concurrency: number): Promise<number> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: concurrency });
  let next = 0;
  const body = (i: number) =>
    new URLSearchParams({
      method: 'SendMessage', userid: BENCH_ACCOUNT.notificationUserId, password: BENCH_ACCOUNT.notificationPassword, auth_scheme: 'plain',
      v: '1.1', format: 'json', send_to: `9191${String(i).padStart(8, '0')}`, msg_type: 'HSM', isHSM: 'true', msg: `Hi Customer ${i}, your code is C${i}.`,
    }).toString();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const response = await pool.request({ method: 'POST', path: target.pathname, body: body(i), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        const text = await response.body.text();
        if (response.statusCode !== 200 || !text.includes('success')) throw new Error(`raw client: ${response.statusCode} ${text.slice(0, 200)}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return requests / seconds;
}

/**
 * Provider accounts the campaign load is spread over. One account may send at most 10,000/s
 * (PRODUCT's limit), below what a bare client reaches against the sandbox; several accounts, as
 * a large sender would have, let the measurement find the pipeline's own limit.
 */
const ACCOUNTS = 4;

export async function runDispatchBench(context: BenchContext, messages: number): Promise<BenchResult> {
  const { runtime, log } = context;
  const world = await openBenchWorld(runtime, { ratePerSecond: 10_000, accounts: ACCOUNTS });
  // RSS of the campaign alone: sampled from before publish (the raw ceiling runs afterwards).
  const memory = new MemorySampler();
  try {
    log(`generating ${messages.toLocaleString('en')} profiles…`);
    await insertBenchProfiles(world.deps, world.projectId, messages);
    const share = Math.ceil(messages / ACCOUNTS);
    const campaigns = [];
    for (const [index, sender] of world.senders.entries()) {
      const identities = Array.from({ length: Math.min(share, messages - index * share) }, (_, i) => `bench-${index * share + i}`);
      campaigns.push(
        await createCampaign(world.deps, world.projectId, {
          name: `bench dispatch ${index + 1}`,
          providerId: sender.providerId,
          templateId: sender.templateId,
          audience: { identities },
          params: ['{{ Profile.Name }}', '{{ Profile.Code }}'],
        }, SYSTEM_ACTORS.bench),
      );
    }
    const owner = `bench-${process.pid}`;
    const worker = new Worker(world.deps, owner, [
      (deps) => new SchedulerService(deps, owner),
      (deps) => new PublisherService(deps, owner),
      (deps) => new DispatchService(deps, owner),
    ]);
    memory.start().mark('before publish');
    log('publishing and sending…');
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    for (const campaign of campaigns) await publishCampaign(world.deps, world.projectId, campaign.id, SYSTEM_ACTORS.bench);
    worker.start();
    let materializedAt = 0;
    for (let round = 0; ; round++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (round % 20 === 0) memory.mark(`${round / 10} s`);
      const current = await campaignProgress(world.deps, campaigns.map((campaign) => campaign.id));
      if (!materializedAt && current.every((campaign) => campaign.materialized)) materializedAt = performance.now();
      if (current.every((campaign) => campaign.state === 'completed')) break;
      const failed = current.find((campaign) => campaign.state === 'failed');
      if (failed) throw new Error(`bench campaign failed: ${failed.stateReason}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    memory.mark('campaign completed');
    await worker.stop();
    const peakRss = memory.peakMb();
    memory.stop();

    const finals = await Promise.all(campaigns.map((campaign) => getCampaign(world.deps, world.projectId, campaign.id)));
    const sent = finals.reduce((sum, campaign) => sum + campaign.stats.sent, 0);
    if (sent !== messages) throw new Error(`expected ${messages} sent, got ${sent}: ${JSON.stringify(finals.map((campaign) => campaign.stats))}`);
    const sandboxStats = await world.sandbox.get<{ accounts: Record<string, { accepted: number; perSecond?: Array<{ accepted: number }> }> }>('/_sandbox/stats?histogram=true');
    const perSecond = (sandboxStats.accounts.bench?.perSecond ?? []).map((bucket) => bucket.accepted);
    if (sandboxStats.accounts.bench?.accepted !== messages) throw new Error(`the sandbox accepted ${sandboxStats.accounts.bench?.accepted}, expected ${messages}`);

    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await getCampaign(world.deps, world.projectId, campaigns[0]!.id);
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);

    log(`raw HTTP ceiling: ${Math.min(messages, 50_000).toLocaleString('en')} requests from a bare client…`);
    await rawCeiling(world.sandbox.env.GUPSHUP_ENTERPRISE_URL, 2000, 64); // warm-up
    const ceiling = await rawCeiling(world.sandbox.env.GUPSHUP_ENTERPRISE_URL, Math.min(messages, 50_000), 64);
    const rate = messages / seconds;
    return {
      suite: 'dispatch',
      engine: runtime.db.dialect,
      metrics: [
        { name: 'dispatch, end to end', value: Math.round(rate), unit: 'messages/s', target: '≥ 5,000', ok: rate >= 5000 },
        { name: 'raw HTTP ceiling (bare client, same sandbox)', value: Math.round(ceiling), unit: 'requests/s' },
        { name: 'dispatch / ceiling', value: Math.round((rate / ceiling) * 100), unit: '%', target: '≥ 50 %', ok: rate / ceiling >= 0.5 },
        // CPU time is steadier than throughput on a shared machine: use it to compare changes.
        { name: 'CPU time of the sending process per message', value: Math.round((cpu.user + cpu.system) / messages), unit: 'µs' },
        { name: 'recipients materialised', value: Math.round(messages / ((materializedAt - started) / 1000)), unit: 'rows/s' },
        { name: 'campaign report (GET, p99 of 50)', value: Number(latencies[Math.floor(latencies.length * 0.99)]!.toFixed(2)), unit: 'ms', target: '≤ 100', ok: latencies[Math.floor(latencies.length * 0.99)]! <= 100 },
        { name: 'peak RSS of the sending process', value: Math.round(peakRss), unit: 'MiB', target: '≤ 300', ok: peakRss <= 300 },
      ],
      notes: [
        `${messages.toLocaleString('en')} messages in ${seconds.toFixed(1)} s: ${ACCOUNTS} campaigns on ${ACCOUNTS} provider accounts of 10,000/s each (the most one account may be set to), sent by one process; sandbox (Gupshup Enterprise) in its own process, no callbacks`,
        `the ceiling is ${Math.min(messages, 50_000).toLocaleString('en')} SendMessage requests from one undici pool (64 connections) in this process`,
        `accepted by the sandbox per second: ${perSecond.join(', ')}`,
        `RSS (MiB): ${memory.marks.map((mark) => `${mark.label} ${mark.rssMb}`).join(', ')}; peak ${peakRss}`,
      ],
    };
  } finally {
    memory.stop();
    if (!context.options.keep) await deleteBenchProject(world.deps, world.projectId);
    await world.close();
  }
}

export const dispatchBenchSuite: BenchSuite = {
  name: 'dispatch',
  description: 'campaign dispatch to a sandbox in its own process, next to the raw HTTP ceiling',
  run: (context) => runDispatchBench(context, context.options.messages),
};
