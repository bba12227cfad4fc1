/**
 * The keyword settings API as the dashboard's Keywords page uses it: a project member's session,
 * both rules sent whole on every save, problems named by the field the user has to fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestSession } from '../helpers/context.js';
import { DEFAULT_KEYWORD_SETTINGS, type KeywordSettingsPatch } from '../../src/webhooks/keywords.js';

const URL = '/api/v1/settings/keywords';

describe.each(testEngines())('keyword settings from the dashboard ($name)', (engine) => {
  let ctx: TestContext;
  let member: TestSession;

  beforeAll(async () => {
    ctx = await openTestContext(engine, { logLevel: 'silent' });
    const project = await ctx.createProject();
    // Not an admin: the page is for every member of the project, like Channels.
    member = await ctx.createSession({ isAdmin: false, projectIds: [project.projectId] });
  });
  afterAll(() => ctx?.close());

  const save = (payload: KeywordSettingsPatch) => ctx.app.inject({ method: 'PATCH', url: URL, headers: member.headers, payload });
  const paths = (response: LightMyRequestResponse) => json(response).error.details.map((problem: { path: string }) => problem.path);

  it('saves both rules sent whole, as a member, and reads them back normalised', async () => {
    expect(json(await ctx.app.inject({ method: 'GET', url: URL, headers: member.headers }))).toEqual(DEFAULT_KEYWORD_SETTINGS);
    const saved = await save({ optOut: { keywords: ['stop', ' Alto   ya '], reply: 'Listo.\n' }, optIn: DEFAULT_KEYWORD_SETTINGS.optIn });
    expect(saved.statusCode, saved.body).toBe(200);
    const expected = { optOut: { keywords: ['STOP', 'ALTO YA'], reply: 'Listo.' }, optIn: DEFAULT_KEYWORD_SETTINGS.optIn };
    expect(json(saved)).toEqual(expected);
    expect(json(await ctx.app.inject({ method: 'GET', url: URL, headers: member.headers }))).toEqual(expected);
  });

  it('reports a keyword in both rules on the list that was just changed, even when both are sent', async () => {
    const current = json(await ctx.app.inject({ method: 'GET', url: URL, headers: member.headers }));
    const intoOptOut = await save({ optOut: { ...current.optOut, keywords: [...current.optOut.keywords, 'start'] }, optIn: current.optIn });
    expect(intoOptOut.statusCode).toBe(422);
    expect(paths(intoOptOut)).toEqual(['optOut.keywords']);
    expect(json(intoOptOut).error.message).toBe('optOut.keywords: "START" cannot both opt out and opt in');

    const intoOptIn = await save({ optOut: current.optOut, optIn: { ...current.optIn, keywords: [...current.optIn.keywords, 'Alto ya'] } });
    expect(paths(intoOptIn)).toEqual(['optIn.keywords']);

    // Both changed (a swap): reported once, on opt-in.
    const swapped = await save({ optOut: { ...current.optOut, keywords: ['START'] }, optIn: { ...current.optIn, keywords: ['STOP', 'START'] } });
    expect(paths(swapped)).toEqual(['optIn.keywords']);
    // Nothing was stored by the failed saves.
    expect(json(await ctx.app.inject({ method: 'GET', url: URL, headers: member.headers }))).toEqual(current);
  });

  it('limits the confirmation as stored: trailing white space does not count, longer text is refused by field', async () => {
    const long = 'x'.repeat(1000);
    const padded = await save({ optIn: { reply: `${long}\n\n` } });
    expect(padded.statusCode, padded.body).toBe(200);
    expect(json(padded).optIn.reply).toBe(long);
    const tooLong = await save({ optOut: { reply: `${long}x` }, optIn: { keywords: ['', 'y'.repeat(51)] } });
    expect(tooLong.statusCode).toBe(422);
    expect(json(tooLong).error.details).toEqual([
      { path: 'optOut.reply', message: 'must be at most 1000 characters' },
      { path: 'optIn.keywords.0', message: 'must not be empty' },
      { path: 'optIn.keywords.1', message: 'must be at most 50 characters' },
    ]);
  });

  it('refuses an over-long keyword list with one problem for the list, and still checks the rest', async () => {
    const tooMany = await save({ optOut: { keywords: Array.from({ length: 5000 }, () => ''), reply: 'x'.repeat(1001) } });
    expect(tooMany.statusCode).toBe(422);
    expect(json(tooMany).error.details).toEqual([
      { path: 'optOut.keywords', message: 'must hold at most 20 keywords, got 5000' },
      { path: 'optOut.reply', message: 'must be at most 1000 characters' },
    ]);
  });
});
