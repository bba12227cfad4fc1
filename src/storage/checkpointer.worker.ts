/**
 * The checkpointer thread (see checkpointer.ts): its own connection to the database file copies
 * committed pages from the WAL into the database, and syncs the file, beside the writers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { CheckpointerData } from './checkpointer.js';

const data = workerData as CheckpointerData;
const sqlite = new BetterSqlite3(data.file, { fileMustExist: true });
sqlite.pragma('busy_timeout = 1000');

function checkpoint(): void {
  try {
    // PASSIVE never waits for, or blocks, readers and writers; whatever it cannot copy now it copies
    // on a later round.
    sqlite.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy (another process is checkpointing) or the file is gone: the next round tries again.
  }
}

const timer = setInterval(checkpoint, data.intervalMs);

parentPort!.on('message', (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  sqlite.close();
  parentPort!.close();
});
