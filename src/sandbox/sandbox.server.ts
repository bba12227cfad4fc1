/**
 * `startSandbox`: one node:http server on one port standing in for Gupshup Enterprise
 * (`/GatewayAPI/rest`), Gupshup self-serve (`/wa/api/v1/…`) and the Vonage Messages API
 * (`/v1/messages`, `/v0.1/messages`), plus its control API (`/_sandbox/…`). Plain node:http and no
 * per-request logging: the benchmark measures the raw HTTP ceiling against this server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxCore, type InboundResult, type InboundSpec } from './sandbox.core.js';
import { BodyTooLargeError, RESET, controlError, parseParams, pickMs, readBody, type Answer, type Reply } from './sandbox.http.js';
import { CONTROL_PREFIX, accountView, handleControl } from './sandbox.control.js';
import {
  loadSandboxConfigFile,
  parseAccount,
  parseAccountKnobs,
  parseGlobalKnobs,
  type GlobalKnobsInput,
  type SandboxAccountInput,
} from './sandbox.schema.js';
import type { AccountStatsView } from './sandbox.stats.js';
import type { MessageFilter, MessagePage } from './sandbox.store.js';
import type { CallbackStatsView } from './sandbox.callbacks.js';
import type { GlobalKnobs, SandboxMessage } from './sandbox.types.js';
import { ENTERPRISE_PATH, handleEnterprise } from './gupshup-enterprise.handler.js';
import { enterpriseInbound } from './gupshup-enterprise.events.js';
import { SELFSERVE_OPT_PREFIX, SELFSERVE_SESSION_PATH, SELFSERVE_TEMPLATE_PATH, handleSelfServe, handleSelfServeOpt } from './gupshup-selfserve.handler.js';
import { selfServeInbound } from './gupshup-selfserve.events.js';
import { VONAGE_V01_PATH, VONAGE_V1_PATH, handleVonage } from './vonage.handler.js';
import { vonageInbound } from './vonage.events.js';

export interface SandboxOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** A JSON configuration file (format in docs/sandbox.md); `accounts`/`knobs` below are added on top. */
  configFile?: string;
  accounts?: SandboxAccountInput[];
  knobs?: GlobalKnobsInput;
  /** Messages kept for inspection (oldest dropped first; counters keep the totals). Default 100,000. */
  maxMessages?: number;
}

/** The environment a wacast server needs to talk to this sandbox instead of the real providers. */
export interface SandboxEnv {
  GUPSHUP_ENTERPRISE_URL: string;
  GUPSHUP_API_URL: string;
  VONAGE_API_URL: string;
}

export interface SandboxStats {
  accounts: Record<string, AccountStatsView & { provider: string }>;
  unattributed: AccountStatsView;
  callbacks: CallbackStatsView;
  scheduledEvents: number;
  messages: { total: number; retained: number };
}

