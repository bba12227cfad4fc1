/**
 * The backup thread (see sqlite-backup.ts): `VACUUM INTO` copies the database in one read
 * transaction — a consistent snapshot even while a server keeps writing — and blocks its thread
 * for the whole copy, so it runs here while the main thread draws the progress bar.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { copySnapshot, type SnapshotRequest } from './sqlite-snapshot.js';

const request = workerData as SnapshotRequest;
try {
  copySnapshot(request);
  parentPort!.postMessage({ ok: true });
} catch (error) {
  parentPort!.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
}
