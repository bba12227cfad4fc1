/**
 * Crash safety (PRODUCT §3 "one message per recipient per campaign"): a 20,000-message campaign
 * is sent by real `wacast worker` processes that are killed with SIGKILL 20 times at random
 * moments while they send (and while they create the message rows), each time replaced by a new
 * one. The sandbox, over real HTTP, must have seen no recipient twice, every recipient must end in
 * exactly one final state, and the messages a killed worker had claimed but not sent must be sent
 * by the next worker instead of being left `unknown`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres } from '../helpers/databases.js';
import { json } from '../helpers/context.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { openProcessWorld, exited, sleep, type ProcessWorld } from '../helpers/worker-processes.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.server.js';

const RECIPIENTS = Number(process.env.CRASH_RECIPIENTS ?? 20_000);
const KILLS = Number(process.env.CRASH_KILLS ?? 20);
const FINAL = new Set(['sent', 'delivered', 'read', 'failed', 'unknown', 'skipped', 'cancelled']);

const engines = (hasPostgres ? ['sqlite', 'postgres'] : ['sqlite']) as Array<'sqlite' | 'postgres'>;

describe.each(engines)('crash safety with kill -9 (%s)', (engine) => {
  let sandbox: Sandbox;
  let world: ProcessWorld;
  let campaignId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      knobs: { callbacks: false, latencyMs: [1, 4] },
      accounts: [
        {
          provider: 'gupshup-enterprise',
          id: 'crash',
          notificationUserId: '2000200001',
          notificationPassword: 'crash-notif-pass',
          twoWayUserId: '2000200002',
          twoWayPassword: 'crash-twoway-pass',
          businessNumber: '919000000009',
        },
      ],
    });
    world = await openProcessWorld(engine, { ...sandbox.env, WACAST_SEND_TIMEOUT_MS: '1000' });
    const post = (url: string, payload: object) => world.app.inject({ method: 'POST', url, headers: world.headers, payload });
    const provider = json(
      await post('/api/v1/providers', {
        type: 'gupshup',
        nickname: 'crash',
        // Slow enough that the campaign is still sending when the 20th kill comes: at 2,500/s it
        // sometimes finished after 16 kills. At 600/s each kill leaves ~15 recipients unknown
        // (requests in flight, answers not yet stored); the claimed ones it had not sent yet go
        // back to the queue (send journal) and a later worker sends them.
        ratePerSecond: 600,
        credentials: {
          notificationUserId: '2000200001',
          notificationPassword: 'crash-notif-pass',
          twoWayUserId: '2000200002',
          twoWayPassword: 'crash-twoway-pass',
          mobileNumber: '919000000009',
        },
      }),
    );
    const template = json(await post('/api/v1/templates', { providerId: provider.id, namespace: 'CRASH:hello', body: 'Hello {{1}}', attachmentType: 'none' }));
    await seedProfiles(
      world.runtime.db,
      world.projectId,
      Array.from({ length: RECIPIENTS }, (_, i) => ({ identity: `c${i}`, phone: testPhone(i), properties: { Name: `N${i}` } })),
    );
    const campaign = json(await post('/api/v1/campaigns', { name: 'Crash', providerId: provider.id, templateId: template.id, audience: { all: true }, params: ['{{ Profile.Name }}'] }));
    campaignId = campaign.id;
    expect((await post(`/api/v1/campaigns/${campaignId}/publish`, {})).statusCode).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await world?.close();
    await sandbox?.close();
  });

  it('never sends a recipient twice, and every recipient ends in one final state', async () => {
    let kills = 0;
    while (kills < KILLS) {
      const before = sandbox.stats().messages.total;
      const worker = world.spawnWorker();
      // Kill while it works: wait for its first sends (or its publish work), then a random moment.
      const deadline = Date.now() + 20_000;
      while (sandbox.stats().messages.total === before && Date.now() < deadline && worker.exitCode === null) await sleep(20);
      await sleep(Math.random() * 700);
      worker.kill('SIGKILL');
      await exited(worker);
      kills++;
      const state = await world.runtime.db.kysely.selectFrom('campaigns').select('state').where('id', '=', campaignId).executeTakeFirstOrThrow();
      if (state.state === 'completed') break;
    }
    // PRODUCT §5: killed 20 times during the campaign, not fewer because it finished first.
    expect(kills).toBe(KILLS);

    const last = world.spawnWorker();
    const deadline = Date.now() + 180_000;
    for (;;) {
      const state = await world.runtime.db.kysely.selectFrom('campaigns').select('state').where('id', '=', campaignId).executeTakeFirstOrThrow();
      if (state.state === 'completed') break;
      if (Date.now() > deadline) {
        const statuses = await world.runtime.db.kysely
          .selectFrom('messages')
          .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
          .where('campaign_id', '=', campaignId)
          .groupBy('status')
          .execute();
        const counters = await world.runtime.db.kysely.selectFrom('campaign_counters').selectAll().where('campaign_id', '=', campaignId).executeTakeFirst();
        const campaign = await world.runtime.db.kysely.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
        throw new Error(`campaign still ${state.state}; rows ${JSON.stringify(statuses)}; counters ${JSON.stringify(counters)}; materialized ${campaign?.materialized_at}; worker output:\n${last.output()}`);
      }
      await sleep(200);
    }
    last.kill('SIGTERM');
    await exited(last);

    const received = sandbox.messages({ account: 'crash' });
    const perRecipient = new Map<string, number>();
    for (const message of received) perRecipient.set(message.to, (perRecipient.get(message.to) ?? 0) + 1);
    const duplicates = [...perRecipient.entries()].filter(([, count]) => count > 1);
    expect(duplicates, 'recipients the sandbox saw more than once').toEqual([]);

    const rows = await world.runtime.db.kysely
      .selectFrom('messages')
      .select(['profile_id', 'phone', 'status'])
      .where('campaign_id', '=', campaignId)
      .execute();
    expect(rows).toHaveLength(RECIPIENTS);
    expect(new Set(rows.map((row) => row.profile_id)).size).toBe(RECIPIENTS);
    const notFinal = rows.filter((row) => !FINAL.has(row.status));
    expect(notFinal, 'messages not in a final state').toEqual([]);

    // Every message the database says was sent reached the sandbox exactly once; whatever the
    // sandbox got and the database does not call sent is `unknown` (its worker died mid-request).
    const sent = rows.filter((row) => row.status === 'sent');
    for (const row of sent) expect(perRecipient.get(row.phone!.slice(1)), `sent to ${row.phone}`).toBe(1);
    const unknownPhones = new Set(rows.filter((row) => row.status === 'unknown').map((row) => row.phone!.slice(1)));
    for (const to of perRecipient.keys()) {
      const row = rows.find((candidate) => candidate.phone === `+${to}`);
      expect(row?.status === 'sent' || unknownPhones.has(to), `sandbox got ${to}, database says ${row?.status}`).toBe(true);
    }
    // The send journal (src/campaigns/send-journal.ts): a killed worker's claimed messages that it
    // had not started to send are sent by the next one, so almost every `unknown` recipient did get
    // the message. What may not: a request written down but killed before it left (~1 per kill).
    // Without the journal, ~3,500 unknown recipients never got it (everything claimed or
    // scheduled ahead when a worker died).
    const unknownNeverReceived = [...unknownPhones].filter((to) => !perRecipient.has(to));
    expect(unknownNeverReceived.length, 'unknown recipients the sandbox never saw').toBeLessThanOrEqual(KILLS * 10);
    const counters = json(await world.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}`, headers: world.headers })).stats;
    expect(counters.targeted).toBe(RECIPIENTS);
    expect(counters.sent).toBe(sent.length);
    expect(counters.unknown).toBe(unknownPhones.size);
    expect(counters.queued).toBe(0);
    expect(counters.sent + counters.unknown + counters.failed + counters.cancelled + counters.skipped.total).toBe(RECIPIENTS);
    console.log(`crash test (${engine}): ${kills} kills, sandbox saw ${received.length}, sent ${sent.length}, unknown ${unknownPhones.size} (${unknownNeverReceived.length} never received)`);
  }, 600_000);
});
