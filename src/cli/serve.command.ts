/** `wacast serve`, `wacast worker`, `wacast migrate`. */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { buildApp } from '../app.js';
import { Worker } from '../worker/worker.js';
import { countUsers } from '../auth/users.service.js';
import { issueSetupToken } from '../auth/setup-token.js';
import { openDb } from '../storage/db.js';
import { migrate } from '../storage/migrator.js';
import { randomToken } from '../ids.js';
import { tuneHeapForServer } from '../heap.js';
import { onShutdown, type ShutdownStep } from './shutdown.js';
import { DATABASE_HELP } from './new-database-note.js';

function httpStep(app: FastifyInstance): ShutdownStep {
  return { waitingFor: 'the HTTP server to answer the requests in progress (new ones get 503)', run: () => app.close() };
}

function workerStep(worker: Worker, config: { sendTimeoutMs: number }): ShutdownStep {
  return {
    waitingFor: `the worker: sends in flight wait for the provider's answer (at most ${config.sendTimeoutMs / 1000} s, WACAST_SEND_TIMEOUT_MS), claimed messages go back to the queue`,
    run: () => worker.stop(),
  };
}

function databaseStep(runtime: Runtime): ShutdownStep {
  return { waitingFor: 'the database to close', run: () => runtime.close() };
}

/** Thrown when the HTTP server cannot listen; the message says why and which variable to change. */
export class ListenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ListenError';
  }
}

/** app.listen on WACAST_HOST:WACAST_PORT, with the usual failures put in words instead of a stack trace. */
export async function listenOn(app: FastifyInstance, config: { host: string; port: number }): Promise<void> {
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const where = `${config.host}:${config.port}`;
    const reasons: Record<string, string> = {
      EADDRINUSE: `port ${config.port} is already in use: stop the other process or set WACAST_PORT to a free port`,
      EACCES: `this user may not open port ${config.port}: set WACAST_PORT to 1024 or above`,
      EADDRNOTAVAIL: `${config.host} is not an address of this machine: set WACAST_HOST to one of its addresses, 127.0.0.1 or 0.0.0.0`,
      ENOTFOUND: `the host name ${config.host} does not resolve: set WACAST_HOST to an address of this machine, 127.0.0.1 or 0.0.0.0`,
    };
    const reason = typeof code === 'string' ? reasons[code] : undefined;
    if (reason) throw new ListenError(`Cannot listen on ${where}: ${reason}.`, { cause: error });
    throw error;
  }
}

export function workerOwner(): string {
  return `${hostname()}:${process.pid}:${randomToken(4)}`;
}

/** "SQLite at /path/wacast.db" or "PostgreSQL at postgres://user@host/db" (no password). */
function databaseOf(runtime: Runtime): string {
  return `${runtime.db.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} at ${runtime.db.location}`;
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('Serve the API, the dashboard and the callback endpoints, with the background worker (unless --no-worker).')
    .option('--no-worker', 'serve HTTP only (stateless API/webhook node for scale-out)')
    .addHelpText('after', '\nAddress, data and everything else come from the environment: WACAST_HOST (default 0.0.0.0), WACAST_PORT (default 3000),\nWACAST_DATA_DIR, WACAST_DATABASE_URL, WACAST_PUBLIC_URL… (README, Configuration).')
    .action(async (options: { worker: boolean }) => {
      const config = loadConfig();
      tuneHeapForServer(config);
      const runtime = await openRuntime(config);
      const app = await buildApp(runtime);
      const worker = options.worker ? new Worker(runtime, workerOwner()) : null;
      try {
        await listenOn(app, config);
      } catch (error) {
        await runtime.close();
        throw error;
      }
      worker?.start();
      console.log(`wacast is running at ${config.publicUrl} (${databaseOf(runtime)}${worker ? ', worker on' : ', worker off'})`);
      if ((await countUsers(runtime.db)) === 0) {
        const token = await issueSetupToken(runtime.db);
        console.log(`Create the first admin (one-time link): ${config.publicUrl}/setup#token=${token}`);
      }
      onShutdown([httpStep(app), ...(worker ? [workerStep(worker, config)] : []), databaseStep(runtime)]);
    });

  program
    .command('worker')
    .description('Run only the background worker: dispatch, callbacks, scheduling. Run several against PostgreSQL to scale out.')
    .addHelpText('after', DATABASE_HELP)
    .action(async () => {
      const config = loadConfig();
      tuneHeapForServer(config);
      const runtime: Runtime = await openRuntime(config);
      const worker = new Worker(runtime, workerOwner());
      worker.start();
      // Background loops use unref'd timers; this one keeps the process alive until a signal.
      const keepAlive = setInterval(() => {}, 60_000);
      // Which database, as serve says: a worker started with another WACAST_DATA_DIR than the
      // server's runs happily on an empty database of its own, and only this line shows it.
      console.log(`wacast worker started (${databaseOf(runtime)})`);
      onShutdown([
        workerStep(worker, config),
        {
          ...databaseStep(runtime),
          run: async () => {
            await runtime.close();
            clearInterval(keepAlive);
          },
        },
      ]);
    });

  program
    .command('migrate')
    .description('Apply pending database migrations (also done automatically at start).')
    .addHelpText('after', DATABASE_HELP)
    .action(async () => {
      const config = loadConfig();
      const db = openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const result = await migrate(db);
        console.log(result.applied.length === 0 ? 'Database is up to date.' : `Applied: ${result.applied.join(', ')}`);
      } finally {
        await db.close();
      }
    });
}
