import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput, nexmoProviderInput, rsaKeyPair } from '../helpers/fixtures.js';
import { parseJson, toJson } from '../../src/storage/json.js';

describe.each(testEngines())('provider accounts API ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
  });
  afterAll(() => ctx?.close());

  const post = (url: string, payload: unknown, headers = project.headers) => ctx.app.inject({ method: 'POST', url, payload: payload as object, headers });

  it('creates a Gupshup account with masked secrets and two callback URLs sharing one token', async () => {
    const response = await post('/api/v1/providers', gupshupProviderInput());
    expect(response.statusCode).toBe(201);
    const account = json(response);
    expect(account).toMatchObject({ type: 'gupshup', nickname: 'Gupshup main', isDefault: true, ratePerSecond: 80, autoReply: { enabled: false, text: '' } });
    expect(account.credentials).toEqual({
      mode: 'enterprise',
      notificationUserId: '2000155005',
      notificationPassword: '••••9876',
      twoWayUserId: '2000155006',
      twoWayPassword: '••••5432',
      appName: 'DemoApp',
      mobileNumber: '919876543210',
      facebookUrl: 'https://facebook.com/demo',
      apiKey: '',
    });
    const inbound = /^http:\/\/wacast\.test\/hooks\/gupshup\/([A-Za-z0-9_-]{32})\/inbound$/.exec(account.inboundCallbackUrl);
    const delivery = /^http:\/\/wacast\.test\/hooks\/gupshup\/([A-Za-z0-9_-]{32})\/delivery$/.exec(account.deliveryCallbackUrl);
    expect(inbound?.[1]).toBeDefined();
    expect(inbound?.[1]).toBe(delivery?.[1]);
    expect(response.body).not.toContain('notif-secret');
    expect(response.body).not.toContain('twoway-secret');
  });

  it('stores credentials encrypted: the database never holds a secret in clear', async () => {
    const account = json(await post('/api/v1/providers', nexmoProviderInput({ nickname: 'at rest' })));
    const row = await ctx.db.kysely.selectFrom('provider_accounts').selectAll().where('id', '=', account.id).executeTakeFirstOrThrow();
    const everything = JSON.stringify(row);
    expect(everything).not.toContain('vonage-secret');
    expect(everything).not.toContain('sig-secret');
    expect(everything).not.toContain('BEGIN PRIVATE KEY');
    expect(ctx.deps.secrets.decryptJson<{ apiSecret: string }>(row.credentials_ciphertext).apiSecret).toBe('vonage-secret-4321');
    expect(account.deliveryCallbackUrl).toMatch(/\/hooks\/nexmo\/[A-Za-z0-9_-]{32}\/status$/);
  });

  it('shows callback URLs before the first save and keeps them on create', async () => {
    const draft = json(await post('/api/v1/providers/callback-urls', { type: 'gupshup' }));
    expect(draft.inboundCallbackUrl).toBe(`http://wacast.test/hooks/gupshup/${draft.callbackToken}/inbound`);
    const account = json(await post('/api/v1/providers', gupshupProviderInput({ nickname: 'drafted', callbackToken: draft.callbackToken })));
    expect(account.inboundCallbackUrl).toBe(draft.inboundCallbackUrl);
    expect(account.deliveryCallbackUrl).toBe(draft.deliveryCallbackUrl);
  });

  it('saves a double-submitted form twice without an error or the token in a log line', async () => {
    // Two creates adopting the same shown token (a double click on Save): one keeps the URLs shown,
    // the other gets a token of its own. A unique-key failure would answer 500 and log the key's
    // value — PostgreSQL puts it in the error's detail.
    const draft = json(await post('/api/v1/providers/callback-urls', { type: 'gupshup' }));
    const save = () => post('/api/v1/providers', gupshupProviderInput({ nickname: 'double click', callbackToken: draft.callbackToken }));
    const responses = await Promise.all(Array.from({ length: 8 }, save));
    expect(ctx.logs.join('\n')).not.toContain(draft.callbackToken);
    expect(responses.map((response) => response.statusCode)).toEqual(Array(8).fill(201));
    const urls = responses.map((response) => json(response).inboundCallbackUrl as string);
    expect(new Set(urls).size).toBe(8);
    expect(urls).toContain(draft.inboundCallbackUrl);
  });

  it('refuses callback tokens the server did not issue', async () => {
    const response = await post('/api/v1/providers', gupshupProviderInput({ callbackToken: 'A'.repeat(32) }));
    expect(response.statusCode).toBe(422);
    expect(json(response).error.details).toEqual([expect.objectContaining({ path: 'callbackToken' })]);
  });

  it('explains every invalid field', async () => {
    const response = await post('/api/v1/providers', {
      type: 'gupshup',
      nickname: ' ',
      ratePerSecond: 20000,
      autoReply: { enabled: true, text: '' },
      credentials: { notificationUserId: 'abc', mobileNumber: '12', facebookUrl: 'ftp://x' },
    });
    expect(response.statusCode).toBe(422);
    const paths = json(response).error.details.map((problem: { path: string }) => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'nickname',
        'ratePerSecond',
        'autoReply.text',
        'credentials.notificationUserId',
        'credentials.notificationPassword',
        'credentials.twoWayUserId',
        'credentials.twoWayPassword',
        'credentials.mobileNumber',
        'credentials.facebookUrl',
      ]),
    );
    const unknownType = await post('/api/v1/providers', { type: 'twilio', nickname: 'x', credentials: {} });
    expect(unknownType.statusCode).toBe(422);
    expect(json(unknownType).error.details[0]).toEqual({ path: 'type', message: 'must be "gupshup" or "nexmo"' });
  });

  it('refuses a business number typed without its country code instead of saving it as another country\'s number', async () => {
    const withNumber = (mobileNumber: string) => post('/api/v1/providers', gupshupProviderInput({ nickname: `number ${mobileNumber}`, credentials: { ...gupshupProviderInput().credentials, mobileNumber } }));
    const local = await withNumber('9876543210');
    expect(local.statusCode).toBe(422);
    expect(json(local).error.details).toEqual([
      { path: 'credentials.mobileNumber', message: expect.stringContaining('(+9876543210 has a length no number of its country code has (is the country code missing?))') },
    ]);
    for (const [typed, stored] of [['+91 98765 43210', '919876543210'], ['0091 9876543210', '919876543210'], ['447700900001', '447700900001'], ['56789', '56789']] as const) {
      const response = await withNumber(typed);
      expect(response.statusCode, `${typed}: ${response.body}`).toBe(201);
      expect(json(response).credentials.mobileNumber).toBe(stored);
    }
  });

  it('asks for a template when a test message names none, and names a foreign one', async () => {
    const account = json(await post('/api/v1/providers', gupshupProviderInput({ nickname: 'tester' })));
    const none = await post(`/api/v1/providers/${account.id}/test`, { to: '+919876543210', templateId: '', params: [] });
    expect(none.statusCode).toBe(422);
    expect(json(none).error.details).toEqual([{ path: 'templateId', message: 'is required: choose a template' }]);
    const unknown = await post(`/api/v1/providers/${account.id}/test`, { to: '+919876543210', templateId: 'no-such-template', params: [] });
    expect(unknown.statusCode).toBe(422);
    expect(json(unknown).error.details).toEqual([{ path: 'templateId', message: 'is not a template of this project' }]);
  });

  it('validates Nexmo keys: a private key must be a PEM RSA key', async () => {
    const response = await post('/api/v1/providers', nexmoProviderInput({ credentials: { ...nexmoProviderInput().credentials, privateKey: 'not a key' } }));
    expect(response.statusCode).toBe(422);
    expect(json(response).error.details).toEqual([{ path: 'credentials.privateKey', message: expect.stringContaining('PEM') }]);
  });

  it('accepts a private key pasted with Windows line ends, indentation, blank lines or on one line, and stores it as a readable PEM', async () => {
    const pem = rsaKeyPair().privateKey;
    const pasted = {
      windows: pem.replace(/\n/g, '\r\n'),
      indented: `\n\n${pem.split('\n').map((line) => `    ${line}`).join('\n')}\n  `,
      oneLine: pem.replace(/\n/g, ' '),
      escaped: pem.replace(/\n/g, '\\n'),
    };
    for (const [how, privateKey] of Object.entries(pasted)) {
      const response = await post('/api/v1/providers', nexmoProviderInput({ nickname: `pasted ${how}`, credentials: { ...nexmoProviderInput().credentials, privateKey } }));
      expect(response.statusCode, `${how}: ${response.body}`).toBe(201);
      const row = await ctx.db.kysely.selectFrom('provider_accounts').select('credentials_ciphertext').where('id', '=', json(response).id).executeTakeFirstOrThrow();
      expect(ctx.deps.secrets.decryptJson<{ privateKey: string }>(row.credentials_ciphertext).privateKey, how).toBe(pem);
    }
  });

  it('masks a private key with the end of its key material, not the "-----" every PEM ends with', async () => {
    const account = json(await post('/api/v1/providers', nexmoProviderInput({ nickname: 'masked key' })));
    const material = rsaKeyPair().privateKey.replace(/-----[A-Z ]+-----|\s+|=+/g, '');
    expect(account.credentials.privateKey).toBe(`••••${material.slice(-4)}`);
    expect(account.credentials.apiSecret).toBe('••••4321');
  });

  it('says so when the Vonage private key field holds a public key or a certificate', async () => {
    const withKey = (privateKey: string) => post('/api/v1/providers', nexmoProviderInput({ credentials: { ...nexmoProviderInput().credentials, privateKey } }));
    const publicKey = await withKey(rsaKeyPair().publicKey);
    expect(publicKey.statusCode).toBe(422);
    expect(json(publicKey).error.details).toEqual([{ path: 'credentials.privateKey', message: expect.stringMatching(/^is a public key: paste the private key/) }]);
    const certificate = await withKey('-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0VSVElGSUNBVEU=\n-----END CERTIFICATE-----\n');
    expect(json(certificate).error.details).toEqual([{ path: 'credentials.privateKey', message: expect.stringMatching(/^is a certificate: paste the private key/) }]);
  });

  it('turns the auto reply off and on again keeping its saved text; on without any text is refused', async () => {
    const patch = (id: string, payload: object) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/providers/${id}`, headers: project.headers, payload });
    const account = json(await post('/api/v1/providers', gupshupProviderInput({ nickname: 'auto replies', autoReply: { enabled: true, text: 'We will be in touch.' } })));
    expect(json(await patch(account.id, { autoReply: { enabled: false } })).autoReply).toEqual({ enabled: false, text: 'We will be in touch.' });
    const on = await patch(account.id, { autoReply: { enabled: true } });
    expect(on.statusCode, on.body).toBe(200);
    expect(json(on).autoReply).toEqual({ enabled: true, text: 'We will be in touch.' });
    const blank = await patch(account.id, { autoReply: { enabled: true, text: '  ' } });
    expect(blank.statusCode).toBe(422);
    expect(json(blank).error.details).toEqual([{ path: 'autoReply.text', message: 'is required when the auto reply is on' }]);
  });

  it('clears a credential sent as null: a Vonage account moves from its private key to an API key and secret', async () => {
    const account = json(await post('/api/v1/providers', nexmoProviderInput({ nickname: 'moving' })));
    const patch = (credentials: object) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/providers/${account.id}`, headers: project.headers, payload: { credentials } });
    // Without null the stored key stays, and an application id is then required with it.
    const kept = await patch({ applicationId: '' });
    expect(kept.statusCode).toBe(422);
    expect(json(kept).error.details).toEqual([expect.objectContaining({ path: 'credentials.applicationId' })]);
    const moved = await patch({ applicationId: '', privateKey: null, signatureSecret: null });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(json(moved).credentials).toMatchObject({ applicationId: '', privateKey: '', signatureSecret: '', apiKey: 'a1b2c3d' });
    const row = await ctx.db.kysely.selectFrom('provider_accounts').select('credentials_ciphertext').where('id', '=', account.id).executeTakeFirstOrThrow();
    expect(ctx.deps.secrets.decryptJson<Record<string, string>>(row.credentials_ciphertext)).toMatchObject({ applicationId: '', privateKey: '', signatureSecret: '', apiSecret: 'vonage-secret-4321' });
    // A required field cleared is refused like one left empty.
    expect((await patch({ apiSecret: null })).statusCode).toBe(422);
  });

  it('keeps secrets on a partial update and replaces them when given', async () => {
    const account = json(await post('/api/v1/providers', gupshupProviderInput({ nickname: 'patch me' })));
    const kept = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/providers/${account.id}`,
      headers: project.headers,
      payload: { nickname: 'patched', credentials: { notificationPassword: '••••9876', twoWayUserId: '2000155099' } },
    });
    expect(kept.statusCode).toBe(200);
    expect(json(kept).credentials).toMatchObject({ notificationPassword: '••••9876', twoWayUserId: '2000155099' });
    const replaced = json(
      await ctx.app.inject({ method: 'PATCH', url: `/api/v1/providers/${account.id}`, headers: project.headers, payload: { credentials: { notificationPassword: 'brand-new-1111' } } }),
    );
    expect(replaced.credentials.notificationPassword).toBe('••••1111');
    const row = await ctx.db.kysely.selectFrom('provider_accounts').select('credentials_ciphertext').where('id', '=', account.id).executeTakeFirstOrThrow();
    expect(ctx.deps.secrets.decryptJson<{ notificationPassword: string; twoWayPassword: string }>(row.credentials_ciphertext)).toMatchObject({
      notificationPassword: 'brand-new-1111',
      twoWayPassword: 'twoway-secret-5432',
    });
  });

  describe('Gupshup API key: self-serve mode only', () => {
    const selfServe = { mode: 'selfserve', apiKey: 'selfserve-key-abcdef12', appName: 'DemoApp', mobileNumber: '+919876543210' };
    const enterprise = { notificationUserId: '2000155005', notificationPassword: 'notif-secret-9876', twoWayUserId: '2000155006', twoWayPassword: 'twoway-secret-5432' };
    const SELF_SERVE_ONLY = 'is for Gupshup self-serve mode only (mode "selfserve"): leave it out for Enterprise, which signs in with the notification and two-way accounts';
    const patch = (id: string, credentials: object) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/providers/${id}`, headers: project.headers, payload: { credentials } });
    const stored = async (id: string) => {
      const row = await ctx.db.kysely.selectFrom('provider_accounts').select(['credentials_ciphertext', 'credentials_public']).where('id', '=', id).executeTakeFirstOrThrow();
      return { secret: ctx.deps.secrets.decryptJson<Record<string, string>>(row.credentials_ciphertext), public: parseJson<Record<string, string>>(row.credentials_public, {}) };
    };

    it('removes the stored API key when a self-serve account switches to Enterprise', async () => {
      const account = json(await post('/api/v1/providers', { type: 'gupshup', nickname: 'to enterprise', credentials: selfServe }));
      expect(account.credentials).toMatchObject({ mode: 'selfserve', apiKey: '••••ef12' });
      // As the dashboard sends it: the API key field is hidden in Enterprise mode, so it is not sent.
      const switched = await patch(account.id, { mode: 'enterprise', ...enterprise });
      expect(switched.statusCode, switched.body).toBe(200);
      expect(json(switched).credentials).toMatchObject({ mode: 'enterprise', apiKey: '', notificationPassword: '••••9876' });
      expect((await stored(account.id)).secret).toMatchObject({ mode: 'enterprise', apiKey: '', notificationPassword: 'notif-secret-9876' });
      expect(JSON.stringify(await stored(account.id))).not.toContain('selfserve-key');
      // Gone, not hidden: going back to self-serve asks for a key again.
      const back = await patch(account.id, { mode: 'selfserve' });
      expect(back.statusCode).toBe(422);
      expect(json(back).error.details).toEqual([{ path: 'credentials.apiKey', message: "is required for Gupshup self-serve (the app's API key)" }]);
    });

    it('removes it also when the switch sends the masked key back, or clears it with null', async () => {
      for (const apiKey of ['••••ef12', '', null]) {
        const account = json(await post('/api/v1/providers', { type: 'gupshup', nickname: `masked ${String(apiKey)}`, credentials: selfServe }));
        const switched = await patch(account.id, { mode: 'enterprise', ...enterprise, apiKey });
        expect(switched.statusCode, `${String(apiKey)}: ${switched.body}`).toBe(200);
        expect((await stored(account.id)).secret.apiKey, String(apiKey)).toBe('');
      }
    });

    it('refuses an API key sent with the switch to Enterprise, naming the field, and changes nothing', async () => {
      const account = json(await post('/api/v1/providers', { type: 'gupshup', nickname: 'explicit key', credentials: selfServe }));
      const before = await stored(account.id);
      const refused = await patch(account.id, { mode: 'enterprise', ...enterprise, apiKey: 'another-key-5678' });
      expect(refused.statusCode).toBe(422);
      expect(json(refused).error.details).toEqual([{ path: 'credentials.apiKey', message: SELF_SERVE_ONLY }]);
      expect(await stored(account.id)).toEqual(before);
    });

    it('refuses an API key in a new Enterprise account, as in a change', async () => {
      for (const credentials of [{ ...enterprise, mobileNumber: '+919876543210', apiKey: 'enterprise-key-1234' }, { ...enterprise, mode: 'enterprise', mobileNumber: '+919876543210', apiKey: 'enterprise-key-1234' }]) {
        const refused = await post('/api/v1/providers', { type: 'gupshup', nickname: 'enterprise with key', credentials });
        expect(refused.statusCode).toBe(422);
        expect(json(refused).error.details).toEqual([{ path: 'credentials.apiKey', message: SELF_SERVE_ONLY }]);
      }
    });

    it('keeps the key of a self-serve account that stays self-serve', async () => {
      const account = json(await post('/api/v1/providers', { type: 'gupshup', nickname: 'stays', credentials: selfServe }));
      const renamed = await patch(account.id, { appName: 'OtherApp' });
      expect(renamed.statusCode).toBe(200);
      expect((await stored(account.id)).secret).toMatchObject({ mode: 'selfserve', apiKey: 'selfserve-key-abcdef12', appName: 'OtherApp' });
    });

    it('drops a key an Enterprise account was saved with before it was refused, at its next change of credentials', async () => {
      const account = json(await post('/api/v1/providers', gupshupProviderInput({ nickname: 'saved with a key' })));
      const legacy = { ...(await stored(account.id)).secret, apiKey: 'legacy-key-abcd9999' };
      await ctx.db.kysely
        .updateTable('provider_accounts')
        .set({ credentials_ciphertext: ctx.deps.secrets.encryptJson(legacy), credentials_public: toJson({ ...(await stored(account.id)).public, apiKey: '••••9999' }) })
        .where('id', '=', account.id)
        .execute();
      const changed = await patch(account.id, { twoWayUserId: '2000155099' });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(json(changed).credentials).toMatchObject({ apiKey: '', twoWayUserId: '2000155099' });
      expect((await stored(account.id)).secret.apiKey).toBe('');
    });
  });

  it('refuses a masked secret (••••1234) in a new account instead of storing the mask as the password', async () => {
    const copied = await post('/api/v1/providers', gupshupProviderInput({ nickname: 'copied', credentials: { ...gupshupProviderInput().credentials, notificationPassword: '••••9876' } }));
    expect(copied.statusCode).toBe(422);
    expect(json(copied).error.details).toEqual([{ path: 'credentials.notificationPassword', message: 'is the masked value shown for a saved secret: enter the secret itself' }]);
  });

  it('masks short passwords without giving them away: fewer characters shown, or none', async () => {
    const account = json(
      await post('/api/v1/providers', gupshupProviderInput({ nickname: 'short secrets', credentials: { ...gupshupProviderInput().credentials, notificationPassword: 'pass1234', twoWayPassword: 'zq9x' } })),
    );
    expect(account.credentials).toMatchObject({ notificationPassword: '••••34', twoWayPassword: '••••' });
    expect(JSON.stringify(account)).not.toContain('zq9x');
  });

  it('keeps exactly one default account', async () => {
    const other = await ctx.createProject('defaults');
    const first = json(await post('/api/v1/providers', gupshupProviderInput(), other.headers));
    const second = json(await post('/api/v1/providers', nexmoProviderInput({ isDefault: true }), other.headers));
    expect(first.isDefault).toBe(true);
    expect(second.isDefault).toBe(true);
    const list = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: other.headers }));
    expect(list.items.filter((item: { isDefault: boolean }) => item.isDefault).map((item: { id: string }) => item.id)).toEqual([second.id]);
    await ctx.app.inject({ method: 'DELETE', url: `/api/v1/providers/${second.id}`, headers: other.headers });
    const after = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: other.headers }));
    expect(after.items).toHaveLength(1);
    expect(after.items[0]).toMatchObject({ id: first.id, isDefault: true });
    // Unmarking the default is refused (it used to answer 200 and change nothing).
    const unmark = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/providers/${first.id}`, headers: other.headers, payload: { isDefault: false } });
    expect(unmark.statusCode).toBe(422);
    expect(json(unmark).error.details).toEqual([{ path: 'isDefault', message: 'cannot be turned off on the default account: mark another account as default instead' }]);
  });

  it('keeps one default when the first accounts of a project are saved at the same time (a double-clicked Save)', async () => {
    const fresh = await ctx.createProject('concurrent defaults');
    const saves = await Promise.all(Array.from({ length: 4 }, (_, index) => post('/api/v1/providers', gupshupProviderInput({ nickname: `first ${index}` }), fresh.headers)));
    expect(saves.map((response) => response.statusCode)).toEqual([201, 201, 201, 201]);
    const list = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: fresh.headers }));
    expect(list.items.filter((item: { isDefault: boolean }) => item.isDefault)).toHaveLength(1);
    const marks = await Promise.all(list.items.map((item: { id: string }) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/providers/${item.id}`, headers: fresh.headers, payload: { isDefault: true } })));
    expect(marks.map((response) => response.statusCode)).toEqual([200, 200, 200, 200]);
    const after = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: fresh.headers }));
    expect(after.items.filter((item: { isDefault: boolean }) => item.isDefault)).toHaveLength(1);
  });

  it('rotates the callback token', async () => {
    const account = json(await post('/api/v1/providers', gupshupProviderInput({ nickname: 'rotate' })));
    const rotated = json(await post(`/api/v1/providers/${account.id}/rotate-callback-token`, {}));
    expect(rotated.inboundCallbackUrl).not.toBe(account.inboundCallbackUrl);
    expect(rotated.inboundCallbackUrl).toMatch(/\/hooks\/gupshup\/[A-Za-z0-9_-]{32}\/inbound$/);

    // The rotated-away token (it may have leaked) is never adopted again, by another project or this one.
    const oldToken = new URL(account.inboundCallbackUrl).pathname.split('/')[3]!;
    const other = await ctx.createProject('Other');
    for (const headers of [other.headers, project.headers]) {
      const adopted = await post('/api/v1/providers', { ...gupshupProviderInput({ nickname: 'adopter' }), callbackToken: oldToken }, headers);
      expect(adopted.statusCode).toBe(201);
      expect(json(adopted).inboundCallbackUrl).not.toContain(oldToken);
    }
    const old = await ctx.app.inject({ method: 'POST', url: new URL(account.inboundCallbackUrl).pathname, headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(old.statusCode).toBe(404);
  });

  it('refuses to delete an account a running campaign uses', async () => {
    const account = json(await post('/api/v1/providers', gupshupProviderInput({ nickname: 'busy' })));
    const template = json(await post('/api/v1/templates', { providerId: account.id, namespace: 'ABC:busy', body: 'Hi {{1}}', attachmentType: 'none' }));
    const now = Date.now();
    await ctx.db.kysely
      .insertInto('campaigns')
      .values({
        id: `c-${now}`, project_id: project.projectId, name: 'Spring sale', provider_id: account.id, template_id: template.id,
        audience: '{"all":true}', params: '[]', media_url: null, send_at: null, rate_per_second: null, dnd: null, cutoff_at: null,
        conversion_event: null, state: 'running', state_reason: null, cloned_from: null, created_at: now, updated_at: now,
        published_at: now, started_at: now, completed_at: null,
      })
      .execute();
    const response = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/providers/${account.id}`, headers: project.headers });
    expect(response.statusCode).toBe(409);
    expect(json(response).error).toMatchObject({ code: 'provider_in_use', message: expect.stringContaining('"Spring sale" (running)') });
    const templateEdit = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/templates/${template.id}`, headers: project.headers, payload: { body: 'Hello {{1}}' } });
    expect(templateEdit.statusCode).toBe(409);
    expect(json(templateEdit).error.code).toBe('template_in_use');
  });

  it('never writes a credential to the logs, even at trace level', async () => {
    const traced = await openTestContext(engine, { logLevel: 'trace' });
    try {
      const other = await traced.createProject();
      const send = (payload: object) => traced.app.inject({ method: 'POST', url: '/api/v1/providers', headers: other.headers, payload });
      const created = await send(nexmoProviderInput({ nickname: 'logged?' }));
      expect(created.statusCode).toBe(201);
      const callbackPath = new URL(json(created).deliveryCallbackUrl).pathname;
      await traced.app.inject({ method: 'POST', url: `${callbackPath}?to=+919876543210`, payload: {} });
      const token = callbackPath.split('/')[3]!;
      expect((await send(gupshupProviderInput({ credentials: { ...gupshupProviderInput().credentials, notificationUserId: 'x' } }))).statusCode).toBe(422);
      const logs = traced.logs.join('\n');
      expect(logs).toContain('/api/v1/providers');
      expect(logs).toContain('/hooks/nexmo/[token]/status');
      for (const secret of ['notif-secret-9876', 'twoway-secret-5432', 'vonage-secret-4321', 'sig-secret-abcdefgh', 'BEGIN PRIVATE KEY', other.passcode, token, '9876543210']) {
        expect(logs).not.toContain(secret);
      }
    } finally {
      await traced.close();
    }
  });

  it('hides one project\'s accounts from another (404)', async () => {
    const account = json(await post('/api/v1/providers', gupshupProviderInput({ nickname: 'private' })));
    const intruder = await ctx.createProject('intruder');
    for (const [method, url] of [
      ['GET', `/api/v1/providers/${account.id}`],
      ['PATCH', `/api/v1/providers/${account.id}`],
      ['DELETE', `/api/v1/providers/${account.id}`],
      ['POST', `/api/v1/providers/${account.id}/rotate-callback-token`],
    ] as const) {
      const response = await ctx.app.inject({ method, url, headers: intruder.headers, payload: method === 'PATCH' ? { nickname: 'mine' } : method === 'POST' ? {} : undefined });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    const list = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: intruder.headers }));
    expect(list.items).toEqual([]);
  });
});
