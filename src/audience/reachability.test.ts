import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testEngines } from '../../test/helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../../test/helpers/context.js';
import { reachability, reachableSql, unreachableReasonSql, type UnreachableReason } from './reachability.js';
import { resolveAudience, type AudienceProfile } from './audience.service.js';
import { hasPhoneDnd, setPhoneDnd, storePhoneDnd } from './subscribe.service.js';

type Flag = boolean | null;
const FLAGS: Flag[] = [true, false, null];

/** The rule written out by hand, independently of the implementation. */
function expectedReason(msg: Flag, dnd: Flag, hasPhone: boolean, phoneDnd: boolean): UnreachableReason | null {
  if (msg !== true) return 'not_opted_in';
  if (dnd === true) return 'dnd';
  if (!hasPhone) return 'no_phone';
  if (phoneDnd) return 'phone_dnd';
  return null;
}

describe('reachability (rule)', () => {
  it('is reachable only with MSG-whatsapp true, MSG-dndWhatsApp not true, a phone and no phone DND', () => {
    let reachable = 0;
    for (const msgWhatsapp of FLAGS) {
      for (const dndWhatsapp of FLAGS) {
        for (const phone of ['+14155552671', null]) {
          for (const phoneDnd of [false, true]) {
            const verdict = reachability({ msgWhatsapp, dndWhatsapp, phone, phoneDnd });
            expect(verdict.reason).toBe(expectedReason(msgWhatsapp, dndWhatsapp, phone !== null, phoneDnd));
            expect(verdict.reachable).toBe(verdict.reason === null);
            if (verdict.reachable) reachable++;
          }
        }
      }
    }
    // Exactly two of the 36 combinations: MSG-whatsapp true, DND false or unset, phone, no phone DND.
    expect(reachable).toBe(2);
  });
});

