/**
 * A Vonage user with a WhatsApp username opts out under their user id alone, over real HTTP with
 * the sandbox as the provider: a campaign reaches three users; the delivered statuses pair each
 * user's WhatsApp user id with their number; one of them writes STOP without sharing their number
 * (`from` is the id, no `whatsapp.sender.wa_id`) and is opted out, confirmed, and skipped by the
 * next campaign. A stranger who never shared their number writes too: their conversation is kept
 * under their user id, and the auto-reply and an agent's reply reach them there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, type TestContext, type TestProject } from '../helpers/context.js';
import { waitFor } from '../helpers/fake-provider.js';
import { rsaKeyPair } from '../helpers/fixtures.js';
import type { Sandbox } from '../../src/sandbox/sandbox.server.js';
import { openSandboxedApp, type SandboxedApp } from '../helpers/sandboxed-app.js';

const CREDENTIALS = {
  applicationId: 'cccccccc-dddd-4eee-8fff-0123456789ab',
  apiKey: 'flowkey1',
  apiSecret: 'flow-vonage-secret',
  signatureSecret: 'flow-signature-secret',
  whatsappNumber: '447700900301',
};
const phone = (n: number) => `+91987651${String(n).padStart(4, '0')}`;
const AUTO_REPLY = 'Thanks for writing! An agent will answer soon.';

describe.each(testEngines())('a Vonage user known by WhatsApp user id opts out ($name)', (engine) => {
  let app: SandboxedApp;
  let sandbox: Sandbox;
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let templateId: string;
  const api: SandboxedApp['api'] = (...request) => app.api(...request);
  const completed = async (campaignId: string) => {
    await waitFor(async () => json(await api('GET', `/api/v1/campaigns/${campaignId}`)).state === 'completed', 30_000, 'completion');
    await sandbox.drain(20_000);
    await waitFor(async () => (await ctx.db.kysely.selectFrom('callback_events').select('seq').where('state', '=', 'pending').execute()).length === 0, 20_000, 'callbacks applied');
    return json(await api('GET', `/api/v1/campaigns/${campaignId}`)).stats;
  };
  const publish = async (name: string, identities: string[]) => {
    const campaign = json(await api('POST', '/api/v1/campaigns', { name, providerId, templateId, audience: { identities }, params: ['{{ Profile.Name }}'] }));
    expect((await api('POST', `/api/v1/campaigns/${campaign.id}/publish`)).statusCode).toBe(200);
    return completed(campaign.id);
  };

  beforeAll(async () => {
    app = await openSandboxedApp(engine, { knobs: { dlrDelayMs: [5, 20], readShare: 0, failShare: 0 } });
    ({ sandbox, ctx, project } = app);
    const { privateKey, publicKey } = rsaKeyPair();
    const account = json(await api('POST', '/api/v1/providers', { type: 'nexmo', nickname: 'Vonage flow', ratePerSecond: 100, autoReply: { enabled: true, text: AUTO_REPLY }, credentials: { ...CREDENTIALS, privateKey } }));
    providerId = account.id;
    sandbox.addAccounts([
      {
        provider: 'vonage',
        id: 'vflow',
        ...CREDENTIALS,
        publicKey,
        statusUrl: account.deliveryCallbackUrl,
        inboundUrl: account.inboundCallbackUrl,
        webhookVersion: 'v1',
        templates: [{ name: 'FLOW:welcome', body: 'Hi {{1}}, welcome aboard.' }],
      },
    ]);
    templateId = json(await api('POST', '/api/v1/templates', { providerId, namespace: 'FLOW:welcome', body: 'Hi {{1}}, welcome aboard.', attachmentType: 'none' })).id;
    const upload = await api('POST', '/api/v1/upload', {
      d: [0, 1, 2].map((i) => ({ identity: `u${i}`, type: 'profile', profileData: { Name: `User ${i}`, Phone: phone(i), 'MSG-whatsapp': true } })),
    });
    expect(json(upload)).toMatchObject({ status: 'success', processed: 3 });
    ctx.startWorker();
  });
  afterAll(() => app?.close());

  it('pairs every recipient from the delivered statuses, honours STOP sent under the user id, and skips them next time', async () => {
    expect(await publish('Welcome', ['u0', 'u1', 'u2'])).toMatchObject({ sent: 3, delivered: 3 });
    const pairs = await ctx.db.kysely.selectFrom('whatsapp_users').select(['user_id', 'phone']).where('provider_id', '=', providerId).orderBy('phone').execute();
    expect(pairs.map((pair) => pair.phone)).toEqual([phone(0), phone(1), phone(2)]);

    const sent = sandbox.inbound({ account: 'vflow', from: phone(1), text: 'STOP', username: true, hidePhone: true });
    expect(sent.payload).toMatchObject({ from: pairs[1]!.user_id });
    expect(sent.payload).not.toHaveProperty('whatsapp.sender.wa_id');
    expect(await sent.delivery).toMatchObject({ delivered: true, status: 200 });
    await waitFor(async () => {
      const dnd = await ctx.db.kysely.selectFrom('phone_dnd').select('dnd').where('project_id', '=', project.projectId).where('phone', '=', phone(1)).executeTakeFirst();
      return dnd?.dnd === 1 && sandbox.messages({ account: 'vflow', kind: 'session', to: phone(1).slice(1) }).length === 1;
    }, 20_000, 'opt-out and its confirmation');
    expect(sandbox.messages({ account: 'vflow', kind: 'session', to: phone(1).slice(1) })[0]!.body).toMatch(/unsubscribed/i);

    const inbox = json(await api('GET', '/api/v1/inbox'));
    expect(inbox.items.map((item: { phone: string }) => item.phone)).toEqual([phone(1)]);

    expect(await publish('Follow-up', ['u0', 'u1'])).toMatchObject({ targeted: 2, sent: 1, skipped: { dnd: 1 } });
    expect(sandbox.messages({ account: 'vflow', kind: 'template', to: phone(1).slice(1) })).toHaveLength(1);
  });

  it('keeps a stranger known only by user id in the Inbox, auto-replies once and lets an agent answer there', async () => {
    const stranger = phone(77);
    const first = sandbox.inbound({ account: 'vflow', from: stranger, name: 'Stranger', text: 'hi', username: true, hidePhone: true });
    const userId = (first.payload as { from: string }).from;
    expect(userId).toMatch(/^IN\.\d{20}$/);
    await first.delivery;
    await sandbox.inbound({ account: 'vflow', from: stranger, name: 'Stranger', text: 'anyone there?', username: true, hidePhone: true }).delivery;
    const toStranger = () => sandbox.messages({ account: 'vflow', kind: 'session', to: stranger.slice(1) });
    await waitFor(async () => toStranger().length === 1, 20_000, 'the auto-reply');
    expect(toStranger()[0]!.body).toBe(AUTO_REPLY);

    // Acknowledged is not yet applied: wait for both messages.
    const texts = async () => json(await api('GET', `/api/v1/inbox/${userId}`)).messages.map((message: { direction: string; text: string }) => `${message.direction}: ${message.text}`);
    await waitFor(async () => (await texts()).length === 3, 20_000, 'the conversation');
    const conversation = json(await api('GET', `/api/v1/inbox/${userId}`));
    expect(conversation).toMatchObject({ phone: userId, profile: null, senderName: 'Stranger', windowOpen: true });
    expect(conversation.messages.map((message: { direction: string; text: string }) => `${message.direction}: ${message.text}`)).toEqual(
      expect.arrayContaining(['in: hi', 'in: anyone there?', `out: ${AUTO_REPLY}`]),
    );
    const reply = await api('POST', `/api/v1/inbox/${userId}/reply`, { text: 'Hello! How can we help?' });
    expect(reply.statusCode, reply.body).toBe(201);
    await waitFor(async () => toStranger().length === 2, 20_000, "the agent's reply");
    expect(toStranger()[1]!.body).toBe('Hello! How can we help?');
    await waitFor(async () => json(await api('GET', `/api/v1/inbox/${userId}`)).messages.some((message: { ticks: string | null }) => message.ticks === 'delivered' || message.ticks === 'read'), 20_000, 'ticks');
    // Their statuses name them by id alone too: still no number for them.
    expect(await ctx.db.kysely.selectFrom('whatsapp_users').select('phone').where('user_id', '=', userId).execute()).toEqual([]);
    expect(await ctx.db.kysely.selectFrom('inbound_messages').select('phone').where('phone', '=', stranger).execute()).toEqual([]);
  });
});
