/**
 * The production sender thread (src/campaigns/sender.ts) against the sandbox over HTTP: sends are
 * handed over and answered in batches, every one of them answered once; after the thread dies,
 * the next one is given the accounts again and sends go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { testPhone } from '../helpers/audience.js';
import { waitFor } from '../helpers/fake-provider.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.server.js';
import { ThreadSender, senderThreadAvailable } from '../../src/campaigns/sender.js';

describe.skipIf(!senderThreadAvailable())('the sender thread', () => {
  let sandbox: Sandbox;
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let sender: ThreadSender;

  beforeAll(async () => {
    sandbox = await startSandbox({ knobs: { callbacks: false }, accounts: [{ provider: 'gupshup-selfserve', id: 'thread', apiKey: 'thread-api-key-1', appName: 'ThreadApp', sourceNumber: '919000000088' }] });
    ctx = await openTestContext(testEngines()[0]!, { env: { GUPSHUP_API_URL: sandbox.env.GUPSHUP_API_URL }, threadSender: true });
    project = await ctx.createProject();
    providerId = json(
      await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/providers',
        headers: project.headers,
        payload: { type: 'gupshup', nickname: 'thread', ratePerSecond: 1000, credentials: { mode: 'selfserve', apiKey: 'thread-api-key-1', appName: 'ThreadApp', mobileNumber: '919000000088' } },
      }),
    ).id;
    sender = ctx.deps.sender as ThreadSender;
  });
  afterAll(async () => {
    await ctx?.close();
    await sandbox?.close();
  });

  const session = (i: number, text: string) => ({ kind: 'session' as const, message: { to: testPhone(i), text, clientRef: `ref-${text}-${i}` } });

  it('answers each of many sends handed over in one turn, once', async () => {
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => sender.send(providerId, session(i, 'batch'))));
    expect(results.filter((result) => result.ok)).toHaveLength(300);
    expect(new Set(results.map((result) => (result.ok ? result.providerMessageId : ''))).size).toBe(300);
    expect(sandbox.messages({ account: 'thread' }).filter((message) => message.body === 'batch')).toHaveLength(300);
  });

  it('gives a restarted thread the accounts again', async () => {
    const thread = (sender as unknown as { worker: Worker }).worker;
    await thread.terminate();
    await waitFor(() => (sender as unknown as { worker: Worker }).worker !== thread, 5000, 'a new sender thread');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sender.send(providerId, session(i, 'after restart'))));
    expect(results.map((result) => result.ok)).toEqual(Array.from({ length: 20 }, () => true));
    expect(sandbox.messages({ account: 'thread' }).filter((message) => message.body === 'after restart')).toHaveLength(20);
  });
});