describe.each(testEngines())('reachability truth table ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  const cases: Array<{ identity: string; msg: Flag; dnd: Flag; phone: string | null; phoneDnd: boolean; resubscribed: boolean }> = [];

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    let n = 0;
    const records: unknown[] = [];
    for (const msg of FLAGS) {
      for (const dnd of FLAGS) {
        for (const phoneKind of ['clean', 'blocked', 'resubscribed', 'none'] as const) {
          n++;
          const phone = phoneKind === 'none' ? null : `+1415555${String(1000 + n)}`;
          const identity = `case-${n}`;
          cases.push({ identity, msg, dnd, phone, phoneDnd: phoneKind === 'blocked', resubscribed: phoneKind === 'resubscribed' });
          const profileData: Record<string, unknown> = { Case: identity };
          if (phone) profileData.Phone = phone;
          if (msg !== null) profileData['MSG-whatsapp'] = msg;
          if (dnd !== null) profileData['MSG-dndWhatsApp'] = dnd;
          records.push({ identity, type: 'profile', profileData });
        }
      }
    }
    const uploaded = await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d: records } });
    expect(json(uploaded).status).toBe('success');
    const blocked = cases.filter((c) => c.phoneDnd).map((c) => ({ type: 'whatsapp', value: c.phone, status: 'Unsubscribe' }));
    const resubscribed = cases.filter((c) => c.resubscribed);
    const sub = await ctx.app.inject({ method: 'POST', url: '/api/v1/subscribe', headers: project.headers, payload: { d: blocked } });
    expect(json(sub)).toEqual({ status: 'success', processed: blocked.length, unprocessed: [] });
    // Unsubscribe then resubscribe: a phone_dnd row with dnd = 0 must not block.
    for (const c of resubscribed) {
      await setPhoneDnd(ctx.db, project.projectId, c.phone!, true, 'keyword');
      await setPhoneDnd(ctx.db, project.projectId, c.phone!, false, 'keyword');
    }
  });
  afterAll(() => ctx?.close());

  it('agrees between the rule, the profile API, the SQL expressions and resolveAudience', async () => {
    const rows = await ctx.db.kysely
      .selectFrom('profiles')
      .select(['identity', sql<number>`case when ${reachableSql('profiles')} then 1 else 0 end`.as('reachable'), unreachableReasonSql('profiles').as('reason')])
      .where('project_id', '=', project.projectId)
      .execute();
    const sqlReason = new Map(rows.map((row) => [row.identity, row]));
    const resolved = new Map<string, AudienceProfile>();
    for await (const batch of resolveAudience(ctx.db, project.projectId, { all: true }, { batchSize: 7 })) for (const p of batch) resolved.set(p.identity, p);
    expect(resolved.size).toBe(cases.length);

    for (const c of cases) {
      const expected = expectedReason(c.msg, c.dnd, c.phone !== null, c.phoneDnd);
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/profiles/${c.identity}`, headers: project.headers });
      const body = json(response);
      expect({ case: c.identity, reachable: body.whatsappReachable, reason: body.reachability.reason }).toEqual({ case: c.identity, reachable: expected === null, reason: expected });
      expect(sqlReason.get(c.identity)).toEqual({ identity: c.identity, reachable: expected === null ? 1 : 0, reason: expected });
      const fromAudience = resolved.get(c.identity)!;
      expect(fromAudience).toMatchObject({ msgWhatsapp: c.msg, dndWhatsapp: c.dnd, phone: c.phone, phoneDnd: c.phoneDnd });
      expect(reachability(fromAudience).reason).toBe(expected);
    }
    const reachableOnly: string[] = [];
    for await (const batch of resolveAudience(ctx.db, project.projectId, { all: true }, { reachableOnly: true })) reachableOnly.push(...batch.map((p) => p.identity));
    expect(reachableOnly.sort()).toEqual(cases.filter((c) => expectedReason(c.msg, c.dnd, c.phone !== null, c.phoneDnd) === null).map((c) => c.identity).sort());
  });

  it('counts the same reach in the estimate', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/segments/estimate', headers: project.headers, payload: { type: 'property', name: 'Case', op: 'exists' } });
    const expectedReachable = cases.filter((c) => expectedReason(c.msg, c.dnd, c.phone !== null, c.phoneDnd) === null).length;
    expect(json(response)).toEqual({ total: cases.length, reachable: expectedReachable });
    expect(expectedReachable).toBe(4);
  });

  it('blocks every profile sharing an unsubscribed phone, and lifts it on resubscribe', async () => {
    const phone = '+919876543210';
    const d = ['share-a', 'share-b', 'share-c'].map((identity) => ({ identity, type: 'profile', profileData: { Phone: '+91 98765 43210', 'MSG-whatsapp': true, Shared: true } }));
    await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d } });
    const estimate = async () =>
      json(await ctx.app.inject({ method: 'POST', url: '/api/v1/segments/estimate', headers: project.headers, payload: { type: 'property', name: 'Shared', op: 'eq', value: true } }));
    expect(await estimate()).toEqual({ total: 3, reachable: 3 });

    const off = await ctx.app.inject({ method: 'POST', url: '/api/v1/subscribe', headers: project.headers, payload: { d: [{ type: 'whatsapp', value: '919876543210', status: 'Unsubscribe' }] } });
    expect(json(off).status).toBe('success');
    expect(await hasPhoneDnd(ctx.db, project.projectId, phone)).toBe(true);
    expect(await estimate()).toEqual({ total: 3, reachable: 0 });
    for (const identity of ['share-a', 'share-b', 'share-c']) {
      const body = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/profiles/${identity}`, headers: project.headers }));
      expect(body.whatsappReachable).toBe(false);
      expect(body.reachability).toMatchObject({ reason: 'phone_dnd', phoneDnd: { dnd: true, source: 'subscribe_api' } });
    }

    const on = await ctx.app.inject({ method: 'POST', url: '/1/subscribe', headers: project.headers, payload: { d: [{ type: 'whatsapp', value: phone, status: 'Resubscribe' }] } });
    expect(json(on).status).toBe('success');
    expect(await estimate()).toEqual({ total: 3, reachable: 3 });
  });

  it('blocks a profile when the phone unsubscribes under its other WhatsApp spelling (Mexico +52 1, Brazil without the ninth digit)', async () => {
    // WhatsApp sends STOP replies from +52 1 … and from 8-digit Brazilian mobiles; profiles hold the current numbers.
    const d = [
      { identity: 'mx', type: 'profile', profileData: { Phone: '+52 55 1234 5678', 'MSG-whatsapp': true, Spelling: true } },
      { identity: 'br', type: 'profile', profileData: { Phone: '+55 11 98765 4321', 'MSG-whatsapp': true, Spelling: true } },
      { identity: 'mx-old', type: 'profile', profileData: { Phone: '+52 1 33 1234 5678', 'MSG-whatsapp': true, Spelling: true } },
    ];
    expect(json(await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d } }))).toMatchObject({ status: 'success' });
    const reason = async (identity: string) => json(await ctx.app.inject({ method: 'GET', url: `/api/v1/profiles/${identity}`, headers: project.headers })).reachability.reason;
    const estimate = async () =>
      json(await ctx.app.inject({ method: 'POST', url: '/api/v1/segments/estimate', headers: project.headers, payload: { type: 'property', name: 'Spelling', op: 'eq', value: true } }));
    expect(json(await ctx.app.inject({ method: 'GET', url: '/api/v1/profiles/mx-old', headers: project.headers })).phone).toBe('+523312345678');
    expect(await estimate()).toEqual({ total: 3, reachable: 3 });

    // A STOP reply stores the number as the provider sent it (storePhoneDnd, no validation).
    await storePhoneDnd(ctx.db, project.projectId, '+5215512345678', true, 'keyword');
    await storePhoneDnd(ctx.db, project.projectId, '+551187654321', true, 'keyword');
    const off = await ctx.app.inject({ method: 'POST', url: '/api/v1/subscribe', headers: project.headers, payload: { d: [{ type: 'whatsapp', value: '+52 1 33 1234 5678', status: 'Unsubscribe' }] } });
    expect(json(off).status).toBe('success');
    expect([await reason('mx'), await reason('br'), await reason('mx-old')]).toEqual(['phone_dnd', 'phone_dnd', 'phone_dnd']);
    expect(await estimate()).toEqual({ total: 3, reachable: 0 });
    const batch: AudienceProfile[] = [];
    for await (const part of resolveAudience(ctx.db, project.projectId, { identities: ['mx', 'br', 'mx-old'] })) batch.push(...part);
    expect(batch.map((profile) => reachability(profile).reason)).toEqual(['phone_dnd', 'phone_dnd', 'phone_dnd']);

    // START from either spelling lifts both.
    await storePhoneDnd(ctx.db, project.projectId, '+5215512345678', false, 'keyword');
    await ctx.app.inject({ method: 'POST', url: '/api/v1/subscribe', headers: project.headers, payload: { d: [{ type: 'whatsapp', value: '+5511987654321', status: 'Resubscribe' }] } });
    expect([await reason('mx'), await reason('br'), await reason('mx-old')]).toEqual([null, null, 'phone_dnd']);
    expect(await hasPhoneDnd(ctx.db, project.projectId, '+551187654321')).toBe(false);
  });

  it('reports bad subscribe records with codes and keeps phone DND per project', async () => {
    const other = await ctx.createProject('other');
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/subscribe',
      headers: project.headers,
      payload: {
        d: [
          { type: 'whatsapp', value: '+14155550123', status: 'Unsubscribe' },
          { type: 'email', value: 'a@b.co', status: 'Unsubscribe' },
          { type: 'whatsapp', value: '12', status: 'Unsubscribe' },
          { type: 'whatsapp', value: '+14155550123', status: 'Pause' },
          'junk',
        ],
      },
    });
    const body = json(response);
    expect(body.status).toBe('partial');
    expect(body.processed).toBe(1);
    expect(body.unprocessed.map((u: { index: number; code: number }) => [u.index, u.code])).toEqual([[1, 512], [2, 516], [3, 512], [4, 512]]);
    expect(body.unprocessed[1].error).toMatch(/too short/);
    expect(await hasPhoneDnd(ctx.db, project.projectId, '+14155550123')).toBe(true);
    expect(await hasPhoneDnd(ctx.db, other.projectId, '+14155550123')).toBe(false);

    const invalid = await setPhoneDnd(ctx.db, project.projectId, 'not a phone', true, 'keyword');
    expect(invalid).toMatchObject({ ok: false, reason: 'not_a_number' });
    expect(await setPhoneDnd(ctx.db, project.projectId, '0014155550124', true, 'keyword')).toEqual({ ok: true, e164: '+14155550124' });
    expect(await hasPhoneDnd(ctx.db, project.projectId, '+14155550124')).toBe(true);
  });

  it('limits a subscribe call to 1000 records with a 413', async () => {
    const d = Array.from({ length: 1001 }, () => ({ type: 'whatsapp', value: '+14155550123', status: 'Unsubscribe' }));
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/subscribe', headers: project.headers, payload: { d } });
    expect(response.statusCode).toBe(413);
  });
});
