/**
 * V8 heap settings for the long-running processes (`wacast serve`, `wacast worker`, and the bench
 * that stands in for them), set before any worker thread starts. `WACAST_HEAP` chooses.
 *
 * By default V8 lets the old generation grow to ~4× what survived the last full collection, and
 * young-generation semispaces to 16 MiB: under sending load the main thread's heap swung between
 * 30 and 150 MiB, and a campaign to 1,000,000 recipients ran in 380–410 MiB of RSS (PRODUCT §5 asks
 * for ≤ 300 MB). `lean` (the default) grows the heap by 25 % and keeps semispaces at 4 MiB: more,
 * shorter collections. Measured (docs/benchmarks.md): a separate worker's peak RSS 410 → 259 MiB
 * for 1,000,000 recipients (with SQLite's 32 MiB page cache); dispatch in one process 15–20 %
 * slower (5,700–6,000 vs 6,900–7,500 messages/s back to back). `default` leaves V8 alone. The
 * sender thread is the exception: it gets larger semispaces (createWorkerWithSemiSpace).
 */
import type { EventEmitter } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import type { Config } from './config.js';

const LEAN_SEMI_SPACE_MB = 4;
export const LEAN_HEAP_FLAGS = ['--heap-growing-percent=25', `--max-semi-space-size=${LEAN_SEMI_SPACE_MB}`];

let lean = false;

export function tuneHeapForServer(config: Pick<Config, 'heap'>): void {
  if (config.heap !== 'lean') return;
  for (const flag of LEAN_HEAP_FLAGS) setFlagsFromString(flag);
  lean = true;
}

/**
 * Creates a worker thread whose young generation is `semiSpaceMb` semispaces even when the
 * process is lean. The sender thread holds little (the requests in flight) but allocates for every
 * request: with 4 MiB semispaces it spent ~20 % of its time in scavenges under sending load (CPU
 * profile of the dispatch bench). V8 reads the flag when the thread's isolate is created, so it is
 * set around the creation and put back once the thread runs (`online`) or could not start.
 */
export function createWorkerWithSemiSpace<T extends EventEmitter>(semiSpaceMb: number, create: () => T): T {
  if (!lean) return create();
  setFlagsFromString(`--max-semi-space-size=${semiSpaceMb}`);
  let worker: T;
  try {
    worker = create();
  } catch (error) {
    setFlagsFromString(`--max-semi-space-size=${LEAN_SEMI_SPACE_MB}`);
    throw error;
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    setFlagsFromString(`--max-semi-space-size=${LEAN_SEMI_SPACE_MB}`);
  };
  worker.once('online', restore);
  worker.once('exit', restore);
  return worker;
}
