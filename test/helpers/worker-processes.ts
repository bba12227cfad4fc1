/**
 * Real `wacast` processes for crash and scale-out tests: a data directory (SQLite) or a fresh
 * PostgreSQL database, the environment the processes share, an in-process runtime on the same
 * data for setting things up and checking results, and spawn/kill helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { createLogger } from '../../src/logger.js';
import { buildApp } from '../../src/app.js';
import { createProject } from '../../src/projects/projects.service.js';
import { createApiCredential } from '../../src/auth/api-credentials.service.js';
import { assertBuilt, WACAST_BIN } from './cli.js';
import { createPostgresDatabase } from './databases.js';
import type { FastifyInstance } from 'fastify';

export interface ProcessWorld {
  env: Record<string, string>;
  runtime: Runtime;
  app: FastifyInstance;
  headers: Record<string, string>;
  projectId: string;
  spawnWorker(args?: string[]): ChildProcess & { output: () => string };
  close(): Promise<void>;
}

export async function openProcessWorld(engine: 'sqlite' | 'postgres', extraEnv: Record<string, string>): Promise<ProcessWorld> {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'wacast-procs-'));
  const pg = engine === 'postgres' ? await createPostgresDatabase() : null;
  const env: Record<string, string> = {
    WACAST_DATA_DIR: dir,
    WACAST_SECRET_KEY: randomBytes(32).toString('hex'),
    WACAST_LOG_LEVEL: 'warn',
    WACAST_PUBLIC_URL: 'http://127.0.0.1:9',
    ...(pg ? { WACAST_DATABASE_URL: pg.url } : {}),
    ...extraEnv,
  };
  const runtime = await openRuntime(loadConfig(env), { logger: createLogger('warn') });
  const app = await buildApp(runtime);
  await app.ready();
  const project = await createProject(runtime.db, 'processes');
  const credential = await createApiCredential(runtime.db, project.id);
  const children = new Set<ChildProcess>();

  return {
    env,
    runtime,
    app,
    projectId: project.id,
    headers: { 'x-wacast-account-id': credential.accountId, 'x-wacast-passcode': credential.passcode },
    spawnWorker(args = ['worker']) {
      let output = '';
      const child = spawn(process.execPath, [WACAST_BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      children.add(child);
      child.on('exit', () => children.delete(child));
      return Object.assign(child, { output: () => output });
    },
    async close() {
      for (const child of children) child.kill('SIGKILL');
      await app.close();
      await runtime.close();
      if (pg) await pg.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
