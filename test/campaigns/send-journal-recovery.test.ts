/**
 * A worker that died while sending leaves its claimed messages `sending`. Its send journal
 * (src/campaigns/send-journal.ts) tells which requests it had started: those messages become
 * `unknown`, the others go back to the queue and are sent by the next worker, once each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { FakeProvider, waitFor } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { countersOf, createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';
import { claimCampaignMessages, type ClaimedMessage } from '../../src/storage/message-queue.js';
import { FOREIGN_GRACE_MS, SchedulerService } from '../../src/campaigns/scheduler.js';
import { SEND_JOURNAL_DIR, SendJournal } from '../../src/campaigns/send-journal.js';
import { SendResultWriter } from '../../src/campaigns/send-results.js';

describe.each(testEngines())('messages of a worker that died while sending ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let templateId: string;
  const fake = new FakeProvider();
  let profileCounter = 0;

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput({ ratePerSecond: 1000 }) })).id;
    templateId = await createTemplateRow(ctx.db, project.projectId, providerId);
  });
  afterAll(() => ctx?.close());

  const journalDir = () => join(ctx.deps.config.dataDir, SEND_JOURNAL_DIR);

  /** A running campaign of `count` queued messages to fresh phones. */
  async function campaignOf(count: number) {
    const first = profileCounter;
    profileCounter += count;
    const indexes = Array.from({ length: count }, (_, i) => first + i);
    await seedProfiles(ctx.db, project.projectId, indexes.map((i) => ({ identity: `dead-${i}`, phone: testPhone(i) })));
    return seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId,
      templateId,
      messages: await Promise.all(indexes.map(async (i) => ({ profileId: await profileIdOf(ctx.db, project.projectId, `dead-${i}`), phone: testPhone(i), status: 'queued' as const }))),
    });
  }

  const claim = async (campaignId: string, owner: string, limit: number, leaseMs = 1000) => {
    const claimed = await claimCampaignMessages(ctx.db, campaignId, { owner, limit, leaseMs });
    expect(claimed).toHaveLength(limit);
    return claimed;
  };

  /** What the dead worker did before it died: the request of `message` made through its sender. */
  const sendAs = (owner: string, message: ClaimedMessage) =>
    ctx.deps.sender.send(providerId, { kind: 'session', message: { to: message.phone!, text: 'Hi', clientRef: message.id } }, undefined, { owner, notAfter: message.lease_expires_at - 500 });

  const statuses = async (campaignId: string) =>
    Object.fromEntries(
      (await ctx.db.kysely.selectFrom('messages').select(['id', 'status', 'attempts', 'lease_owner']).where('campaign_id', '=', campaignId).execute()).map((row) => [row.id, row]),
    );

  /** The scheduler of another worker, after the leases ran out. */
  const recover = async () => {
    const scheduler = new SchedulerService(ctx.deps, 'recovering-worker');
    const ran = await scheduler.tick(Date.now() + 2000);
    await scheduler.stop(); // gives the scheduler lease back for the next worker
    return ran;
  };

  it('trusts no journal written before the machine restarted', async () => {
    const { campaignId } = await campaignOf(2);
    // A worker of this machine (its owner names the host), from before the restart.
    const owner = `${hostname()}:4711:before-reboot-${engine.name}`;
    SendJournal.open({ owner, dir: journalDir(), rotateMs: 60_000 }, { boot: 'an-earlier-boot' });
    const claimed = await claim(campaignId, owner, 2);
    await recover();
    const after = await statuses(campaignId);
    for (const message of claimed) expect(after[message.id]!.status).toBe('unknown');
  });

  it('cannot tell for messages claimed before the journal’s oldest file began', async () => {
    const { campaignId } = await campaignOf(2);
    const owner = `worker-with-rotated-journal-${engine.name}`;
    const claimed = await claim(campaignId, owner, 2);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await ctx.deps.sender.openJournal({ owner, dir: journalDir(), rotateMs: 60_000 });
    await recover();
    const after = await statuses(campaignId);
    for (const message of claimed) expect(after[message.id]!.status).toBe('unknown');
  });

  it('holds back a message whose lease has run out, unsent', async () => {
    const { campaignId } = await campaignOf(1);
    const owner = `paused-worker-${engine.name}`;
    // Its lease runs out in 100 ms, and sends stop 500 ms before that (sendAs).
    const [message] = await claim(campaignId, owner, 1, 100);
    const before = fake.sends.length;
    const result = await sendAs(owner, message!);
    expect(result).toMatchObject({ ok: false, outcome: 'not_sent', heldBack: true });
    expect(fake.sends.length).toBe(before);
  });

  it('stores a late answer only in rows its owner still holds', async () => {
    const { campaignId } = await campaignOf(1);
    await ctx.deps.sender.openJournal({ owner: 'stale-worker', dir: journalDir(), rotateMs: 60_000 });
    const [stale] = await claim(campaignId, 'stale-worker', 1);
    await recover();
    const [fresh] = await claim(campaignId, 'new-worker', 1);
    expect(fresh!.id).toBe(stale!.id);
    const writer = new SendResultWriter(ctx.deps, { maxAttempts: 3, owner: 'stale-worker' });
    writer.add(stale!, { ok: false, outcome: 'not_sent', category: 'provider_down', retryable: true, detail: 'refused', raw: { request: { method: '', url: '', body: '' } } });
    await writer.close();
    expect((await statuses(campaignId))[fresh!.id]).toMatchObject({ status: 'sending', lease_owner: 'new-worker' });
  });

  it('marks a dead worker of another machine unknown once that machine had its time to recover it', async () => {
    const { campaignId } = await campaignOf(2);
    const claimed = await claim(campaignId, 'gone-machine:1:x', 2);
    const scheduler = new SchedulerService(ctx.deps, 'scheduler-here');
    try {
      expect(await scheduler.tick(Date.now() + 2000)).toBe(true);
      for (const message of claimed) expect((await statuses(campaignId))[message.id]).toMatchObject({ status: 'sending' });
      expect(await scheduler.tick(Date.now() + 2000 + FOREIGN_GRACE_MS)).toBe(true);
      for (const message of claimed) expect((await statuses(campaignId))[message.id]).toMatchObject({ status: 'unknown', lease_owner: null });
      expect(await countersOf(ctx.db, campaignId)).toMatchObject({ unknown: 2 });
    } finally {
      await scheduler.stop();
    }
  });

  it('says so in one activity entry per campaign, however many batches the recovery takes', async () => {
    const { campaignId } = await campaignOf(5);
    // A worker of this machine that kept no journal: nothing tells whether its requests left.
    await claim(campaignId, `${hostname()}:4712:batched-${engine.name}`, 5);
    const scheduler = new SchedulerService(ctx.deps, 'recovering-in-batches', { recoveryBatch: 2 });
    try {
      await scheduler.tick(Date.now() + 2000);
    } finally {
      await scheduler.stop();
    }
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ unknown: 5 });
    const activity = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/activity`, headers: project.headers })).items;
    expect(activity.filter((item: { action: string }) => item.action === 'interrupted').map((item: { details: unknown }) => item.details)).toEqual([{ requeued: 0, unknown: 5 }]);
  });

  // Last: it starts a worker, whose scheduler then holds the scheduler lease.
  it('queues again what the journal shows unsent, marks unknown what it shows sent or cannot tell, and the next worker sends each once', async () => {
    const { campaignId } = await campaignOf(6);
    const dead = `dead-worker-${engine.name}`;
    expect((await ctx.deps.sender.openJournal({ owner: dead, dir: journalDir(), rotateMs: 60_000 })).status).toBe('open');
    const mine = await claim(campaignId, dead, 4);
    // A worker of another machine: its journal is not on this disk.
    const elsewhere = await claim(campaignId, 'another-machine:4242:k3y', 2);
    for (const message of mine.slice(0, 2)) expect((await sendAs(dead, message)).ok).toBe(true);
    // …and it dies here: no answer stored, no journal closed.

    expect(await recover()).toBe(true);
    // The other machine's dead worker is left to that machine for a while: only it has the journal.
    for (const message of elsewhere) expect((await statuses(campaignId))[message.id]).toMatchObject({ status: 'sending' });
    // A worker there that is not the scheduler recovers it (no journal there either: unknown).
    const holder = new SchedulerService(ctx.deps, 'scheduler-here');
    expect(await holder.tick()).toBe(true);
    expect(await new SchedulerService(ctx.deps, 'another-machine:77:n3w', { host: 'another-machine' }).tick(Date.now() + 2000)).toBe(false);
    await holder.stop();
    const after = await statuses(campaignId);
    for (const message of [...mine.slice(0, 2), ...elsewhere]) expect(after[message.id]).toMatchObject({ status: 'unknown', lease_owner: null });
    for (const message of mine.slice(2)) expect(after[message.id]).toMatchObject({ status: 'queued', attempts: 0, lease_owner: null });
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ queued: 2, unknown: 4 });
    // The report's Activity panel says what happened, once per recovery.
    const activity = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/activity`, headers: project.headers })).items;
    expect(activity.filter((item: { action: string }) => item.action === 'interrupted')).toEqual([
      expect.objectContaining({ actor: { type: 'system', label: 'scheduler', id: null }, details: { requeued: 0, unknown: 2 } }),
      expect.objectContaining({ actor: { type: 'system', label: 'scheduler', id: null }, details: { requeued: 2, unknown: 2 } }),
    ]);

    ctx.startWorker();
    await waitFor(async () => (await ctx.db.kysely.selectFrom('campaigns').select('state').where('id', '=', campaignId).executeTakeFirstOrThrow()).state === 'completed', 20_000, 'completion');
    const phonesOf = (messages: ClaimedMessage[]) => messages.map((message) => message.phone!);
    const sendsTo = (phone: string) => fake.sends.filter((send) => send.to === phone).length;
    for (const phone of phonesOf(mine)) expect(sendsTo(phone), `sends to ${phone}`).toBe(1);
    for (const phone of phonesOf(elsewhere)) expect(sendsTo(phone), `sends to ${phone}`).toBe(0);
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ queued: 0, unknown: 4, sent: 2 });
  });
});
