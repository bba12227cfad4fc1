/**
 * The first start of wacast on a new data directory, by several processes at the same moment
 * (`wacast serve --no-worker` and `wacast worker` started together by systemd or Compose, without
 * WACAST_SECRET_KEY): each must end up with the one key file's key. Threads released together by a
 * barrier stand in for the processes, so the race is met in every run; they load the built
 * module (dist/), as the processes would.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../helpers/cli.js';

const MASTER_KEY_MODULE = fileURLToPath(new URL('../../dist/secrets/master-key.js', import.meta.url));
const STARTERS = 6;
const ROUNDS = 20;

// Each thread loads the module once, then meets the others at a barrier before every round: the
// last to arrive releases them all, so they start within microseconds of each other.
const starter = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.module).then(({ loadMasterKey }) => {
  const { barrier, starters, dirs } = workerData;
  dirs.forEach((dir, round) => {
    if (Atomics.add(barrier, round, 1) + 1 === starters) Atomics.notify(barrier, round);
    else while (Atomics.load(barrier, round) < starters) Atomics.wait(barrier, round, Atomics.load(barrier, round), 50);
    try {
      parentPort.postMessage({ round, key: loadMasterKey({ secretKey: undefined, dataDir: dir }).key.toString('hex') });
    } catch (error) {
      parentPort.postMessage({ round, error: error.message });
    }
  });
});
`;

interface Outcome {
  round: number;
  key?: string;
  error?: string;
}

/** Every round's outcomes, one per starter. */
function startTogether(dirs: string[]): Promise<Outcome[][]> {
  const barrier = new Int32Array(new SharedArrayBuffer(4 * dirs.length));
  const outcomes: Outcome[][] = dirs.map(() => []);
  return Promise.all(
    Array.from(
      { length: STARTERS },
      () =>
        new Promise<void>((resolve, reject) => {
          const thread = new Worker(starter, { eval: true, workerData: { module: MASTER_KEY_MODULE, barrier, starters: STARTERS, dirs } });
          let received = 0;
          thread.on('message', (outcome: Outcome) => {
            outcomes[outcome.round]!.push(outcome);
            if (++received === dirs.length) void thread.terminate().then(() => resolve());
          });
          thread.once('error', reject);
        }),
    ),
  ).then(() => outcomes);
}

describe('the key file on a first start by several processes at once', () => {
  const root = mkdtempSync(join(tmpdir(), 'wacast-key-race-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is created once, whole, and every process uses its key', async () => {
    assertBuilt();
    const dirs = Array.from({ length: ROUNDS }, (_, round) => join(root, `data-${round}`));
    const rounds = await startTogether(dirs);
    for (const [round, dir] of dirs.entries()) {
      const results = rounds[round]!;
      expect(results.filter((result) => result.error).map((result) => result.error), `round ${round}`).toEqual([]);
      expect(new Set(results.map((result) => result.key)).size, `round ${round}: keys in use`).toBe(1);
      expect(readdirSync(dir), 'no draft key files left behind').toEqual(['secret.key']);
      expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    }
  }, 120_000);
});
