/**
 * Starts a real `wacast serve` for a browser test, exactly as `npm start` runs it: the built CLI,
 * a fresh data directory (SQLite), a free port on 127.0.0.1. The printed URL and one-time setup
 * link are read from its output. `stop()` ends it (SIGTERM, then SIGKILL) and removes its data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from './build.js';

export interface RunningServer {
  /** The server's public URL, e.g. http://127.0.0.1:41234 (the base of callback URLs too). */
  url: string;
  /** The one-time first-admin link printed at first start. */
  setupLink: string;
  /** Its data directory (the SQLite database is `wacast.db` in it), for tests that set up history. */
  dataDir: string;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The environment of the test run minus every wacast setting, so nothing leaks in from the shell. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // NODE_ENV=test and VITEST* come from the test runner, not from how `npm start` runs.
    if (/^(WACAST_|GUPSHUP_|VONAGE_|VITEST)/.test(key) || key === 'NODE_ENV') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startOnce(env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'wacast-e2e-'));
  const child = spawn(process.execPath, [join(repoRoot, 'bin/wacast.js'), 'serve'], {
    cwd: repoRoot,
    env: cleanEnv({ WACAST_DATA_DIR: dataDir, WACAST_PORT: String(port), WACAST_HOST: '127.0.0.1', WACAST_LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If the test process dies without stop(), the server must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, STOP_TIMEOUT_MS);
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const ready = await new Promise<{ url: string; setupLink: string }>((resolve, reject) => {
      let url: string | null = null;
      const timer = setTimeout(() => reject(new Error(`wacast serve did not print its URL and setup link within ${READY_TIMEOUT_MS} ms.`)), READY_TIMEOUT_MS);
      const onData = (chunk: string) => {
        output += chunk;
        url ??= /wacast is running at (\S+)/.exec(output)?.[1] ?? null;
        const setupLink = /one-time link\): (\S+)/.exec(output)?.[1];
        if (url && setupLink) {
          clearTimeout(timer);
          resolve({ url, setupLink });
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: string) => {
        output += chunk;
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`wacast serve exited early (code ${code}, signal ${signal}).`));
      });
    });
    return { ...ready, dataDir, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output}`);
  }
}

/** Builds if needed, then starts a fresh server. Retries once if the chosen port was taken meanwhile. */
export async function startServer(options: { env?: Record<string, string> } = {}): Promise<RunningServer> {
  await ensureBuilt();
  try {
    return await startOnce(options.env ?? {});
  } catch (error) {
    if (!String((error as Error).message).includes('EADDRINUSE')) throw error;
    return startOnce(options.env ?? {});
  }
}
