/**
 * `wacast demo` as a new user runs it: one command, no provider account, and within seconds a
 * campaign sends to the built-in sandbox, delivery reports come back and replies arrive.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, WACAST_BIN } from '../helpers/cli.js';
import { freePort } from '../../src/net/free-port.js';


describe('wacast demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wacast-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds sample data and shows a campaign sending, delivering and collecting replies', async () => {
    assertBuilt();
    const port = await freePort();
    const child = spawn(process.execPath, [WACAST_BIN, 'demo'], {
      // No WACAST_HOST: the demo, whose admin password is public, answers this machine only.
      env: { PATH: process.env.PATH ?? '', WACAST_DATA_DIR: dir, WACAST_PORT: String(port), WACAST_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 30_000;
      // The banner is several writes and may arrive in several chunks: wait for its last line.
      while (!output.includes('Ctrl-C stops.') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(output).toContain('Log in as demo@wacast.local / demo-password');
      expect(output).toContain('It answers this machine only (127.0.0.1): set WACAST_HOST to open it to others.');
      const external = Object.values(networkInterfaces())
        .flat()
        .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
      if (external) await expect(fetch(`http://${external}:${port}/healthz`)).rejects.toThrow();
      const base = `http://127.0.0.1:${port}`;
      const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'demo@wacast.local', password: 'demo-password' }) });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      let stats = { sent: 0, delivered: 0 };
      while (Date.now() < deadline + 30_000) {
        const campaigns = (await (await fetch(`${base}/api/v1/campaigns`, { headers: { cookie } })).json()) as { items: Array<{ name: string; stats: typeof stats }> };
        stats = campaigns.items.find((campaign) => campaign.name === 'Welcome offer')!.stats;
        if (stats.sent >= 50 && stats.delivered >= 20) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(stats.sent).toBeGreaterThanOrEqual(50);
      expect(stats.delivered).toBeGreaterThanOrEqual(20);

      // Ctrl-C while the dashboard watches the campaign live: the demo stops and says so.
      const campaignId = ((await (await fetch(`${base}/api/v1/campaigns`, { headers: { cookie } })).json()) as { items: Array<{ id: string; name: string }> }).items.find(
        (campaign) => campaign.name === 'Welcome offer',
      )!.id;
      const watching = await fetch(`${base}/api/v1/campaigns/${campaignId}/events`, { headers: { cookie } });
      expect(watching.status).toBe(200);
      const stoppedAt = Date.now();
      child.kill('SIGINT');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
      expect(child.exitCode).toBe(0);
      expect(output).toContain('wacast: stopped.');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    }
  }, 90_000);

  it('keeps its sample data (and its admin with the public password) out of the database of WACAST_DATABASE_URL', async () => {
    assertBuilt();
    const port = await freePort();
    const own = join(dir, 'with-database-url');
    // Nothing listens on port 1: before, the demo tried this database and never started.
    const child = spawn(process.execPath, [WACAST_BIN, 'demo'], {
      env: { PATH: process.env.PATH ?? '', WACAST_DATA_DIR: own, WACAST_DATABASE_URL: 'postgres://wacast@127.0.0.1:1/production', WACAST_PORT: String(port), WACAST_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('wacast demo is running') && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(output).toContain(`The demo keeps its sample data apart, in SQLite at ${join(own, 'demo')}: WACAST_DATABASE_URL is not used.`);
      expect(output).toContain('wacast demo is running');
      expect(existsSync(join(own, 'demo', 'wacast.db'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    }
  }, 90_000);
});
