/**
 * Makes sure dist/ (server and dashboard) is built from the current sources before a browser test
 * starts `wacast serve`. `npm test` builds first; this covers `npx vitest run test/e2e/…` after an
 * edit. Test files run in parallel, so the build runs under a lock: the first file builds, the
 * others wait and then find it fresh.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const lockPath = join(tmpdir(), `wacast-build-${createHash('sha1').update(repoRoot).digest('hex').slice(0, 12)}.lock`);
/** A lock older than this belongs to a build that died; a full build takes well under a minute. */
const STALE_LOCK_MS = 5 * 60_000;

function tryLock(): boolean {
  try {
    closeSync(openSync(lockPath, 'wx'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(lockPath).mtimeMs > STALE_LOCK_MS) rmSync(lockPath, { force: true });
    } catch {
      // Removed by its owner in the meantime: try again.
    }
    return false;
  }
}

export async function ensureBuilt(): Promise<void> {
  const deadline = Date.now() + STALE_LOCK_MS + 60_000;
  while (!tryLock()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the build lock ${lockPath}.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  try {
    // Not vitest's NODE_ENV=test: with it, Vite would bundle React's development build.
    const env = { ...process.env };
    delete env.NODE_ENV;
    const result = spawnSync(process.execPath, [join(repoRoot, 'scripts/build-if-needed.mjs')], { cwd: repoRoot, encoding: 'utf8', env });
    if (result.status !== 0) {
      throw new Error(`Building wacast for the browser tests failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
  } finally {
    rmSync(lockPath, { force: true });
  }
}