export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  url: string;
  env: SandboxEnv;
  /** Retained messages matching the filter, in arrival order (no paging limit unless given). */
  messages(filter?: MessageFilter): SandboxMessage[];
  /** One page, as `GET /_sandbox/messages` answers it. */
  messagePage(filter?: MessageFilter): MessagePage;
  stats(withHistogram?: boolean): SandboxStats;
  accounts(): Record<string, unknown>[];
  addAccounts(accounts: SandboxAccountInput[]): void;
  removeAccount(id: string): boolean;
  knobs(accountId?: string): GlobalKnobs;
  /** Merges knob changes into the global knobs, or into one account's overrides. */
  setKnobs(changes: GlobalKnobsInput, accountId?: string): void;
  /** Posts an inbound message (or self-serve user event) from a phone to an account. */
  inbound(spec: InboundSpec): InboundResult;
  /** Runs every scheduled callback now, without waiting for the delays. */
  flush(): void;
  /** Resolves when nothing is scheduled and no callback is waiting or in flight. */
  drain(timeoutMs?: number): Promise<void>;
  /** Forgets messages, counters, windows, opt-ins and pending callbacks (keeps accounts and knobs). */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_MAX_MESSAGES = 100_000;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const file = options.configFile ? await loadSandboxConfigFile(options.configFile) : undefined;
  const initialKnobs: Partial<GlobalKnobs> = { ...file?.knobs, ...(options.knobs ? parseGlobalKnobs(options.knobs) : {}) };
  const core = new SandboxCore(initialKnobs, options.maxMessages ?? file?.maxMessages ?? DEFAULT_MAX_MESSAGES, {
    'gupshup-enterprise': enterpriseInbound,
    'gupshup-selfserve': selfServeInbound,
    vonage: vonageInbound,
  });
  const toAccounts = (list: SandboxAccountInput[]) =>
    list.map((account, index) => parseAccount(account, `accounts.${index}`));
  core.registry.upsert([...(file?.accounts ?? []), ...toAccounts(options.accounts ?? [])]);

  const hung = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  let env: SandboxEnv = { GUPSHUP_ENTERPRISE_URL: '', GUPSHUP_API_URL: '', VONAGE_API_URL: '' };
  let baseUrl = '';

  const write = (res: ServerResponse, reply: Reply): void => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)) });
    res.end(reply.body);
  };

  /** Writes a protocol answer after the account's latency, or holds it back (timeouts). */
  const finish = (res: ServerResponse, answer: Answer): void => {
    if (answer === RESET) {
      res.socket?.destroy();
      return;
    }
    const knobs = answer.runtime?.knobs ?? core.knobs;
    let delay = pickMs(knobs.latencyMs);
    const message = answer.message;
    if (message && knobs.timeoutShare > 0 && Math.random() < knobs.timeoutShare) {
      message.answered = false;
      if (knobs.timeoutMs <= 0) {
        // Accepted, never answered: the client must time out and treat the outcome as unknown.
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      delay = knobs.timeoutMs;
    }
    if (delay <= 0) {
      write(res, answer);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (message) message.answered = true;
      write(res, answer);
    }, delay);
    timers.add(timer);
  };

  const fail = (res: ServerResponse, error: unknown): void => {
    if (error instanceof BodyTooLargeError) {
      write(res, controlError(413, 'payload_too_large', error.message));
      return;
    }
    console.error('sandbox: request failed', error);
    write(res, controlError(500, 'internal_error', error instanceof Error ? error.message : String(error)));
  };

  const withBody = (req: IncomingMessage, res: ServerResponse, run: (body: string) => Answer | Promise<Answer>): void => {
    readBody(req)
      .then(run)
      .then((answer) => finish(res, answer))
      .catch((error: unknown) => fail(res, error));
  };

  const header = (req: IncomingMessage, name: string): string | undefined => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };

  const methodNotAllowed = (res: ServerResponse, allowed: string) => {
    const reply = controlError(405, 'method_not_allowed', `Use ${allowed}.`);
    reply.headers.allow = allowed;
    write(res, reply);
  };

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = mark < 0 ? '' : url.slice(mark + 1);
    const method = req.method ?? 'GET';
    try {
      switch (path) {
        case ENTERPRISE_PATH:
          if (method === 'GET') return finish(res, handleEnterprise(core, parseParams(query, true), Date.now()));
          if (method === 'POST') {
            return withBody(req, res, (body) => {
              // Query and form carry the same parameters; the form wins when both name one.
              const params = query ? { ...parseParams(query, true), ...parseParams(body, true) } : parseParams(body, true);
              return handleEnterprise(core, params, Date.now());
            });
          }
          return methodNotAllowed(res, 'GET, POST');
        case SELFSERVE_SESSION_PATH:
        case SELFSERVE_TEMPLATE_PATH:
          if (method !== 'POST') return methodNotAllowed(res, 'POST');
          return withBody(req, res, (body) => handleSelfServe(core, path === SELFSERVE_TEMPLATE_PATH, header(req, 'apikey'), body, Date.now()));
        case VONAGE_V1_PATH:
        case VONAGE_V01_PATH:
          if (method !== 'POST') return methodNotAllowed(res, 'POST');
          return withBody(req, res, (body) => handleVonage(core, path === VONAGE_V1_PATH ? 'v1' : 'v0.1', header(req, 'authorization'), body, Date.now()));
      }
      if (path.startsWith(SELFSERVE_OPT_PREFIX)) {
        if (method !== 'POST') return methodNotAllowed(res, 'POST');
        return withBody(req, res, (body) => handleSelfServeOpt(core, path.slice(SELFSERVE_OPT_PREFIX.length), header(req, 'apikey'), body, Date.now()));
      }
      if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
        readBody(req)
          .then((body) => handleControl(controlContext, method, path.slice(CONTROL_PREFIX.length), query, body))
          .then((reply) => write(res, reply))
          .catch((error: unknown) => fail(res, error));
        return;
      }
      write(res, controlError(404, 'not_found', `No sandbox route for ${method} ${path}. Provider paths: ${ENTERPRISE_PATH}, ${SELFSERVE_SESSION_PATH}, ${SELFSERVE_TEMPLATE_PATH}, ${VONAGE_V1_PATH}, ${VONAGE_V01_PATH}; control: ${CONTROL_PREFIX}/.`));
    } catch (error) {
      fail(res, error);
    }
  });
  server.keepAliveTimeout = 65_000;

  const info = () => ({
    name: 'wacast sandbox',
    url: baseUrl,
    env,
    accounts: core.registry.list().map((runtime) => ({ id: runtime.id, provider: runtime.account.provider })),
    routes: {
      gupshupEnterprise: ENTERPRISE_PATH,
      gupshupSelfServe: [SELFSERVE_SESSION_PATH, SELFSERVE_TEMPLATE_PATH, `${SELFSERVE_OPT_PREFIX}{in|out}/{appname}`],
      vonage: [VONAGE_V1_PATH, VONAGE_V01_PATH],
      control: ['/messages', '/stats', '/callbacks', '/inbound', '/accounts', '/config', '/reset', '/flush'].map((route) => `${CONTROL_PREFIX}${route}`),
    },
  });
  const controlContext = { core, initialKnobs, info };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;
  env = { GUPSHUP_ENTERPRISE_URL: `${baseUrl}${ENTERPRISE_PATH}`, GUPSHUP_API_URL: baseUrl, VONAGE_API_URL: baseUrl };

  const stats = (withHistogram = true): SandboxStats => {
    const accounts: SandboxStats['accounts'] = {};
    for (const runtime of core.registry.list()) accounts[runtime.id] = { provider: runtime.account.provider, ...runtime.stats.view(withHistogram) };
    return {
      accounts,
      unattributed: core.unattributed.view(withHistogram),
      callbacks: core.callbacks.view(),
      scheduledEvents: core.scheduler.size,
      messages: { total: core.store.total, retained: core.store.retained },
    };
  };

  return {
    url: baseUrl,
    env,
    messages: (filter = {}) => core.store.query({ limit: Number.MAX_SAFE_INTEGER, ...filter }).items,
    messagePage: (filter = {}) => core.store.query(filter),
    stats,
    accounts: () => core.registry.list().map(accountView),
    addAccounts: (accounts) => {
      core.registry.upsert(toAccounts(accounts));
    },
    removeAccount: (id) => core.registry.remove(id),
    knobs: (accountId) => {
      if (accountId === undefined) return core.knobs;
      const runtime = core.registry.get(accountId);
      if (!runtime) throw new Error(`no sandbox account ${accountId}`);
      return runtime.knobs;
    },
    setKnobs: (changes, accountId) => {
      if (accountId === undefined) {
        core.setKnobs(parseGlobalKnobs(changes));
        return;
      }
      const runtime = core.registry.get(accountId);
      if (!runtime) throw new Error(`no sandbox account ${accountId}`);
      core.registry.upsert([{ ...runtime.account, knobs: { ...runtime.account.knobs, ...parseAccountKnobs(changes) } }]);
    },
    inbound: (spec) => core.inbound(spec),
    flush: () => core.flush(),
    drain: (timeoutMs) => core.drain(timeoutMs),
    reset: () => core.reset(),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const res of hung) res.socket?.destroy();
      hung.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await core.close();
    },
  };
}
