/**
 * Stopping `wacast serve` and `wacast worker` the way an operator does (SIGTERM from systemd or
 * Docker, Ctrl-C): the process says what it waits for, finishes what is in flight without leaving
 * anything claimed, and exits; a second signal exits at once.
 */
import { request, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../helpers/context.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { openProcessWorld, exited, sleep, type ProcessWorld } from '../helpers/worker-processes.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.server.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const PROVIDER_LATENCY_MS = 2_500;

describe('stopping wacast', () => {
  let sandbox: Sandbox;
  let world: ProcessWorld;
  let campaignId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      // Every send takes 2.5 s to answer: a stop always finds one in flight.
      knobs: { callbacks: false, latencyMs: [PROVIDER_LATENCY_MS, PROVIDER_LATENCY_MS] },
      accounts: [
        {
          provider: 'gupshup-enterprise',
          id: 'stop',
          notificationUserId: '2000300001',
          notificationPassword: 'stop-notif-pass',
          twoWayUserId: '2000300002',
          twoWayPassword: 'stop-twoway-pass',
          businessNumber: '919000000031',
        },
      ],
    });
    world = await openProcessWorld('sqlite', { ...sandbox.env, WACAST_LOG_LEVEL: 'info', WACAST_HOST: '127.0.0.1' });
    const post = (url: string, payload: object) => world.app.inject({ method: 'POST', url, headers: world.headers, payload });
    const provider = json(
      await post('/api/v1/providers', {
        type: 'gupshup',
        nickname: 'stop',
        ratePerSecond: 5,
        credentials: {
          notificationUserId: '2000300001',
          notificationPassword: 'stop-notif-pass',
          twoWayUserId: '2000300002',
          twoWayPassword: 'stop-twoway-pass',
          mobileNumber: '919000000031',
        },
      }),
    );
    const template = json(await post('/api/v1/templates', { providerId: provider.id, namespace: 'STOP:hello', body: 'Hello {{1}}', attachmentType: 'none' }));
    await seedProfiles(world.runtime.db, world.projectId, Array.from({ length: 20 }, (_, i) => ({ identity: `s${i}`, phone: testPhone(i), properties: { Name: `S${i}` } })));
    campaignId = json(await post('/api/v1/campaigns', { name: 'Stop', providerId: provider.id, templateId: template.id, audience: { all: true }, params: ['{{ Profile.Name }}'] })).id;
    expect((await post(`/api/v1/campaigns/${campaignId}/publish`, {})).statusCode).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await world?.close();
    await sandbox?.close();
  });

  const statuses = async () => {
    const rows = await world.runtime.db.kysely
      .selectFrom('messages')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('campaign_id', '=', campaignId)
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  };

  it('serve stops on SIGTERM although a dashboard keeps a live event stream open', async () => {
    const port = await freePort();
    // Processes are spawned with the world's environment.
    world.env.WACAST_PORT = String(port);
    const server = world.spawnWorker(['serve', '--no-worker']);
    await waitFor('the server to listen', () => server.output().includes('wacast is running'));

    const stream = await new Promise<IncomingMessage>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/api/v1/inbox/events', headers: world.headers }, resolve).on('error', reject).end();
    });
    expect(stream.statusCode).toBe(200);
    const streamEnded = new Promise<void>((resolve) => stream.on('end', resolve).on('close', resolve).resume());

    const signalledAt = Date.now();
    server.kill('SIGTERM');
    await exited(server);
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    await streamEnded;
    expect(server.exitCode).toBe(0);
    expect(server.output()).toContain('wacast: SIGTERM received, shutting down (send it again to exit at once)…');
    expect(server.output()).toContain('wacast: waiting for the HTTP server to answer the requests in progress');
    expect(server.output()).toContain('wacast: stopped.');
  }, 60_000);

  it('worker waits on SIGTERM for the send in flight, records its answer and leaves nothing claimed', async () => {
    const worker = world.spawnWorker(['worker']);
    await waitFor('a send to reach the provider', () => sandbox.stats().messages.total > 0);
    const signalledAt = Date.now();
    worker.kill('SIGTERM');
    await exited(worker);
    expect(worker.exitCode, worker.output()).toBe(0);
    // It waited for the provider's answer, and not much longer.
    expect(Date.now() - signalledAt).toBeLessThan(PROVIDER_LATENCY_MS + 4_000);
    expect(worker.output()).toContain("wacast: waiting for the worker: sends in flight wait for the provider's answer");
    expect(worker.output()).toContain('wacast: stopped.');

    const sentToProvider = sandbox.stats().messages.total;
    const counts = await statuses();
    expect(counts.sending ?? 0, 'messages left claimed').toBe(0);
    expect(counts.unknown ?? 0, 'sends whose answer was not waited for').toBe(0);
    expect(counts.sent).toBe(sentToProvider);
    expect(counts.queued).toBe(20 - sentToProvider);
  }, 60_000);

  it('worker exits at once on a second SIGINT (Ctrl-C twice)', async () => {
    const before = sandbox.stats().messages.total;
    const worker = world.spawnWorker(['worker']);
    await waitFor('a send to reach the provider', () => sandbox.stats().messages.total > before);
    worker.kill('SIGINT');
    await waitFor('the first signal to be taken', () => worker.output().includes('shutting down'));
    const secondAt = Date.now();
    worker.kill('SIGINT');
    await exited(worker);
    // Well before the provider answers the send in flight.
    expect(Date.now() - secondAt).toBeLessThan(PROVIDER_LATENCY_MS - 1_000);
    expect(worker.exitCode).toBe(130);
    expect(worker.output()).toContain('wacast: second SIGINT: exiting now without waiting for the worker');
  }, 60_000);
});
