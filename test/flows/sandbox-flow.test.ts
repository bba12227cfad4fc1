/**
 * The whole product over real HTTP, with the sandbox as the provider (PRODUCT §1–3; issues 5 and
 * 6): profiles uploaded through the upload API, a Gupshup Enterprise account and a template, a
 * campaign published; the sandbox receives exactly one correctly rendered message per reachable
 * recipient and posts its DLRs (reordered, duplicated, some failed) to the account's callback URL;
 * the report matches the sandbox's own counts. Then replies: STOP from a tracked user (opted out,
 * confirmed, skipped by the next campaign), "hi" three times from an untracked phone (exactly one
 * auto-reply, through the two-way account), and both conversations in the Inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, type TestContext } from '../helpers/context.js';
import { waitFor } from '../helpers/fake-provider.js';
import type { Sandbox } from '../../src/sandbox/sandbox.server.js';
import { openSandboxedApp, type SandboxedApp } from '../helpers/sandboxed-app.js';

const AUTO_REPLY = 'Thanks for writing! This number sends offers. Reply STOP to opt out.';
const ACCOUNT = {
  notificationUserId: '2000300001',
  notificationPassword: 'flow-notif-pass',
  twoWayUserId: '2000300002',
  twoWayPassword: 'flow-twoway-pass',
  businessNumber: '919000000300',
};


const phone = (n: number) => `+91987650${String(n).padStart(4, '0')}`;

describe.each(testEngines())('the whole flow against the sandbox over HTTP ($name)', (engine) => {
  let app: SandboxedApp;
  let sandbox: Sandbox;
  let ctx: TestContext;
  let providerId: string;
  let templateId: string;
  const api: SandboxedApp['api'] = (...request) => app.api(...request);

  beforeAll(async () => {
    app = await openSandboxedApp(engine, { knobs: { dlrDelayMs: [5, 40], callbackRetries: 3, callbackRetryDelayMs: 50 } });
    ({ sandbox, ctx } = app);
    const account = json(
      await api('POST', '/api/v1/providers', {
        type: 'gupshup',
        nickname: 'Flow',
        ratePerSecond: 500,
        autoReply: { enabled: true, text: AUTO_REPLY },
        credentials: { ...ACCOUNT, mobileNumber: ACCOUNT.businessNumber, businessNumber: undefined },
      }),
    );
    providerId = account.id;
    sandbox.addAccounts([
      {
        provider: 'gupshup-enterprise',
        id: 'flow',
        ...ACCOUNT,
        dlrUrl: account.deliveryCallbackUrl,
        inboundUrl: account.inboundCallbackUrl,
        templates: [{ name: 'FLOW:order_shipped', body: 'Hi {{1}}, order {{2}} has shipped.' }],
      },
    ]);
    sandbox.setKnobs({ reorderShare: 0.5, duplicateShare: 0.3, readShare: 0.5, failShare: 0.1, failReason: 'not_on_whatsapp' }, 'flow');
    templateId = json(await api('POST', '/api/v1/templates', { providerId, namespace: 'FLOW:order_shipped', body: 'Hi {{1}}, order {{2}} has shipped.', attachmentType: 'none' })).id;
    ctx.startWorker();
  });
  afterAll(() => app?.close());

  it('sends exactly one rendered message per reachable recipient; the report matches the sandbox', async () => {
    const records = [
      ...Array.from({ length: 60 }, (_, i) => ({ identity: `u${i}`, type: 'profile', profileData: { Name: `User ${i}`, Order: `A-${1000 + i}`, Phone: phone(i), 'MSG-whatsapp': true } })),
      { identity: 'out', type: 'profile', profileData: { Name: 'Out', Order: 'A-1', Phone: phone(900), 'MSG-whatsapp': false } },
      { identity: 'dnd', type: 'profile', profileData: { Name: 'Dnd', Order: 'A-2', Phone: phone(901), 'MSG-whatsapp': true, 'MSG-dndWhatsApp': true } },
      { identity: 'nophone', type: 'profile', profileData: { Name: 'No phone', Order: 'A-3', 'MSG-whatsapp': true } },
      { identity: 'noorder', type: 'profile', profileData: { Name: 'No order', Phone: phone(902), 'MSG-whatsapp': true } },
    ];
    const upload = json(await api('POST', '/api/v1/upload', { d: records }));
    expect(upload).toMatchObject({ status: 'success', processed: records.length });

    const campaign = json(
      await api('POST', '/api/v1/campaigns', { name: 'Shipping', providerId, templateId, audience: { all: true }, params: ['{{ Profile.Name }}', '{{ Profile.Order }}'] }),
    );
    expect((await api('POST', `/api/v1/campaigns/${campaign.id}/publish`)).statusCode).toBe(200);
    await waitFor(async () => json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).state === 'completed', 30_000, 'completion');
    await sandbox.drain(20_000);
    await waitFor(async () => (await ctx.db.kysely.selectFrom('callback_events').select('seq').where('state', '=', 'pending').execute()).length === 0, 20_000, 'callbacks applied');

    const received = sandbox.messages({ account: 'flow', kind: 'template' });
    expect(received).toHaveLength(60);
    expect(new Set(received.map((message) => message.to)).size).toBe(60);
    const u7 = received.find((message) => message.to === phone(7).slice(1))!;
    expect(u7.body).toBe('Hi User 7, order A-1007 has shipped.');

    const outcomes = { read: 0, delivered: 0, failed: 0 };
    for (const message of received) if (message.outcome !== 'none') outcomes[message.outcome]++;
    const stats = json(await api('GET', `/api/v1/campaigns/${campaign.id}`)).stats;
    expect(stats).toMatchObject({
      targeted: 64,
      skipped: { notOptedIn: 1, dnd: 1, invalidPhone: 1, renderError: 1, frequencyCap: 0, total: 4 },
      queued: 0,
      sent: 60,
      delivered: outcomes.read + outcomes.delivered,
      read: outcomes.read,
      failed: outcomes.failed,
      unknown: 0,
    });
    if (outcomes.failed > 0) expect(stats.failedByCategory).toEqual({ invalid_number: outcomes.failed });
  });

  it('handles STOP from a tracked user and "hi" from an untracked phone, and shows both in the Inbox', async () => {
    const sent = sandbox.messages({ account: 'flow', kind: 'template', to: phone(3).slice(1) })[0]!;
    sandbox.inbound({ account: 'flow', from: phone(3), name: 'User 3', text: '  Stop ', contextId: sent.id });
    const stranger = '+919812345678';
    for (let i = 0; i < 3; i++) sandbox.inbound({ account: 'flow', from: stranger, name: 'Stranger', text: 'hi' });
    await sandbox.drain(10_000);

    await waitFor(async () => {
      const dnd = await ctx.db.kysely.selectFrom('phone_dnd').select('dnd').where('phone', '=', phone(3)).executeTakeFirst();
      const sessions = sandbox.messages({ account: 'flow', kind: 'session' });
      return dnd?.dnd === 1 && sessions.length >= 2;
    }, 20_000, 'opt-out and replies');
    await new Promise((resolve) => setTimeout(resolve, 500));

    const sessions = sandbox.messages({ account: 'flow', kind: 'session' });
    const toStranger = sessions.filter((message) => message.to === stranger.slice(1));
    expect(toStranger).toHaveLength(1);
    expect(toStranger[0]!.body).toBe(AUTO_REPLY);
    const toStopper = sessions.filter((message) => message.to === phone(3).slice(1));
    expect(toStopper).toHaveLength(1);
    expect(toStopper[0]!.body).toMatch(/unsubscribed/i);

    const inbox = json(await api('GET', '/api/v1/inbox'));
    const phones = inbox.items.map((item: { phone: string }) => item.phone);
    expect(phones).toEqual(expect.arrayContaining([phone(3), stranger]));

    const replied = json(await api('GET', '/api/v1/campaigns')).items.find((item: { name: string }) => item.name === 'Shipping');
    expect(replied.stats.replied).toBe(1);

    const next = json(await api('POST', '/api/v1/campaigns', { name: 'Next', providerId, templateId, audience: { identities: ['u3', 'u4'] }, params: ['{{ Profile.Name }}', 'X'] }));
    await api('POST', `/api/v1/campaigns/${next.id}/publish`);
    await waitFor(async () => json(await api('GET', `/api/v1/campaigns/${next.id}`)).state === 'completed', 20_000, 'second campaign');
    const stats = json(await api('GET', `/api/v1/campaigns/${next.id}`)).stats;
    expect(stats).toMatchObject({ targeted: 2, sent: 1, skipped: { dnd: 1 } });
    expect(sandbox.messages({ account: 'flow', kind: 'template', to: phone(3).slice(1) })).toHaveLength(1);
  });
});
