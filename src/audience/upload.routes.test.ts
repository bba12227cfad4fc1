import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../test/helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../../test/helpers/context.js';

describe.each(testEngines())('upload API ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let other: TestProject;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject('A');
    other = await ctx.createProject('B');
  });
  afterAll(() => ctx?.close());

  async function upload(d: unknown[], as: TestProject = project, url = '/api/v1/upload') {
    const response = await ctx.app.inject({ method: 'POST', url, headers: as.headers, payload: { d } });
    return { status: response.statusCode, body: json(response) };
  }

  async function profile(identity: string, as: TestProject = project) {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/profiles/${encodeURIComponent(identity)}`, headers: as.headers });
    return { status: response.statusCode, body: json(response) };
  }

  const setProfile = (identity: string, profileData: Record<string, unknown>) => ({ identity, type: 'profile', profileData });

  it('creates a profile, normalises the phone and stores flags and dates', async () => {
    const result = await upload([
      setProfile('u1', {
        Name: 'Jack Montana',
        Email: 'jack@gmail.com',
        Phone: '+1 415-555-2671',
        Gender: 'male',
        DOB: '$D_1487576752',
        'MSG-whatsapp': true,
        'MSG-DNDwhatsapp': false,
        'Customer Type': 'Platinum',
        Score: 10,
        Tags: ['shoes', 'bags', 'shoes'],
      }),
    ]);
    expect(result).toEqual({ status: 200, body: { status: 'success', processed: 1, unprocessed: [] } });
    const { body } = await profile('u1');
    expect(body.identity).toBe('u1');
    expect(body.phone).toBe('+14155552671');
    expect(body.properties).toEqual({
      Name: 'Jack Montana',
      Email: 'jack@gmail.com',
      Phone: '+14155552671',
      Gender: 'M',
      DOB: '2017-02-20T07:45:52.000Z',
      'MSG-whatsapp': true,
      'MSG-dndWhatsApp': false,
      'Customer Type': 'Platinum',
      Score: 10,
      Tags: ['shoes', 'bags'],
    });
    expect(body.whatsappReachable).toBe(true);
    expect(body.reachability).toMatchObject({ reachable: true, reason: null, msgWhatsapp: true, dndWhatsapp: false, phoneDnd: null });
  });

  it('accepts digits with the country code and numbers as identity', async () => {
    expect((await upload([{ identity: 42, type: 'profile', profileData: { Phone: '919876543210' } }])).body.status).toBe('success');
    expect((await profile('42')).body.phone).toBe('+919876543210');
  });

  it('applies $add, $remove, $incr, $decr, $delete and null in record order', async () => {
    await upload([setProfile('ops', { Name: 'Ops', Gender: 'F', Tags: ['a'], Count: 5, Old: 'x' })]);
    const result = await upload([
      setProfile('ops', { Tags: { $add: ['b', 'c', 'a'] }, Count: { $incr: 10 }, Balance: { $decr: 2.5 } }),
      setProfile('ops', { Tags: { $remove: 'b' }, Count: { $decr: 3 }, Name: { $delete: 1 }, Old: null, Single: { $add: 'one' } }),
      setProfile('ops', { Gender: { $delete: true } }),
    ]);
    expect(result.body).toEqual({ status: 'success', processed: 3, unprocessed: [] });
    expect((await profile('ops')).body.properties).toEqual({ Tags: ['a', 'c'], Count: 12, Balance: -2.5, Single: ['one'] });
  });

  it('keeps the newest 100 items of a multi-value property on $add (FIFO)', async () => {
    const first = Array.from({ length: 100 }, (_, i) => `i${i}`);
    await upload([setProfile('fifo', { Items: first })]);
    await upload([setProfile('fifo', { Items: { $add: ['new1', 'new2'] } })]);
    const items = (await profile('fifo')).body.properties.Items as string[];
    expect(items).toHaveLength(100);
    expect(items[0]).toBe('i2');
    expect(items.slice(-2)).toEqual(['new1', 'new2']);
  });

  it('stores events, creating unknown profiles, with ts in seconds', async () => {
    const result = await upload([
      { identity: 'ev1', type: 'event', evtName: 'Charged', ts: 1468208340, evtData: { Amount: 300, 'Delivery By': '$D_1468322268', Items: [{ Category: 'books', Quantity: 1 }] } },
      { objectId: 'ev1', type: 'event', evtName: 'Sign Up' },
    ]);
    expect(result.body).toEqual({ status: 'success', processed: 2, unprocessed: [] });
    const { body } = await profile('ev1');
    expect(body.properties).toEqual({});
    expect(body.whatsappReachable).toBe(false);
    expect(body.reachability.reason).toBe('not_opted_in');
    expect(body.events).toHaveLength(2);
    const charged = body.events.find((event: { name: string }) => event.name === 'Charged');
    expect(charged).toMatchObject({ ts: 1468208340000, properties: { Amount: 300, 'Delivery By': '2016-07-12T11:17:48.000Z', Items: [{ Category: 'books', Quantity: 1 }] } });
    const signUp = body.events.find((event: { name: string }) => event.name === 'Sign Up');
    expect(Math.abs(signUp.ts - Date.now())).toBeLessThan(60_000);
  });

  it('answers every documented code for bad records and stores the good ones (partial)', async () => {
    const bigEvent = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`p${i}`, i]));
    const manyKeys = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`k${i}`, i]));
    const d = [
      setProfile('good1', { Name: 'Good' }), // 0
      { identity: 'x', type: 'event' }, // 1: 509
      { identity: 'x', type: 'event', evtName: 'Buy', evtData: [1] }, // 2: 512
      { identity: 'x', type: 'event', evtName: 'notification  REPLIED' }, // 3: 513
      setProfile('x', { Gender: 'robot' }), // 4: 514
      setProfile('x', { Email: 'not-an-email' }), // 5: 515
      setProfile('x', { Phone: '+91 55555 55555' }), // 6: 516
      setProfile('x', { Employed: 'maybe' }), // 7: 517
      setProfile('x', { Education: 'PhD' }), // 8: 518
      setProfile('x', { Married: 'perhaps' }), // 9: 519
      setProfile('x', { Age: 200 }), // 10: 520
      { identity: 'x', type: 'event', evtName: 'Big', evtData: bigEvent }, // 11: 522
      { type: 'profile', profileData: { Name: 'nobody' } }, // 12: 523
      { identity: 'x', type: 'token' }, // 13: 524
      { identity: 'x', type: 'event', evtName: 'Buy', ts: 1468208340000 }, // 14: 525
      { objectId: 17, type: 'profile', profileData: {} }, // 15: 526
      setProfile('x', { ['k'.repeat(121)]: 1 }), // 16: 555 key length
      setProfile('x', { 'a.b': 1 }), // 17: 555 prohibited character
      setProfile('x', { Bio: 'x'.repeat(513) }), // 18: 555 value length
      setProfile('x', manyKeys), // 19: 555 custom keys
      setProfile('x', { Tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }), // 20: 555 multi-value
      setProfile('x', { Score: { $multiply: 2 } }), // 21: 555 unknown operator
      { identity: 'x', type: 'event', evtName: 'Buy', evtData: { 'a#b': 1 } }, // 22: 512 event key
      'not an object', // 23: 524
      { identity: 'x', type: 'event', evtName: 'Buy', ts: 'yesterday' }, // 24: 525
      { identity: 'good2', type: 'event', evtName: 'Viewed' }, // 25
      { identity: 'x', type: 'event', evtName: 'Page.Viewed' }, // 26: 512 prohibited character
      { identity: 'x', type: 'event', evtName: 'E'.repeat(513) }, // 27: 512 too long
      { identity: 'x', type: 'event', evtName: 42 }, // 28: 512 not a string
      { identity: 'x', type: 'event', evtName: 'Buy', evtData: { When: '$D_yesterday' } }, // 29: 512 bad date
      { identity: 'good2', type: 'event', evtName: 'A fairly long event name '.repeat(8) }, // 30: 200 characters is fine
    ];
    const result = await upload(d);
    expect(result.status).toBe(200);
    expect(result.body.status).toBe('partial');
    expect(result.body.processed).toBe(3);
    const codes = result.body.unprocessed.map((entry: { index: number; code: number }) => [entry.index, entry.code]);
    expect(codes).toEqual([
      [1, 509], [2, 512], [3, 513], [4, 514], [5, 515], [6, 516], [7, 517], [8, 518], [9, 519], [10, 520], [11, 522],
      [12, 523], [13, 524], [14, 525], [15, 526], [16, 555], [17, 555], [18, 555], [19, 555], [20, 555], [21, 555],
      [22, 512], [23, 524], [24, 525], [26, 512], [27, 512], [28, 512], [29, 512],
    ]);
    for (const entry of result.body.unprocessed) {
      expect(entry.status).toBe('fail');
      expect(entry.error.length).toBeGreaterThan(5);
      expect(entry.record).toEqual(d[entry.index]);
    }
    const byIndex = new Map(result.body.unprocessed.map((entry: { index: number; error: string }) => [entry.index, entry.error]));
    expect(byIndex.get(6)).toBe('Phone "+91 55555 55555" is not a valid number for IN (+91); write it with its country code, e.g. +14155551234 or +91 98765 43210');
    expect(byIndex.get(14)).toMatch(/milliseconds/);
    expect(byIndex.get(17)).toMatch(/contains "\."/);
    expect(byIndex.get(19)).toMatch(/257 custom properties; a profile has at most 256/);
    expect((await profile('good1')).status).toBe(200);
    expect((await profile('good2')).body.events).toHaveLength(2);
    expect((await profile('x')).status).toBe(404);
  });

  it('refuses text with a NUL character or half a surrogate pair record by record, storing the rest of the call', async () => {
    // PostgreSQL cannot store either in text or JSON: one such value once failed the whole call with a 500.
    const d = [
      setProfile('text-ok', { Name: 'Fine' }), // 0
      setProfile('text-x', { Name: 'a\u0000b' }), // 1: 555 value
      setProfile('text-x', { 'Na\u0000me': 'x' }), // 2: 555 key
      setProfile('text-x', { Tags: ['ok', 'b\u0000'] }), // 3: 555 multi-value item
      setProfile('text-x', { Name: 'half \ud800 pair' }), // 4: 555 lone surrogate
      setProfile('text\u0000x', { Name: 'x' }), // 5: 523 identity
      { objectId: 'o\u0000', type: 'profile', profileData: {} }, // 6: 526 objectId
      { identity: 'text-x', type: 'event', evtName: 'Bu\u0000y' }, // 7: 512 event name
      { identity: 'text-x', type: 'event', evtName: 'Buy', evtData: { Note: 'a\u0000' } }, // 8: 512 event value
      { identity: 'text-ok', type: 'event', evtName: 'Buy', evtData: { Note: 'emoji 😀 is fine' } }, // 9
    ];
    const result = await upload(d);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ status: 'partial', processed: 2 });
    expect(result.body.unprocessed.map((entry: { index: number; code: number; error: string }) => [entry.index, entry.code, entry.error])).toEqual([
      [1, 555, 'Name: the value contains the NUL character (U+0000), which text may not hold'],
      [2, 555, 'key "Na\\u0000me" contains the NUL character (U+0000), which text may not hold'],
      [3, 555, 'Tags: an item contains the NUL character (U+0000), which text may not hold'],
      [4, 555, 'Name: the value contains half of a UTF-16 surrogate pair (not a Unicode character)'],
      [5, 523, 'identity contains the NUL character (U+0000), which text may not hold'],
      [6, 526, 'objectId contains the NUL character (U+0000), which text may not hold'],
      [7, 512, 'evtName contains the NUL character (U+0000), which text may not hold'],
      [8, 512, 'evtData Note: the value contains the NUL character (U+0000), which text may not hold'],
    ]);
    expect((await profile('text-ok')).body).toMatchObject({ properties: { Name: 'Fine' }, events: [{ name: 'Buy', properties: { Note: 'emoji 😀 is fine' } }] });
    expect((await profile('text-x')).status).toBe(404);
  });

  it('refuses a profile change that fails against stored data, keeping the rest of the call', async () => {
    await upload([setProfile('applied', { Level: 'gold' })]);
    const result = await upload([
      setProfile('applied', { Level: { $incr: 1 } }),
      setProfile('applied', { Points: { $incr: 3 } }),
    ]);
    expect(result.body.status).toBe('partial');
    expect(result.body.unprocessed).toEqual([
      expect.objectContaining({ index: 0, code: 555, error: expect.stringMatching(/\$incr needs a number property/) }),
    ]);
    expect((await profile('applied')).body.properties).toEqual({ Level: 'gold', Points: 3 });
  });

  it('answers fail when no record is stored', async () => {
    const result = await upload([{ type: 'profile' }, { identity: 'y', type: 'event' }]);
    expect(result.body).toMatchObject({ status: 'fail', processed: 0 });
    expect(result.body.unprocessed).toHaveLength(2);
  });

  it('limits a call to 1000 records with a 413 naming the limit', async () => {
    const d = Array.from({ length: 1001 }, (_, i) => setProfile(`n${i}`, { Name: 'x' }));
    const result = await upload(d);
    expect(result.status).toBe(413);
    expect(result.body.error.code).toBe('payload_too_large');
    expect(result.body.error.message).toMatch(/At most 1000 records per call; this one has 1001/);
  });

  it('accepts 1000 full records in one call (body above the 1 MiB default)', async () => {
    const d = Array.from({ length: 1000 }, (_, i) =>
      setProfile(`bulk${i}`, { Name: `Person ${i}`, Phone: `+9198${String(10_000_000 + i)}`, 'MSG-whatsapp': true, Bio: 'b'.repeat(500), About: 'a'.repeat(500), Tags: ['a', 'b', 'c'] }),
    );
    const body = JSON.stringify({ d });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: { ...project.headers, 'content-type': 'application/json' }, payload: body });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ status: 'success', processed: 1000, unprocessed: [] });
    expect((await profile('bulk999')).body.phone).toBe('+919810000999');
  });

  it('applies a profile update only once when re-sent and leaves unchanged profiles untouched', async () => {
    await upload([setProfile('same', { Name: 'Same' })]);
    const before = (await profile('same')).body.updatedAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await upload([setProfile('same', { Name: 'Same' })]);
    expect((await profile('same')).body.updatedAt).toBe(before);
  });

  it('serves the /1/upload alias with the CleverTap headers', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/1/upload',
      headers: { 'x-clevertap-account-id': project.accountId, 'x-clevertap-passcode': project.passcode },
      payload: { d: [setProfile('alias', { Name: 'Alias' })] },
    });
    expect(response.statusCode).toBe(200);
    expect(json(response).status).toBe('success');
    expect((await profile('alias')).body.properties.Name).toBe('Alias');
    const wrong = await ctx.app.inject({
      method: 'POST',
      url: '/1/upload',
      headers: { 'x-clevertap-account-id': project.accountId, 'x-clevertap-passcode': 'wrong' },
      payload: { d: [setProfile('alias', { Name: 'Nope' })] },
    });
    expect(wrong.statusCode).toBe(401);
    const none = await ctx.app.inject({ method: 'POST', url: '/1/upload', payload: { d: [setProfile('alias', { Name: 'Nope' })] } });
    expect(none.statusCode).toBe(401);
  });

  it('validates the envelope with a 422', async () => {
    const missing = await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { data: [] } });
    expect(missing.statusCode).toBe(422);
    expect(json(missing).error.details).toEqual([{ path: 'd', message: 'is required' }]);
    const empty = await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d: [] } });
    expect(empty.statusCode).toBe(422);
    expect(json(empty).error.details).toEqual([{ path: 'd', message: 'must hold at least one record' }]);
  });

  it('keeps projects apart', async () => {
    await upload([setProfile('shared-id', { Name: 'In A' })], project);
    await upload([setProfile('shared-id', { Name: 'In B' })], other);
    expect((await profile('shared-id', project)).body.properties.Name).toBe('In A');
    expect((await profile('shared-id', other)).body.properties.Name).toBe('In B');
    expect((await profile('u1', other)).status).toBe(404);
  });
});
