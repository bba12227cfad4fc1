/**
 * The whole two-way path with every background service running: a campaign is sent, its delivery
 * reports arrive reordered and duplicated (some before the send result is stored), users reply —
 * one with STOP, an untracked one with "hi" three times — and the counters, the opt-out, the
 * auto-reply and the Inbox end up right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { FakeProvider, waitFor } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import type { ProviderClientFactory } from '../../src/providers/provider-clients.js';
import { createCallbackAccount, gupshupDlr, gupshupInbound, postJson, type CallbackAccountUrls } from '../helpers/callbacks.js';

const AUTO_REPLY = 'Hello! This number sends offers; reply STOP to opt out.';

describe.each(testEngines())('two-way flow ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let gupshup: CallbackAccountUrls;
  let templateId: string;
  const fake = new FakeProvider();
  const reports: Array<Promise<unknown>> = [];

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: factory });
    project = await ctx.createProject();
    gupshup = await createCallbackAccount(ctx, project, 'gupshup', { ratePerSecond: 1000, autoReply: { enabled: true, text: AUTO_REPLY } });
    templateId = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId: gupshup.id, namespace: 'ABC:offer', body: 'Hi {{1}}', attachmentType: 'none' } }),
    ).id;
    await seedProfiles(ctx.db, project.projectId, Array.from({ length: 6 }, (_, i) => ({ identity: `user-${i}`, phone: testPhone(i), properties: { Name: `User ${i}` } })));
    ctx.startWorker();
  });
  afterAll(async () => {
    await Promise.all(reports);
    await ctx?.close();
  });

  // The provider's delivery reports overtake its answer: READ and DELIVERED (carrying our id) are
  // applied before the send result is stored; SENT and a duplicate READ come later.
  const factory: ProviderClientFactory = (type, credentials, urls) => {
    const client = fake.factory(type, credentials, urls);
    return {
      ...client,
      sendTemplate: async (message) => {
        const result = await client.sendTemplate(message);
        if (!result.ok) return result;
        const dlr = (status: 'SENT' | 'DELIVERED' | 'READ', extra?: string) => gupshupDlr(result.providerMessageId, status, { phone: message.to, ...(extra ? { extra } : {}) });
        await postJson(ctx, gupshup.delivery, [dlr('READ', message.clientRef), dlr('DELIVERED', message.clientRef)]);
        await waitFor(async () => {
          const row = await ctx.db.kysely.selectFrom('messages').select('status').where('id', '=', message.clientRef!).executeTakeFirstOrThrow();
          return row.status === 'read';
        }, 20_000, 'the early receipts applied');
        reports.push(new Promise((resolve) => setTimeout(resolve, 50)).then(() => postJson(ctx, gupshup.delivery, [dlr('SENT'), dlr('READ')])));
        return result;
      },
    };
  };
  const campaign = async (id: string) => json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}`, headers: project.headers }));
  const publish = async (name: string) => {
    const draft = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: project.headers, payload: { name, providerId: gupshup.id, templateId, audience: { all: true }, params: ['{{ Profile.Name }}'] } }));
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${draft.id}/publish`, headers: project.headers, payload: {} })).statusCode).toBe(200);
    return draft.id as string;
  };

  it('counts every delivery report once, handles replies, STOP and the auto-reply, and shows the Inbox', async () => {
    const first = await publish('Offer');
    await waitFor(async () => (await campaign(first)).state === 'completed', 20_000, 'the campaign to complete');
    await Promise.all(reports);
    const allApplied = async () => (await ctx.db.kysely.selectFrom('callback_events').select('seq').where('state', '=', 'pending').execute()).length === 0;
    await waitFor(allApplied, 20_000, 'every delivery report applied');
    const stats = (await campaign(first)).stats;
    expect(stats).toMatchObject({ targeted: 6, queued: 0, sent: 6, delivered: 6, read: 6, failed: 0, unknown: 0 });
    const events = await ctx.db.kysely.selectFrom('events').select(['name']).where('project_id', '=', project.projectId).execute();
    for (const name of ['Notification Sent', 'Notification Delivered', 'Notification Viewed']) expect(events.filter((event) => event.name === name), name).toHaveLength(6);

    const user0 = fake.sends.find((send) => send.to === testPhone(0) && send.kind === 'template')!;
    await postJson(ctx, gupshup.inbound, gupshupInbound(testPhone(0), 'Thanks!', { context: user0.providerMessageId, waNumber: '919876543210' }));
    await postJson(ctx, gupshup.inbound, gupshupInbound(testPhone(1), 'STOP'));
    const stranger = '+447700900123';
    for (let i = 0; i < 3; i++) await postJson(ctx, gupshup.inbound, gupshupInbound(stranger, 'hi'));

    await waitFor(async () => (await campaign(first)).stats.replied === 2, 20_000, 'both replies counted');
    await waitFor(() => fake.sends.filter((send) => send.kind === 'session').length >= 2, 20_000, 'the confirmation and the auto-reply sent');
    await waitFor(allApplied, 20_000, 'every callback applied');
    const sessions = fake.sends.filter((send) => send.kind === 'session').map((send) => `${send.to}: ${send.body}`);
    expect(sessions.sort()).toEqual([`${stranger}: ${AUTO_REPLY}`, `${testPhone(1)}: You have been unsubscribed. Reply START to subscribe again.`].sort());

    const second = await publish('Offer again');
    await waitFor(async () => (await campaign(second)).state === 'completed', 20_000, 'the second campaign to complete');
    expect((await campaign(second)).stats).toMatchObject({ targeted: 6, sent: 5, skipped: { dnd: 1 } });
    expect(fake.sends.filter((send) => send.to === testPhone(1) && send.kind === 'template')).toHaveLength(1);

    const inbox = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/inbox', headers: project.headers }));
    const phones = inbox.items.map((item: { phone: string }) => item.phone);
    expect(phones).toEqual(expect.arrayContaining([stranger, testPhone(1), testPhone(0)]));
    expect(inbox.items.find((item: { phone: string }) => item.phone === stranger)).toMatchObject({ unread: 3, profile: null, lastText: 'hi' });
    expect(inbox.items.find((item: { phone: string }) => item.phone === testPhone(0))).toMatchObject({ campaign: { id: first, name: 'Offer' }, profile: { identity: 'user-0' } });
    const conversation = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/inbox/${encodeURIComponent(stranger)}`, headers: project.headers }));
    expect(conversation.messages.map((message: { direction: string; kind: string | null }) => `${message.direction}:${message.kind ?? ''}`).sort()).toEqual(['in:', 'in:', 'in:', 'out:auto_reply']);
  });
});
