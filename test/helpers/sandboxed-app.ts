/**
 * The product listening on a real port, with the sandbox as its provider: sends go to the sandbox
 * and its callbacks come back over HTTP to the callback URLs wacast hands out (the flow tests).
 */
import type { LightMyRequestResponse } from 'fastify';
import { openTestContext, type TestContext, type TestProject } from './context.js';
import type { TestEngine } from './databases.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.server.js';
import { freePort } from '../../src/net/free-port.js';

export interface SandboxedApp {
  sandbox: Sandbox;
  ctx: TestContext;
  project: TestProject;
  /** An API request as the project's member. */
  api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function openSandboxedApp(engine: TestEngine, options: { knobs?: SandboxOptions['knobs']; env?: Record<string, string> } = {}): Promise<SandboxedApp> {
  const sandbox = await startSandbox(options.knobs ? { knobs: options.knobs } : {});
  const port = await freePort();
  const ctx = await openTestContext(engine, { env: { ...sandbox.env, WACAST_PUBLIC_URL: `http://127.0.0.1:${port}`, ...options.env } });
  await ctx.app.listen({ host: '127.0.0.1', port });
  const project = await ctx.createProject();
  return {
    sandbox,
    ctx,
    project,
    api: (method, url, payload) => ctx.app.inject({ method, url, headers: project.headers, ...(payload ? { payload } : {}) }),
    close: async () => {
      await ctx.close();
      await sandbox.close();
    },
  };
}
