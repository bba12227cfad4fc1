/**
 * Callback ingestion benchmark (PRODUCT §5): Gupshup delivery reports posted by a load generator
 * in its own process over 64 keep-alive connections, each acknowledged only after it is durably in
 * the callback log, and applied to stored campaign messages by the applier in the same process —
 * as `wacast serve` runs. Next to it, in the same run, a bare Fastify endpoint answering 200 to the
 * same requests. Targets (PRODUCT §5 counts callbacks "durably stored and applied"): ≥ 10,000
 * callbacks/s acknowledged and applied, ≥ 50 % of the bare endpoint, p99 acknowledgement ≤ 50 ms.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { sql, type Insertable } from 'kysely';
import type { MessagesTable } from '../storage/schema.js';
import type { BenchContext, BenchResult, BenchSuite } from './suites.js';
import type { LoadResult, LoadSpec } from './load-generator.js';
import { openBenchWorld, insertBenchProfiles, deleteBenchProject } from './bench-world.js';
import { buildApp } from '../app.js';
import { Worker } from '../worker/worker.js';
import { ApplierService } from '../webhooks/applier.service.js';
import { newId } from '../ids.js';
import { toJson } from '../storage/json.js';
import { getProviderAccount } from '../providers/provider-accounts.service.js';

const LOAD_GENERATOR = fileURLToPath(new URL('./load-generator.js', import.meta.url));
const CONNECTIONS = 64;

/** Runs the load generator in its own process. */
export function runLoadProcess(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD_GENERATOR, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output.trim()) as LoadResult) : reject(new Error(`load generator exited with ${code}`))));
  });
}

/**
 * CPU time of this process's main thread in µs (Linux: /proc, in 10 ms ticks), or null elsewhere.
 * Not the event loop's busy time: on a loaded machine that also counts time the thread waited for
 * a core.
 */
function mainThreadCpuUs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, in parentheses): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / LINUX_CLOCK_TICKS);
  } catch {
    return null;
  }
}
/** USER_HZ: the unit of /proc CPU times on every Linux architecture Node runs on. */
const LINUX_CLOCK_TICKS = 100;

/** What this process spent between the call and `stop()`: CPU of all its threads, and of the main thread. */
function processTime() {
  const cpu = process.cpuUsage();
  const mainThread = mainThreadCpuUs();
  return {
    stop() {
      const used = process.cpuUsage(cpu);
      const mainThreadNow = mainThreadCpuUs();
      return { cpuUs: used.user + used.system, mainThreadUs: mainThread === null || mainThreadNow === null ? null : mainThreadNow - mainThread };
    },
  };
}

type Spent = ReturnType<ReturnType<typeof processTime>['stop']>;

async function bareEndpoint(seconds: number): Promise<LoadResult & { spent: Spent }> {
  const bare = Fastify();
  bare.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  bare.post('/hooks/bare/:token/delivery', async (_request, reply) => reply.status(200).send());
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const { port } = bare.server.address() as { port: number };
  try {
    const time = processTime();
    const load = await runLoadProcess({ url: `http://127.0.0.1:${port}`, path: '/hooks/bare/x/delivery', seconds, connections: CONNECTIONS, idPrefix: 'bare-', messages: 1000 });
    return { ...load, spent: time.stop() };
  } finally {
    await bare.close();
  }
}

/** `count` campaign messages already sent, with provider ids `<prefix><n>`, for the DLRs to find. */
async function insertSentMessages(world: Awaited<ReturnType<typeof openBenchWorld>>, count: number, prefix: string): Promise<void> {
  const { db } = world.deps;
  const now = Date.now();
  const campaignId = newId(now);
  await db.kysely
    .insertInto('campaigns')
    .values({
      id: campaignId, project_id: world.projectId, name: 'bench callbacks', provider_id: world.providerId, template_id: world.templateId,
      audience: toJson({ all: true }), params: toJson(['x', 'y']), state: 'completed', created_at: now, updated_at: now,
      published_at: now, started_at: now, completed_at: now, materialized_at: now,
    })
    .execute();
  await db.kysely.insertInto('campaign_counters').values({ campaign_id: campaignId, targeted: count, sent: count }).execute();
  const profiles = await db.kysely.selectFrom('profiles').select(['id', 'phone']).where('project_id', '=', world.projectId).orderBy('id').execute();
  for (let start = 0; start < count; start += 1000) {
    const rows: Insertable<MessagesTable>[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const profile = profiles[i]!;
      rows.push({
        id: newId(now), project_id: world.projectId, campaign_id: campaignId, profile_id: profile.id, provider_id: world.providerId,
        phone: profile.phone, kind: 'campaign' as const, priority: 5, status: 'sent' as const, payload: toJson(null),
        provider_message_id: `${prefix}${i}`, attempts: 1, available_at: now, created_at: now, updated_at: now, sent_at: now,
      });
    }
    await db.kysely.transaction().execute((trx) => trx.insertInto('messages').values(rows).execute());
  }
}

