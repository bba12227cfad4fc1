import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './sandbox.server.js';
import { startCallbackReceiver, type CallbackReceiver } from '../../test/helpers/callback-receiver.js';

const ENTERPRISE = {
  provider: 'gupshup-enterprise',
  id: 'ent',
  notificationUserId: '2000200001',
  notificationPassword: 'hsm-pass-1234',
  twoWayUserId: '2000200002',
  twoWayPassword: 'twoway-pass-5678',
  businessNumber: '919000000002',
  templates: ['Hello {{1}}', { name: 'ACME:bye', body: 'Bye {{1}}' }],
} as const;

describe('sandbox: control API (/_sandbox)', () => {
  let sandbox: Sandbox;
  let receiver: CallbackReceiver;

  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sandbox.url}/_sandbox${path}`, { method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };
  const hsm = async (to: string, msg: string, userid: string = ENTERPRISE.notificationUserId, password: string = ENTERPRISE.notificationPassword) => {
    const query = new URLSearchParams({ method: 'SendMessage', v: '1.1', auth_scheme: 'plain', format: 'json', userid, password, msg_type: 'HSM', send_to: to, msg });
    return (await (await fetch(`${sandbox.env.GUPSHUP_ENTERPRISE_URL}?${query.toString()}`)).json()) as { response: { id: string; status: string } };
  };

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
    sandbox = await startSandbox({ knobs: { dlrDelayMs: 60_000, callbackRetries: 0 } });
  });
  afterAll(async () => {
    await sandbox?.close();
    await receiver?.close();
  });
  beforeEach(async () => {
    await control('POST', '/reset', { accounts: true, knobs: true });
    receiver.requests.length = 0;
    const added = await control('POST', '/accounts', { ...ENTERPRISE, dlrUrl: `${receiver.url}/dlr`, inboundUrl: `${receiver.url}/in` });
    expect(added.status).toBe(201);
  });

  it('describes itself, with the environment a wacast server needs', async () => {
    const { status, json } = await control('GET', '');
    expect(status).toBe(200);
    expect(json.env).toEqual({ GUPSHUP_ENTERPRISE_URL: `${sandbox.url}/GatewayAPI/rest`, GUPSHUP_API_URL: sandbox.url, VONAGE_API_URL: sandbox.url });
    expect(json.accounts).toEqual([{ id: 'ent', provider: 'gupshup-enterprise' }]);
  });

  it('adds accounts that then authenticate, shows them with secrets masked, and deletes them', async () => {
    expect((await hsm('919876543210', 'Hello Ravi')).response.status).toBe('success');
    const { json } = await control('GET', '/accounts');
    expect(json.items[0]).toMatchObject({ id: 'ent', notificationPassword: '••••1234', twoWayPassword: '••••5678' });
    expect(JSON.stringify(json)).not.toContain('hsm-pass-1234');
    expect(await control('DELETE', '/accounts/ent')).toMatchObject({ status: 200 });
    expect((await hsm('919876543210', 'Hello Ravi')).response).toMatchObject({ id: '102', status: 'error' });
    expect(await control('DELETE', '/accounts/ent')).toMatchObject({ status: 404 });
  });

  it('refuses invalid accounts with 422 naming each field', async () => {
    const bad = await control('POST', '/accounts', { ...ENTERPRISE, id: 'bad', businessNumber: '+91 90000', nickname: 'x', notificationPassword: '' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.code).toBe('validation_failed');
    const paths = (bad.json.error.details as { path: string }[]).map((problem) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['businessNumber', 'notificationPassword', '']));
    expect(bad.json.error.message).toMatch(/nickname/);
    const clash = await control('POST', '/accounts', { ...ENTERPRISE, id: 'other' });
    expect(clash.status).toBe(422);
    expect(clash.json.error.message).toMatch(/already belongs to account ent/);
    const vonage = await control('POST', '/accounts', {
      provider: 'vonage',
      apiKey: 'k',
      apiSecret: 's',
      applicationId: 'app',
      publicKey: 'not a pem',
      signatureSecret: 'x',
      whatsappNumber: '447700900001',
    });
    expect(vonage.status).toBe(422);
    expect(vonage.json.error.details[0].path).toBe('publicKey');
    expect((await control('POST', '/accounts', { provider: 'whatsapp-cloud' })).json.error.message).toMatch(/gupshup-enterprise, gupshup-selfserve or vonage/);
    expect((await control('POST', '/accounts', '{nope')).status).toBe(400);
  });

  it('lists received messages with filters and cursor paging', async () => {
    await hsm('919876543210', 'Hello Ravi');
    await hsm('919876543211', 'Bye Asha');
    await hsm('919876543210', 'Bye Ravi');
    const all = await control('GET', '/messages');
    expect(all.json).toMatchObject({ total: 3, retained: 3, nextCursor: null });
    expect(all.json.items.map((message: { template: string }) => message.template)).toEqual(['template-1', 'bye', 'bye']);
    expect(all.json.items[0].arrivedAt).toBeGreaterThan(1e12);
    expect((await control('GET', '/messages?to=%2B919876543210')).json.items).toHaveLength(2);
    expect((await control('GET', '/messages?template=ACME:bye&to=919876543211')).json.items).toHaveLength(1);
    expect((await control('GET', '/messages?provider=vonage')).json.items).toHaveLength(0);
    const first = await control('GET', '/messages?limit=2');
    expect(first.json.items).toHaveLength(2);
    const second = await control('GET', `/messages?limit=2&cursor=${first.json.nextCursor as string}`);
    expect(second.json.items.map((message: { seq: number }) => message.seq)).toEqual([3]);
    expect(second.json.nextCursor).toBeNull();
    const one = await control('GET', `/messages/${encodeURIComponent(all.json.items[1].id as string)}`);
    expect(one.json).toMatchObject({ params: ['Asha'], to: '919876543211' });
    const invalid = await control('GET', '/messages?limit=0&kind=sms');
    expect(invalid.status).toBe(422);
    expect((invalid.json.error.details as { path: string }[]).map((problem) => problem.path).sort()).toEqual(['kind', 'limit']);
  });

  it('counts per account, with a per-second histogram and the busiest sliding second', async () => {
    await Promise.all(Array.from({ length: 5 }, (_, i) => hsm(`91987654321${i}`, 'Hello you')));
    await hsm('919876543210', 'Hello again', ENTERPRISE.notificationUserId, 'wrong');
    const { json } = await control('GET', '/stats');
    const ent = json.accounts.ent;
    expect(ent).toMatchObject({ provider: 'gupshup-enterprise', arrivals: 5, accepted: 5, byKind: { template: 5 } });
    expect(ent.perSecond.reduce((sum: number, bucket: { arrivals: number }) => sum + bucket.arrivals, 0)).toBe(5);
    expect(ent.maxArrivalsPerSecond).toBeGreaterThanOrEqual(1);
    expect(ent.maxArrivalsPerSecond).toBeLessThanOrEqual(5);
    expect(json.unattributed).toMatchObject({ arrivals: 1, rejected: { auth: 1 } });
    expect(json.scheduledEvents).toBeGreaterThan(0);
    expect((await control('GET', '/stats?histogram=false')).json.accounts.ent).not.toHaveProperty('perSecond');
  });

  it('injects inbound messages and can wait for the delivery', async () => {
    const answer = await control('POST', '/inbound', { account: 'ent', from: '+919876543210', text: 'hi', wait: true });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ url: `${receiver.url}/in`, payload: { mobile: '919876543210', text: 'hi' }, delivery: { delivered: true, status: 200 } });
    const async = await control('POST', '/inbound', { account: 'ent', from: '919876543210', type: 'location', latitude: 12.9, longitude: 77.6 });
    expect(async.status).toBe(202);
    expect((await control('POST', '/inbound', { account: 'nobody', from: '919876543210' })).json.error.details).toEqual([{ path: 'account', message: 'no account "nobody"' }]);
    expect((await control('POST', '/inbound', { account: 'ent', from: 'abc', colour: 'red' })).status).toBe(422);
    expect((await control('POST', '/inbound', { account: 'ent', from: '919876543210', type: 'image' })).json.error.details).toEqual([
      { path: 'mediaUrl', message: 'is required for type image' },
    ]);
  });

  it('sets global knobs, refusing bad values with the field named', async () => {
    const set = await control('POST', '/config', { failShare: 0.25, latencyMs: '5-10', notOnWhatsApp: ['9199*'] });
    expect(set.status).toBe(200);
    expect(set.json.knobs).toMatchObject({ failShare: 0.25, latencyMs: { min: 5, max: 10 }, notOnWhatsApp: ['9199*'] });
    const bad = await control('POST', '/config', { failShare: 2, latencyMs: '10-5', colour: 1 });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toMatch(/failShare: expected a number from 0 to 1/);
    expect(bad.json.error.message).toMatch(/latencyMs: max \(5\) is below min \(10\)/);
    expect(bad.json.error.message).toMatch(/colour/);
    expect((await control('POST', '/config', { failshare: null })).json.error.details).toEqual([{ path: 'failshare', message: 'is not a knob' }]);
    expect((await control('POST', '/config', { failShare: null })).json.knobs.failShare).toBe(0);
    expect((await control('POST', '/config?account=nobody', { failShare: 1 })).status).toBe(404);
    const perAccount = await control('POST', '/config?account=ent', { readShare: 0 });
    expect(perAccount.json).toMatchObject({ overrides: { readShare: 0 }, effective: { readShare: 0, failShare: 0 } });
    expect((await control('GET', '/config')).json.accounts.ent.overrides).toEqual({ readShare: 0 });
  });

  it('flushes scheduled callbacks at once, and reset forgets messages', async () => {
    const sent = await hsm('919876543210', 'Hello Ravi');
    expect(receiver.requests).toHaveLength(0);
    expect((await control('POST', '/flush')).status).toBe(200);
    await receiver.waitFor(() => receiver.on('/dlr').length > 0);
    const events = receiver.on('/dlr').flatMap((request) => JSON.parse(new URLSearchParams(request.body).get('response')!) as { externalId: string }[]);
    expect(events.every((event) => event.externalId === sent.response.id)).toBe(true);
    await control('POST', '/reset');
    expect((await control('GET', '/messages')).json).toMatchObject({ items: [], total: 0 });
    expect((await control('GET', '/accounts')).json.items).toHaveLength(1);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    expect((await control('GET', '/nothing')).status).toBe(404);
    expect((await fetch(`${sandbox.url}/elsewhere`)).status).toBe(404);
    const wrong = await fetch(`${sandbox.url}/v1/messages`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });
});

describe('sandbox: configuration file and retention', () => {
  it('loads accounts and knobs from a --config file and keeps only maxMessages messages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-config-'));
    const file = join(dir, 'sandbox.json');
    writeFileSync(file, JSON.stringify({ knobs: { readShare: 0, callbacks: false }, maxMessages: 3, accounts: [ENTERPRISE] }));
    const sandbox = await startSandbox({ configFile: file });
    try {
      expect(sandbox.knobs()).toMatchObject({ readShare: 0, callbacks: false });
      for (let i = 0; i < 5; i++) {
        const query = new URLSearchParams({ method: 'SendMessage', v: '1.1', auth_scheme: 'plain', userid: ENTERPRISE.notificationUserId, password: ENTERPRISE.notificationPassword, msg_type: 'HSM', send_to: `91987654321${i}`, msg: `Hello ${i}` });
        expect(await (await fetch(`${sandbox.env.GUPSHUP_ENTERPRISE_URL}?${query.toString()}`)).text()).toMatch(/^success/);
      }
      const page = sandbox.messagePage();
      expect(page).toMatchObject({ total: 5, retained: 3 });
      expect(page.items.map((message) => message.params)).toEqual([['2'], ['3'], ['4']]);
      expect(sandbox.stats().accounts.ent!.accepted).toBe(5);
    } finally {
      await sandbox.close();
    }
  });

  it('names the file and the field of a bad configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ accounts: [{ ...ENTERPRISE, dlrUrl: 'ftp://x' }], knobs: { readShare: -1 } }));
    await expect(startSandbox({ configFile: file })).rejects.toThrow(/knobs\.readShare: expected a number from 0 to 1 \(in .*bad\.json\)/);
    writeFileSync(file, JSON.stringify({ accounts: [{ ...ENTERPRISE, dlrUrl: 'ftp://x' }] }));
    await expect(startSandbox({ configFile: file })).rejects.toThrow(/accounts\.0\.dlrUrl: expected an absolute http:\/\/ or https:\/\/ URL/);
    writeFileSync(file, '{');
    await expect(startSandbox({ configFile: file })).rejects.toThrow(/bad\.json is not valid JSON/);
  });
});
