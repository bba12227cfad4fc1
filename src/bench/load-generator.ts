/**
 * HTTP load generator for the callback benchmark, run as its own process (so that the server under
 * test has its core to itself): posts Gupshup Enterprise DLRs — one event per request, as Gupshup
 * posts them when traffic is low — over `connections` keep-alive connections for `seconds`, and
 * prints one JSON line with requests/s and latency percentiles.
 *
 *   node dist/bench/load-generator.js '{"url":"http://127.0.0.1:3000","path":"/hooks/…","seconds":5,…}'
 */
import { Pool } from 'undici';

export interface LoadSpec {
  url: string;
  path: string;
  seconds: number;
  connections: number;
  /** Message ids `<prefix><n>` with n in [0, messages) — the stored messages the DLRs are for. */
  idPrefix: string;
  messages: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  /** CPU time (user + system) the load generator itself used, in µs. */
  cpuUs: number;
}

const EVENTS = ['DELIVERED', 'READ'];

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const pool = new Pool(spec.url, { connections: spec.connections, pipelining: 1 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const end = Date.now() + spec.seconds * 1000;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: spec.connections }, async (_, lane) => {
      for (let i = lane; Date.now() < end; i += spec.connections) {
        const event = {
          srcAddr: 'BENCH', channel: 'WHATSAPP', externalId: `${spec.idPrefix}${i % spec.messages}`, cause: 'SUCCESS', errorCode: '000',
          destAddr: '919000000000', eventType: EVENTS[Math.floor(i / spec.messages) % EVENTS.length], eventTs: Date.now(),
        };
        const body = `response=${encodeURIComponent(JSON.stringify([event]))}`;
        const t0 = performance.now();
        try {
          const response = await pool.request({ path: spec.path, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
          await response.body.dump();
          statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));
  return { requests: latencies.length, rps: Math.round(latencies.length / seconds), errors, statuses, p50: at(0.5), p99: at(0.99), max: at(1), cpuUs: cpu.user + cpu.system };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  runLoad(spec)
    .then((result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