export async function runCallbacksBench(context: BenchContext, seconds = 8): Promise<BenchResult> {
  const { runtime, log } = context;
  log(`bare Fastify endpoint, ${seconds} s of DLRs over ${CONNECTIONS} connections…`);
  const bare = await bareEndpoint(seconds);

  const world = await openBenchWorld(runtime, { ratePerSecond: 1000 });
  const app = await buildApp(world.deps);
  const owner = `bench-callbacks-${process.pid}`;
  const worker = new Worker(world.deps, owner, [(deps) => new ApplierService(deps, owner)]);
  try {
    const messages = 100_000;
    log(`storing ${messages.toLocaleString('en')} sent campaign messages for the DLRs to update…`);
    await insertBenchProfiles(world.deps, world.projectId, messages);
    await insertSentMessages(world, messages, 'bench-dlr-');
    // Fresh PostgreSQL tables have no planner statistics yet (autovacuum collects them later).
    if (runtime.db.dialect === 'postgres') await sql`analyze messages`.execute(world.deps.db.kysely);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const account = await getProviderAccount(world.deps, world.projectId, world.providerId);
    worker.start();

    log(`wacast callback endpoint + applier, ${seconds} s…`);
    const started = performance.now();
    const time = processTime();
    const load = await runLoadProcess({ url: `http://127.0.0.1:${port}`, path: new URL(account.deliveryCallbackUrl).pathname, seconds, connections: CONNECTIONS, idPrefix: 'bench-dlr-', messages });
    const acked = performance.now();
    for (;;) {
      const pending = await world.deps.db.kysely.selectFrom('callback_events').select('seq').where('project_id', '=', world.projectId).where('state', '=', 'pending').limit(1).execute();
      if (pending.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const applied = performance.now();
    const spent = time.stop();
    const stored = await world.deps.db.kysely
      .selectFrom('callback_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', world.projectId)
      .where('state', '=', 'applied')
      .executeTakeFirstOrThrow();
    const ok = load.statuses['200'] ?? 0;
    if (Number(stored.n) !== ok) throw new Error(`${ok} callbacks were acknowledged but ${stored.n} applied`);
    // PRODUCT §5 counts callbacks "durably stored and applied": the headline is the rate at which
    // the load was both acknowledged and applied (until the log was empty again).
    const appliedRate = ok / ((applied - started) / 1000);
    const ratio = appliedRate / bare.rps;
    return {
      suite: 'callbacks',
      engine: runtime.db.dialect,
      metrics: [
        { name: 'callbacks stored and applied (until the log was empty)', value: Math.round(appliedRate), unit: 'callbacks/s', target: '≥ 10,000', ok: appliedRate >= 10_000 },
        { name: 'bare Fastify endpoint, same load', value: bare.rps, unit: 'requests/s' },
        { name: 'stored and applied / bare', value: Math.round(ratio * 100), unit: '%', target: '≥ 50 %', ok: ratio >= 0.5 },
        { name: 'acknowledgement latency p99', value: load.p99, unit: 'ms', target: '≤ 50', ok: load.p99 <= 50 },
        { name: 'acknowledgement latency p50', value: load.p50, unit: 'ms' },
        { name: 'callbacks acknowledged (stored durably) while the load ran', value: load.rps, unit: 'callbacks/s' },
        { name: 'acknowledged / bare', value: Math.round((load.rps / bare.rps) * 100), unit: '%' },
        { name: 'backlog drained after the load stopped', value: Math.round(applied - acked), unit: 'ms' },
        // CPU time is steadier than throughput on a shared machine (compare changes with it), and it
        // shows what bounds the rate: the main thread's time per callback, and whether the server
        // and the load generator together fit in the machine's cores at a given rate.
        ...(spent.mainThreadUs === null ? [] : [{ name: 'server main-thread CPU time per callback', value: Math.round(spent.mainThreadUs / ok), unit: 'µs' }]),
        { name: 'server CPU time per callback (all threads)', value: Math.round(spent.cpuUs / ok), unit: 'µs' },
        ...(bare.spent.mainThreadUs === null ? [] : [{ name: 'bare endpoint main-thread CPU time per request', value: Math.round(bare.spent.mainThreadUs / bare.requests), unit: 'µs' }]),
        { name: 'load generator CPU time per request, against wacast', value: Math.round(load.cpuUs / load.requests), unit: 'µs' },
        { name: 'load generator CPU time per request, against the bare endpoint', value: Math.round(bare.cpuUs / bare.requests), unit: 'µs' },
      ],
      notes: [
        `${ok.toLocaleString('en')} Gupshup DLRs (DELIVERED, then READ) for ${messages.toLocaleString('en')} stored messages, one event per request, ${CONNECTIONS} connections, load generator in its own process; errors ${load.errors}, statuses ${JSON.stringify(load.statuses)}`,
        `bare endpoint p99 ${bare.p99} ms`,
        `${cpus().length} CPUs: at ${Math.round(spent.cpuUs / ok + load.cpuUs / load.requests)} µs of CPU per callback (server and load generator), they allow at most ${Math.round((cpus().length * 1e6) / (spent.cpuUs / ok + load.cpuUs / load.requests)).toLocaleString('en')} callbacks/s with every thread busy${runtime.db.dialect === 'postgres' ? " (before PostgreSQL's own processes, which run on the same cores)" : ''}`,
      ],
    };
  } finally {
    await worker.stop();
    await app.close();
    if (!context.options.keep) await deleteBenchProject(world.deps, world.projectId);
    await world.close();
  }
}

export const callbacksBenchSuite: BenchSuite = {
  name: 'callbacks',
  description: 'delivery-report ingestion (durable, then applied) next to a bare Fastify endpoint',
  run: (context) => runCallbacksBench(context),
};
