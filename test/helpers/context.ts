/**
 * A whole server for a test: database (fresh), dependencies, the Fastify app (used through
 * app.inject()), and shortcuts to create projects, credentials and logged-in users.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { Metrics } from '../../src/ops/metrics.js';
import { Bus } from '../../src/bus.js';
import { buildApp } from '../../src/app.js';
import type { AppDeps } from '../../src/deps.js';
import type { Db } from '../../src/storage/db.js';
import type { TestEngine } from './databases.js';
import { backgroundServices, Worker, type BackgroundServiceFactory } from '../../src/worker/worker.js';
import { ProviderClients, type ProviderClientFactory } from '../../src/providers/provider-clients.js';
import { createDefaultProviderFactory } from '../../src/providers/default-factory.js';
import { InProcessSender, ThreadSender } from '../../src/campaigns/sender.js';
import { createProject } from '../../src/projects/projects.service.js';
import { createApiCredential } from '../../src/auth/api-credentials.service.js';
import { addProjectMember, createUser } from '../../src/auth/users.service.js';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.service.js';

export interface TestProject {
  projectId: string;
  accountId: string;
  passcode: string;
  /** Headers authenticating as this project's API credentials. */
  headers: Record<string, string>;
}

export interface TestSession {
  userId: string;
  cookie: string;
  csrfToken: string;
  /** Cookie + CSRF headers for state-changing requests. */
  headers: Record<string, string>;
}

export interface TestContext {
  db: Db;
  deps: AppDeps;
  app: FastifyInstance;
  /** Everything the app logged, one JSON line per entry. */
  logs: string[];
  createProject(name?: string): Promise<TestProject>;
  createSession(options?: { isAdmin?: boolean; projectIds?: string[] }): Promise<TestSession>;
  /** Starts background services (default: all of them) as `wacast serve` does; stopped by close(). */
  startWorker(factories?: BackgroundServiceFactory[], owner?: string): Worker;
  close(): Promise<void>;
}

export interface TestContextOptions {
  env?: Record<string, string>;
  logLevel?: Config['logLevel'];
  /** Provider adapters to use (default: the real ones). */
  providerFactory?: ProviderClientFactory;
  /** Send through the production sender thread (needs the build) instead of in-process. */
  threadSender?: boolean;
}

let userCounter = 0;

export async function openTestContext(engine: TestEngine, options: TestContextOptions = {}): Promise<TestContext> {
  const db = await engine.open();
  // Its own data directory: dispatchers keep their send journals there (send-journal.ts).
  const dataDir = mkdtempSync(join(tmpdir(), 'wacast-test-'));
  const config = loadConfig({ WACAST_DATA_DIR: dataDir, WACAST_PUBLIC_URL: 'http://wacast.test', WACAST_LOG_LEVEL: options.logLevel ?? 'info', ...options.env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const secrets = new SecretBox(randomBytes(32));
  const adapters = createDefaultProviderFactory({ connectTimeoutMs: 2000, requestTimeoutMs: 5000 });
  const providers = new ProviderClients({ db, secrets, config }, options.providerFactory ?? adapters.factory);
  const sender = options.threadSender ? new ThreadSender({ db, secrets, config, logger }) : new InProcessSender({ providers });
  const deps: AppDeps = { config, db, logger, secrets, metrics: new Metrics({ defaultMetrics: false }), bus: new Bus(), providers, sender };
  const app = await buildApp(deps);
  await app.ready();
  const workers: Worker[] = [];

  return {
    db,
    deps,
    app,
    logs,
    async createProject(name = 'Test project') {
      const project = await createProject(db, name);
      const credential = await createApiCredential(db, project.id);
      return {
        projectId: project.id,
        accountId: credential.accountId,
        passcode: credential.passcode,
        headers: { 'x-wacast-account-id': credential.accountId, 'x-wacast-passcode': credential.passcode },
      };
    },
    async createSession(sessionOptions = {}) {
      userCounter++;
      const user = await createUser(db, { email: `user${userCounter}.${Date.now()}@example.com`, password: 'correct horse battery', isAdmin: sessionOptions.isAdmin ?? false });
      for (const projectId of sessionOptions.projectIds ?? []) await addProjectMember(db, projectId, user.id);
      const session = await createSession(db, user.id, sessionOptions.projectIds?.[0] ?? null);
      const cookie = `${SESSION_COOKIE}=${session.token}`;
      return { userId: user.id, cookie, csrfToken: session.csrfToken, headers: { cookie, 'x-csrf-token': session.csrfToken } };
    },
    startWorker(factories = backgroundServices, owner = `test-worker-${workers.length + 1}`) {
      const worker = new Worker(deps, owner, factories);
      worker.start();
      workers.push(worker);
      return worker;
    },
    async close() {
      for (const worker of workers) await worker.stop();
      await app.close();
      await sender.close();
      await providers.closeAll();
      await adapters.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Parses a JSON response body, failing with the body text when it is not JSON. */
export function json<T = any>(response: LightMyRequestResponse): T {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new Error(`Response is not JSON (status ${response.statusCode}): ${response.body.slice(0, 500)}`);
  }
}
