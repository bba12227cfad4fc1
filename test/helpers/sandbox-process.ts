/**
 * `wacast sandbox` in its own process, as a provider is in reality: its arrival times are not
 * disturbed by the event loop of the process under test. Inspected over its control API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, WACAST_BIN } from './cli.js';

export interface SandboxProcess {
  url: string;
  env: { GUPSHUP_ENTERPRISE_URL: string; GUPSHUP_API_URL: string; VONAGE_API_URL: string };
  get<T = any>(path: string): Promise<T>;
  post<T = any>(path: string, body: unknown): Promise<T>;
  /** Every retained message (all pages). */
  messages(filter?: Record<string, string>): Promise<Array<{ to: string; arrivedAt: number; params?: string[]; account: string; id: string }>>;
  close(): Promise<void>;
}

export async function startSandboxProcess(config: object, args: string[] = []): Promise<SandboxProcess> {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'wacast-sandbox-'));
  const file = join(dir, 'sandbox.json');
  writeFileSync(file, JSON.stringify(config));
  const child: ChildProcess = spawn(process.execPath, [WACAST_BIN, 'sandbox', '--port', '0', '--config', file, ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`sandbox exited (${code}):\n${output}`)));
  });
  const request = async (method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    url,
    env: { GUPSHUP_ENTERPRISE_URL: `${url}/GatewayAPI/rest`, GUPSHUP_API_URL: url, VONAGE_API_URL: url },
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body),
    async messages(filter = {}) {
      const out: Array<{ to: string; arrivedAt: number; params?: string[]; account: string; id: string }> = [];
      let cursor: string | number | null = null;
      for (;;) {
        const query = new URLSearchParams({ ...filter, limit: '10000', ...(cursor !== null ? { cursor: String(cursor) } : {}) });
        const page = (await request('GET', `/_sandbox/messages?${query}`)) as { items: Array<{ seq: number } & Record<string, unknown>>; nextCursor?: string | number | null };
        out.push(...(page.items as never[]));
        if (!page.nextCursor || page.items.length === 0) return out;
        cursor = page.nextCursor;
      }
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
