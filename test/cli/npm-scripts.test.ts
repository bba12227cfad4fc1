/**
 * `npm start` and `npm run wacast -- …` as the README runs them. npm runs a script through
 * `sh -c`, and npm passes SIGTERM on to that shell only: a shell waiting for `node` dies and
 * leaves the server running with no parent, still holding its port and its database. The scripts
 * `exec` node, so the signal reaches wacast and it stops gracefully.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

describe('npm scripts', () => {
  it('SIGTERM to `npm run wacast -- sandbox` stops the sandbox, not only npm', async () => {
    const npm = spawn('npm', ['run', '--silent', 'wacast', '--', 'sandbox', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let url = '';
    try {
      const deadline = Date.now() + 30_000;
      while (!/listening on (http:\/\/\S+)/.test(output) && npm.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
      expect(url, output).not.toBe('');
      expect(await answers(`${url}/_sandbox/stats`)).toBe(true);
    } finally {
      npm.kill('SIGTERM');
      await new Promise((resolve) => (npm.exitCode !== null || npm.signalCode !== null ? resolve(undefined) : npm.once('exit', resolve)));
    }
    // The sandbox itself is gone within a few seconds, not orphaned and still answering.
    const deadline = Date.now() + 5_000;
    while ((await answers(`${url}/_sandbox/stats`)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await answers(`${url}/_sandbox/stats`)).toBe(false);
  }, 60_000);

  it('npm start execs the server the same way', () => {
    // Not started here (it builds when sources changed); the command is what the test above runs.
    const scripts = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toMatch(/&& exec node bin\/wacast\.js serve$/);
    expect(scripts.wacast).toBe('exec node bin/wacast.js');
  });
});
