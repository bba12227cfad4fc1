/**
 * Runs the built `wacast` command (dist/, built by `npm test` before the tests) in a child process,
 * the way an operator runs it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { WACAST_BIN } from '../../src/cli/wacast-bin.js';

export { WACAST_BIN };
const DIST_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(DIST_MAIN)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test.');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `as` runs it as another user (the test must run as root to do that). */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000, as?: { uid: number; gid: number }): Promise<CliResult> {
  return runCliUntil(args, env, null, timeoutMs, as);
}

/**
 * runCli for a command that runs until it is stopped (`worker`, `serve`): killed as soon as its
 * output holds `text` — however long a busy machine takes to get there — or after `timeoutMs`.
 */
export function runCliUntil(args: string[], env: Record<string, string>, text: string | null, timeoutMs = 60_000, as?: { uid: number; gid: number }): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WACAST_BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...as });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (text !== null && stdout.includes(text)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
