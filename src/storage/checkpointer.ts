/**
 * Moves SQLite's WAL checkpoints off the thread that writes.
 *
 * better-sqlite3 is synchronous, and SQLite runs an automatic checkpoint inside the commit that
 * crosses the WAL threshold: that commit copies thousands of pages and syncs the database file,
 * blocking the event loop 30–50 ms. On the main thread this holds back everything else, including
 * the dispatcher's paced sends, which cannot catch up afterwards without breaking the provider's
 * per-second limit. So the writing connection turns automatic checkpoints off and a worker thread
 * with its own connection checkpoints every few hundred milliseconds (PASSIVE: it never blocks
 * readers or writers). If the thread script is not built (sources before the first build), the
 * connection keeps SQLite's automatic checkpoints.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface CheckpointerData {
  file: string;
  intervalMs: number;
}

/** The compiled thread script: beside this module in dist/, or in dist/ when this runs from sources. */
const WORKER_FILE = [
  fileURLToPath(new URL('./checkpointer.worker.js', import.meta.url)),
  fileURLToPath(new URL('../../dist/storage/checkpointer.worker.js', import.meta.url)),
].find((file) => existsSync(file));

export const CHECKPOINT_INTERVAL_MS = 250;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts checkpointing `file` on a thread, or returns null when the thread script is not built. */
export function startCheckpointer(file: string, intervalMs = CHECKPOINT_INTERVAL_MS): Checkpointer | null {
  if (!WORKER_FILE) return null;
  const worker = new Worker(WORKER_FILE, { workerData: { file, intervalMs } satisfies CheckpointerData });
  // A failing checkpointer must not take the process down; SQLite recovers the WAL on next open.
  worker.on('error', () => {});
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage({ type: 'stop' });
      const timeout = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
