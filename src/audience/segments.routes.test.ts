import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../test/helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../../test/helpers/context.js';
import { gupshupProviderInput } from '../../test/helpers/fixtures.js';
import { estimateAudience, resolveAudience } from './audience.service.js';
import type { SegmentFilter } from './segment-filter.js';

const DAY = 86_400;

describe.each(testEngines())('segments ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let other: TestProject;
  const nowS = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject('A');
    other = await ctx.createProject('B');
    const profile = (identity: string, profileData: Record<string, unknown>) => ({ identity, type: 'profile', profileData });
    const event = (identity: string, evtName: string, daysAgo: number, evtData: Record<string, unknown> = {}) => ({ identity, type: 'event', evtName, evtData, ts: nowS - daysAgo * DAY });
    const d = [
      profile('p1', { Name: 'Alice Smith', City: 'Mumbai', Age: 30, Score: 10.5, Plan: 'gold', Tags: ['vip', 'early'], Signup: '$D_1705320000', VIP: true, Zip: '400001', Phone: '+14155550001', 'MSG-whatsapp': true }),
      profile('p2', { Name: 'Bob', City: 'Delhi', Age: 45, Score: 3, Plan: 'silver', Tags: ['new'], Signup: '$D_1709294400', VIP: false, Zip: 400002, Phone: '+14155550002', 'MSG-whatsapp': true, 'MSG-dndWhatsApp': true }),
      profile('p3', { Name: 'Carol Mumbaikar', City: 'mumbai', Score: '7', Plan: 'Gold', Signup: `$D_${nowS - 2 * DAY}`, Phone: '+14155550003' }),
      profile('p4', { Name: 'Dan' }),
      event('p1', 'Charged', 1, { Amount: 300, Currency: 'USD' }),
      event('p1', 'Charged', 40, { Amount: 50, Currency: 'INR' }),
      event('p2', 'Charged', 5, { Amount: 150, Currency: 'INR' }),
      event('p2', 'Sign Up', 100),
      event('p3', 'SignUp', 3),
    ];
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d } });
    expect(json(response)).toEqual({ status: 'success', processed: d.length, unprocessed: [] });
    // Same identities in another project must never leak into A's segments.
    await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: other.headers, payload: { d } });
  });
  afterAll(() => ctx?.close());

  async function matching(filter: SegmentFilter): Promise<string[]> {
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/segments', headers: project.headers, payload: { name: 'probe', filter } });
    expect(created.statusCode, created.body).toBe(201);
    const id = json(created).id as string;
    const identities: string[] = [];
    for await (const batch of resolveAudience(ctx.db, project.projectId, { segmentId: id }, { batchSize: 2 })) identities.push(...batch.map((p) => p.identity));
    const estimate = json(await ctx.app.inject({ method: 'POST', url: `/api/v1/segments/${id}/estimate`, headers: project.headers }));
    expect(estimate.total).toBe(identities.length);
    const adHoc = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/segments/estimate', headers: project.headers, payload: filter }));
    expect(adHoc).toEqual(estimate);
    return identities.sort();
  }

  const prop = (name: string, op: string, extra: Record<string, unknown> = {}) => ({ type: 'property', name, op, ...extra }) as SegmentFilter;

  it.each<[string, SegmentFilter, string[]]>([
    ['eq string (case-sensitive)', prop('City', 'eq', { value: 'Mumbai' }), ['p1']],
    ['eq string vs stored string', prop('Zip', 'eq', { value: '400001' }), ['p1']],
    ['eq number vs stored number', prop('Zip', 'eq', { value: 400002 }), ['p2']],
    ['eq "400002" matches the stored number', prop('Zip', 'eq', { value: '400002' }), ['p2']],
    ['eq 7 matches the stored string "7"', prop('Score', 'eq', { value: 7 }), ['p3']],
    ['eq true', prop('VIP', 'eq', { value: true }), ['p1']],
    ['eq false', prop('VIP', 'eq', { value: false }), ['p2']],
    ['ne includes missing', prop('City', 'ne', { value: 'Mumbai' }), ['p2', 'p3', 'p4']],
    ['in', prop('City', 'in', { value: ['Mumbai', 'Delhi'] }), ['p1', 'p2']],
    ['notIn includes missing', prop('City', 'notIn', { value: ['Mumbai'] }), ['p2', 'p3', 'p4']],
    ['contains substring, ASCII case ignored', prop('Name', 'contains', { value: 'MUMBAI' }), ['p3']],
    ['contains on a multi-value item', prop('Tags', 'contains', { value: 'VIP' }), ['p1']],
    ['contains matches a substring of strings only, whole items of lists', prop('City', 'contains', { value: 'umb' }), ['p1', 'p3']],
    ['notContains', prop('Tags', 'notContains', { value: 'vip' }), ['p2', 'p3', 'p4']],
    ['exists', prop('Age', 'exists'), ['p1', 'p2']],
    ['notExists', prop('Age', 'notExists'), ['p3', 'p4']],
    ['gt number (strings are not numbers)', prop('Score', 'gt', { value: 5 }), ['p1']],
    ['gte', prop('Age', 'gte', { value: 45 }), ['p2']],
    ['lt', prop('Age', 'lt', { value: 45 }), ['p1']],
    ['lte', prop('Age', 'lte', { value: 45 }), ['p1', 'p2']],
    ['between numbers', prop('Age', 'between', { from: 30, to: 40 }), ['p1']],
    ['MSG flag by any spelling', prop('msg-WHATSAPP', 'eq', { value: true }), ['p1', 'p2']],
    ['gt a date-only bound starts the next day', prop('Signup', 'gt', { value: '2024-01-15' }), ['p2', 'p3']],
    ['gte a date', prop('Signup', 'gte', { value: '2024-01-15' }), ['p1', 'p2', 'p3']],
    ['lt a date', prop('Signup', 'lt', { value: '2024-03-01' }), ['p1']],
    ['lte a date-only bound includes the day', prop('Signup', 'lte', { value: '2024-03-01' }), ['p1', 'p2']],
    ['between dates', prop('Signup', 'between', { from: '2024-01-01', to: '2024-02-01' }), ['p1']],
    ['between ISO date-times with offsets', prop('Signup', 'between', { from: '2024-01-15T17:29:00+05:30', to: '2024-01-15T12:01:00Z' }), ['p1']],
    ['a $D_ bound', prop('Signup', 'lt', { value: '$D_1705320001' }), ['p1']],
    ['inLastDays', prop('Signup', 'inLastDays', { value: 7 }), ['p3']],
    ['dates never compare with numbers', prop('Signup', 'gt', { value: 0 }), []],
  ])('property %s', async (_name, filter, expected) => {
    expect(await matching(filter)).toEqual(expected);
  });

  it('contains ignores the case of letters other than ASCII ones too', async () => {
    const third = await ctx.createProject();
    const d = [
      { identity: 'u1', type: 'profile', profileData: { City: 'Москва', Tags: ['Постоянный', 'vip'] } },
      { identity: 'u2', type: 'profile', profileData: { City: 'Санкт-Петербург', Tags: ['НОВЫЙ'] } },
      { identity: 'u3', type: 'profile', profileData: { City: 'Zürich', Tags: ['Élite'] } },
    ];
    expect(json(await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: third.headers, payload: { d } })).status).toBe('success');
    const total = async (filter: SegmentFilter) => json(await ctx.app.inject({ method: 'POST', url: '/api/v1/segments/estimate', headers: third.headers, payload: filter })).total;
    expect(await total(prop('City', 'contains', { value: 'москва' }))).toBe(1);
    expect(await total(prop('City', 'contains', { value: 'ПЕТЕРБУРГ' }))).toBe(1);
    expect(await total(prop('City', 'contains', { value: 'петербург' }))).toBe(1);
    expect(await total(prop('City', 'contains', { value: 'ZÜRICH' }))).toBe(1);
    expect(await total(prop('Tags', 'contains', { value: 'постоянный' }))).toBe(1);
    expect(await total(prop('Tags', 'contains', { value: 'новый' }))).toBe(1);
    expect(await total(prop('Tags', 'contains', { value: 'élite' }))).toBe(1);
    expect(await total(prop('City', 'notContains', { value: 'москва' }))).toBe(2);
  });

  const ev = (name: string, extra: Record<string, unknown> = {}) => ({ type: 'event', name, ...extra }) as SegmentFilter;

  it.each<[string, SegmentFilter, string[]]>([
    ['did', ev('Charged'), ['p1', 'p2']],
    ['did not', ev('Charged', { did: false }), ['p3', 'p4']],
    ['names ignore case and spaces', ev('sign up'), ['p2', 'p3']],
    ['within the last N days', ev('Charged', { within: { lastDays: 3 } }), ['p1']],
    ['within a date range', ev('Charged', { within: { from: new Date((nowS - 45 * DAY) * 1000).toISOString(), to: new Date((nowS - 30 * DAY) * 1000).toISOString() } }), ['p1']],
    ['at least K times', ev('Charged', { atLeast: 2 }), ['p1']],
    ['at least K times within a window', ev('Charged', { atLeast: 2, within: { lastDays: 30 } }), []],
    ['did not at least K times = fewer than K', ev('Charged', { did: false, atLeast: 2 }), ['p2', 'p3', 'p4']],
    ['with a property filter', ev('Charged', { where: [{ name: 'Amount', op: 'gte', value: 100 }] }), ['p1', 'p2']],
    ['with several property filters on the same event', ev('Charged', { where: [{ name: 'Amount', op: 'lt', value: 100 }, { name: 'Currency', op: 'eq', value: 'USD' }] }), []],
    ['with a property filter and a window', ev('Charged', { within: { lastDays: 30 }, where: [{ name: 'Currency', op: 'in', value: ['INR'] }] }), ['p2']],
  ])('event %s', async (_name, filter, expected) => {
    expect(await matching(filter)).toEqual(expected);
  });

  it('combines with nested and/or', async () => {
    expect(await matching({ type: 'and', filters: [prop('City', 'in', { value: ['Mumbai', 'mumbai'] }), ev('Charged', { within: { lastDays: 7 } })] })).toEqual(['p1']);
    expect(await matching({ type: 'or', filters: [prop('Plan', 'eq', { value: 'Gold' }), ev('Charged', { where: [{ name: 'Amount', op: 'eq', value: 150 }] })] })).toEqual(['p2', 'p3']);
    expect(
      await matching({
        type: 'or',
        filters: [
          { type: 'and', filters: [prop('Age', 'exists'), ev('Sign Up', { did: false })] },
          { type: 'and', filters: [prop('Age', 'notExists'), { type: 'or', filters: [ev('SignUp', { within: { lastDays: 10 } }), prop('Name', 'eq', { value: 'Dan' })] }] },
        ],
      }),
    ).toEqual(['p1', 'p3', 'p4']);
  });

  it('estimates reach with the reachability rule', async () => {
    // p1 reachable; p2 has MSG-dndWhatsApp; p3 not opted in; p4 no phone.
    const adHoc = await ctx.app.inject({ method: 'POST', url: '/api/v1/segments/estimate', headers: project.headers, payload: prop('Name', 'exists') });
    expect(json(adHoc)).toEqual({ total: 4, reachable: 1 });
    expect(await estimateAudience(ctx.db, project.projectId, { all: true })).toEqual({ total: 4, reachable: 1 });
    expect(await estimateAudience(ctx.db, project.projectId, { identities: ['p1', 'p2', 'p1', 'nobody'] })).toEqual({ total: 2, reachable: 1 });
  });

  it.each<[string, unknown, Array<{ path: string; message: RegExp }>]>([
    ['unknown type', { type: 'nope' }, [{ path: 'filter.type', message: /type must be "and", "or", "property" or "event"/ }]],
    ['unknown operator deep inside', { type: 'and', filters: [prop('A', 'exists'), { type: 'or', filters: [{ type: 'property', name: 'B', op: 'like', value: 'x' }] }] }, [{ path: 'filter.filters.1.filters.0.op', message: /op must be one of/ }]],
    ['missing value', { type: 'property', name: 'City', op: 'eq' }, [{ path: 'filter.value', message: /is required/ }]],
    ['bad property name', { type: 'property', name: 'a.b', op: 'exists' }, [{ path: 'filter.name', message: /contains "\."/ }]],
    ['not a date', { type: 'property', name: 'Signup', op: 'gt', value: 'yesterday' }, [{ path: 'filter.value', message: /expected a date: YYYY-MM-DD/ }]],
    ['reversed range', { type: 'property', name: 'Age', op: 'between', from: 9, to: 1 }, [{ path: 'filter.to', message: /must not be before from/ }]],
    ['mixed range', { type: 'property', name: 'Age', op: 'between', from: 1, to: '2024-01-01' }, [{ path: 'filter.to', message: /both be numbers or both be dates/ }]],
    ['bad window', { type: 'event', name: 'X', within: { lastDays: 0 } }, [{ path: 'filter.within.lastDays', message: /at least 1 day/ }]],
    ['bad event where', { type: 'event', name: 'X', where: [{ name: 'Amount', op: 'gt' }] }, [{ path: 'filter.where.0.value', message: /is required/ }]],
    ['bad atLeast', { type: 'event', name: 'X', atLeast: 1.5 }, [{ path: 'filter.atLeast', message: /whole number/ }]],
    ['empty group', { type: 'and', filters: [] }, [{ path: 'filter.filters', message: /at least one filter/ }]],
    ['unknown field', { type: 'property', name: 'A', op: 'exists', value: 1 }, [{ path: 'filter', message: /unknown field\(s\): value/ }]],
  ])('refuses an invalid filter (%s) with a 422 naming the part', async (_name, filter, problems) => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/segments', headers: project.headers, payload: { name: 'bad', filter } });
    expect(response.statusCode).toBe(422);
    const body = json(response);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details).toEqual(problems.map((problem) => ({ path: problem.path, message: expect.stringMatching(problem.message) })));
    expect(body.error.message).toContain(problems[0]!.path);
  });

  it('refuses a NUL character in filter text with a 422 naming the part, on either engine', async () => {
    // PostgreSQL cannot compare text holding a NUL: these were 500s.
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/segments/estimate',
      headers: project.headers,
      payload: {
        type: 'or',
        filters: [
          { type: 'property', name: 'City', op: 'eq', value: 'Mum\u0000bai' },
          { type: 'property', name: 'City', op: 'in', value: ['ok', 'b\u0000'] },
          { type: 'property', name: 'Ci\u0000ty', op: 'exists' },
          { type: 'property', name: 'City', op: 'contains', value: 'half \ud800' },
          { type: 'event', name: 'Char\u0000ged' },
        ],
      },
    });
    expect(response.statusCode).toBe(422);
    const nul = 'contains the NUL character (U+0000), which text may not hold';
    expect(json(response).error.details).toEqual([
      { path: 'filters.0.value', message: nul },
      { path: 'filters.1.value.1', message: nul },
      { path: 'filters.2.name', message: `property name ${nul}` },
      { path: 'filters.3.value', message: 'contains half of a UTF-16 surrogate pair (not a Unicode character)' },
      { path: 'filters.4.name', message: nul },
    ]);
  });

  it('refuses a segment name with a NUL character with a 422 (it was a server error on PostgreSQL)', async () => {
    const filter = { type: 'property', name: 'City', op: 'exists' };
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/segments', headers: project.headers, payload: { name: 'Bad\u0000name', filter } });
    expect(created.statusCode).toBe(422);
    expect(json(created).error.details).toEqual([{ path: 'name', message: 'contains the NUL character (U+0000), which text may not hold' }]);
    const ok = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/segments', headers: project.headers, payload: { name: 'Fine', filter } }));
    const renamed = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/segments/${ok.id}`, headers: project.headers, payload: { name: 'Bad\u0000name' } });
    expect(renamed.statusCode).toBe(422);
  });

  it('counts a list of identities holding one with a NUL character (it was a server error on PostgreSQL)', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/audience/estimate', headers: project.headers, payload: { audience: { identities: ['p1', 'p\u00002'] } } });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ total: 1, reachable: 1 });
    const resolved: string[] = [];
    for await (const batch of resolveAudience(ctx.db, project.projectId, { identities: ['p\u00001', 'p1'] })) resolved.push(...batch.map((p) => p.identity));
    expect(resolved).toEqual(['p1']);
  });

  it('names the path from the body root in an ad-hoc estimate', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/segments/estimate', headers: project.headers, payload: { type: 'and', filters: [{ type: 'property', name: 'A', op: 'gt', value: true }] } });
    expect(response.statusCode).toBe(422);
    expect(json(response).error.details).toEqual([{ path: 'filters.0.value', message: expect.stringMatching(/expected a number, or a date/) }]);
  });

  it('creates, lists, reads, updates and deletes segments, scoped to the project', async () => {
    const filter = prop('City', 'eq', { value: 'Mumbai' });
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/segments', headers: other.headers, payload: { name: '  Mumbai ', filter } });
    expect(created.statusCode).toBe(201);
    const segment = json(created);
    expect(segment).toMatchObject({ name: 'Mumbai', filter });
    const second = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/segments', headers: other.headers, payload: { name: 'Second', filter } }));

    const page1 = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/segments?limit=1', headers: other.headers }));
    expect(page1.items.map((s: { id: string }) => s.id)).toEqual([second.id]);
    const page2 = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/segments?limit=1&cursor=${page1.nextCursor}`, headers: other.headers }));
    expect(page2).toEqual({ items: [segment], nextCursor: null });

    expect(json(await ctx.app.inject({ method: 'GET', url: `/api/v1/segments/${segment.id}`, headers: other.headers }))).toEqual(segment);
    const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/segments/${segment.id}`, headers: other.headers, payload: { filter: ev('Charged') } });
    expect(patched.statusCode).toBe(200);
    expect(json(patched)).toMatchObject({ id: segment.id, name: 'Mumbai', filter: ev('Charged') });
    expect(json(await ctx.app.inject({ method: 'POST', url: `/api/v1/segments/${segment.id}/estimate`, headers: other.headers }))).toEqual({ total: 2, reachable: 1 });
    const renamed = json(await ctx.app.inject({ method: 'PATCH', url: `/api/v1/segments/${segment.id}`, headers: other.headers, payload: { name: 'Buyers' } }));
    expect(renamed).toMatchObject({ name: 'Buyers', filter: ev('Charged') });
    expect((await ctx.app.inject({ method: 'PATCH', url: `/api/v1/segments/${segment.id}`, headers: other.headers, payload: {} })).statusCode).toBe(422);
    const badPatch = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/segments/${segment.id}`, headers: other.headers, payload: { filter: { type: 'or' } } });
    expect(json(badPatch).error.details).toEqual([{ path: 'filter.filters', message: 'is required' }]);

    // Project A sees none of B's segments: every id answers 404.
    for (const request of [
      { method: 'GET' as const, url: `/api/v1/segments/${segment.id}` },
      { method: 'PATCH' as const, url: `/api/v1/segments/${segment.id}`, payload: { name: 'stolen' } },
      { method: 'DELETE' as const, url: `/api/v1/segments/${segment.id}` },
      { method: 'POST' as const, url: `/api/v1/segments/${segment.id}/estimate` },
    ]) {
      const response = await ctx.app.inject({ ...request, headers: project.headers });
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(404);
      expect(json(response).error.code).toBe('not_found');
    }
    const listA = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/segments?limit=200', headers: project.headers }));
    expect(listA.items.some((s: { id: string }) => s.id === segment.id)).toBe(false);
    await expect(estimateAudience(ctx.db, project.projectId, { segmentId: segment.id })).rejects.toMatchObject({ status: 404 });
    await expect(resolveAudience(ctx.db, project.projectId, { segmentId: segment.id }).next()).rejects.toMatchObject({ status: 404 });

    const deleted = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/segments/${segment.id}`, headers: other.headers });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/segments/${segment.id}`, headers: other.headers })).statusCode).toBe(404);
  });

  it('refuses to delete a segment a campaign still sends to, and says which', async () => {
    const segment = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/segments', headers: other.headers, payload: { name: 'Used', filter: prop('City', 'eq', { value: 'Pune' }) } }));
    const providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: other.headers, payload: gupshupProviderInput() })).id;
    const templateId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: other.headers, payload: { providerId, namespace: 'ABC:pune', body: 'Hi', attachmentType: 'none' } })).id;
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: other.headers, payload: { name: 'Pune offers', providerId, templateId, audience: { segmentId: segment.id }, params: [] } });
    expect(created.statusCode).toBe(201);
    const campaign = json(created);

    const refused = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/segments/${segment.id}`, headers: other.headers });
    expect(refused.statusCode).toBe(409);
    expect(json(refused).error).toMatchObject({ code: 'segment_in_use', details: { campaigns: [campaign.id] } });
    expect(json(refused).error.message).toContain('"Pune offers" (draft)');
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/segments/${segment.id}`, headers: other.headers })).statusCode).toBe(200);

    // Stopped while its audience was being added, the campaign still reads the segment: the rest
    // of its audience is added, cancelled, so that targeted counts everyone.
    await ctx.db.kysely.updateTable('campaigns').set({ state: 'stopped', published_at: Date.now() }).where('id', '=', campaign.id).execute();
    const stillAdding = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/segments/${segment.id}`, headers: other.headers });
    expect(stillAdding.statusCode).toBe(409);
    expect(json(stillAdding).error.message).toMatch(/^This segment cannot be deleted yet: "Pune offers" \(stopped\) ended while its audience was being added.*Try again in a moment\.$/);

    // Once the campaign no longer needs it (here: its recipients are materialised), it can go.
    await ctx.db.kysely.updateTable('campaigns').set({ materialized_at: Date.now() }).where('id', '=', campaign.id).execute();
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/segments/${segment.id}`, headers: other.headers })).statusCode).toBe(204);
  });

  it('documents the filter language in the OpenAPI document', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    for (const path of ['/api/v1/segments', '/api/v1/segments/{id}', '/api/v1/segments/{id}/estimate', '/api/v1/segments/estimate', '/api/v1/upload', '/1/upload', '/api/v1/subscribe', '/api/v1/profiles', '/api/v1/profiles/{identity}', '/api/v1/imports', '/api/v1/imports/{id}']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const text = JSON.stringify(doc);
    for (const ref of new Set(text.match(/"#\/components\/schemas\/[^"]+"/g) ?? [])) {
      const name = JSON.parse(ref).split('/').pop();
      expect(doc.components.schemas[name], `dangling ${ref}`).toBeDefined();
    }
    expect(JSON.stringify(doc.paths['/api/v1/segments'].post.requestBody)).toContain('#/components/schemas/SegmentFilter');
    expect(JSON.stringify(doc.components.schemas)).toContain('inLastDays');
  });
});
