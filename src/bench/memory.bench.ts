/**
 * Campaign memory benchmark (PRODUCT §5: "Audience of 1,000,000 profiles … the campaign runs in
 * ≤ 300 MB RSS"): `--profiles` generated profiles (default 1,000,000), one campaign to all of
 * them on a 10,000/s account, run by a separate `wacast worker` process — as a deployment runs it —
 * against a sandbox in its own process. Reports the worker's peak resident memory (the kernel's
 * high-water mark, VmHWM), its RSS while the campaign materialises and sends, and the end-to-end
 * rate. Linux only (reads /proc).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { BenchContext, BenchResult, BenchSuite } from './suites.js';
import { openBenchWorld, insertBenchProfiles, deleteBenchProject, createBenchCampaign } from './bench-world.js';
import { getCampaign, publishCampaign } from '../campaigns/campaigns.service.js';
import { WACAST_BIN } from '../cli/wacast-bin.js';
import { SYSTEM_ACTORS } from '../campaigns/campaign-activity.js';

/** Resident and peak resident memory of a process, in MiB (from /proc/<pid>/status). */
export function processMemory(pid: number): { rssMb: number; peakMb: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

export async function runMemoryBench(context: BenchContext, profiles: number): Promise<BenchResult> {
  const { runtime, log } = context;
  if (processMemory(process.pid) === null) throw new Error('the memory bench reads /proc/<pid>/status: Linux only');
  const world = await openBenchWorld(runtime, { ratePerSecond: 10_000 });
  let worker: ReturnType<typeof spawn> | null = null;
  try {
    log(`generating ${profiles.toLocaleString('en')} profiles…`);
    await insertBenchProfiles(world.deps, world.projectId, profiles);
    const campaign = await createBenchCampaign(world, 'bench memory');
    await publishCampaign(world.deps, world.projectId, campaign.id, SYSTEM_ACTORS.bench);

    log('starting a wacast worker process and sending…');
    const env = {
      ...process.env,
      WACAST_LOG_LEVEL: 'warn',
      GUPSHUP_ENTERPRISE_URL: world.sandbox.env.GUPSHUP_ENTERPRISE_URL,
      GUPSHUP_API_URL: world.sandbox.env.GUPSHUP_API_URL,
      VONAGE_API_URL: world.sandbox.env.VONAGE_API_URL,
    };
    let output = '';
    const child = spawn(process.execPath, [WACAST_BIN, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    worker = child;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const started = performance.now();
    const marks: string[] = [];
    let peakMb = 0;
    let materializedAt = 0;
    let lastMark = -10;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}: ${output.slice(-2000)}`);
      const memory = processMemory(child.pid!);
      if (memory) peakMb = Math.max(peakMb, memory.peakMb);
      const seconds = (performance.now() - started) / 1000;
      const current = await getCampaign(world.deps, world.projectId, campaign.id);
      if (memory && seconds - lastMark >= 10) {
        lastMark = seconds;
        marks.push(`${Math.round(seconds)} s ${Math.round(memory.rssMb)} (${current.stats.sent.toLocaleString('en')} sent)`);
      }
      if (!materializedAt && current.audienceMaterialized) materializedAt = performance.now();
      if (current.state === 'completed') break;
      if (current.state === 'failed') throw new Error(`bench campaign failed: ${current.stateReason}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const final = await getCampaign(world.deps, world.projectId, campaign.id);
    peakMb = Math.max(peakMb, processMemory(child.pid!)?.peakMb ?? 0);
    const rate = final.stats.sent / seconds;
    return {
      suite: 'memory',
      engine: runtime.db.dialect,
      metrics: [
        { name: 'peak RSS of the worker process', value: Math.round(peakMb), unit: 'MiB', target: '≤ 300 MB (286 MiB)', ok: peakMb * 1024 * 1024 <= 300_000_000 },
        { name: 'messages sent', value: final.stats.sent, unit: 'messages' },
        { name: 'end to end', value: Math.round(rate), unit: 'messages/s' },
        { name: 'recipients materialised', value: Math.round(final.stats.targeted / ((materializedAt - started) / 1000)), unit: 'rows/s' },
      ],
      notes: [
        `${profiles.toLocaleString('en')} profiles, one campaign to all of them on one 10,000/s account, sent by a \`wacast worker\` process (pid ${child.pid}); sandbox in its own process, no callbacks`,
        `worker RSS (MiB) every 10 s: ${marks.join(', ')}`,
      ],
    };
  } finally {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    if (!context.options.keep) await deleteBenchProject(world.deps, world.projectId);
    await world.close();
  }
}

export const memoryBenchSuite: BenchSuite = {
  name: 'memory',
  description: 'a campaign to --profiles profiles run by a separate wacast worker: its peak RSS',
  run: (context) => runMemoryBench(context, context.options.profiles),
};
