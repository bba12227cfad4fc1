import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { interleave } from '../helpers/query-gate.js';
import { parseJson } from '../../src/storage/json.js';

/**
 * Publishing a campaign against deleting its provider account, or editing or deleting its
 * template: whichever commits first wins and the other is refused, at every interleaving. Before,
 * each checked "in use" / "still there" apart from its write, and a publish landing between the
 * other's check and write ended running with a deleted account or a template changed under it.
 */
describe.each(testEngines())('publish against deleting or editing what it uses ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let sequence = 0;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
  });
  afterAll(() => ctx?.close());

  const inject = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    ctx.app.inject({ method, url, headers: project.headers, ...(payload ? { payload } : {}) });

  /** A fresh account, template (one placeholder) and draft campaign using them. */
  async function draft(): Promise<{ accountId: string; templateId: string; campaignId: string }> {
    sequence += 1;
    const account = json(await inject('POST', '/api/v1/providers', gupshupProviderInput({ nickname: `race ${sequence}` })));
    const template = json(await inject('POST', '/api/v1/templates', { providerId: account.id, namespace: `ABC:race_${sequence}`, body: 'Hi {{1}}', attachmentType: 'none' }));
    const campaign = json(await inject('POST', '/api/v1/campaigns', { name: `Race ${sequence}`, providerId: account.id, templateId: template.id, audience: { all: true }, params: ['x'] }));
    expect(campaign.state).toBe('draft');
    return { accountId: account.id, templateId: template.id, campaignId: campaign.id };
  }

  async function stateOf(ids: { accountId: string; templateId: string; campaignId: string }) {
    const campaign = await ctx.db.kysely.selectFrom('campaigns').select('state').where('id', '=', ids.campaignId).executeTakeFirstOrThrow();
    const template = await ctx.db.kysely.selectFrom('templates').select(['body', 'deleted_at']).where('id', '=', ids.templateId).executeTakeFirstOrThrow();
    const account = await ctx.db.kysely.selectFrom('provider_accounts').select('deleted_at').where('id', '=', ids.accountId).executeTakeFirstOrThrow();
    return { campaign: campaign.state, templateBody: template.body, templateDeleted: template.deleted_at !== null, accountDeleted: account.deleted_at !== null };
  }

  type Change = 'delete the template' | 'edit the template' | 'delete the account';
  const change = (kind: Change, ids: { accountId: string; templateId: string }): Promise<LightMyRequestResponse> =>
    kind === 'delete the template'
      ? inject('DELETE', `/api/v1/templates/${ids.templateId}`)
      : kind === 'edit the template'
        ? inject('PATCH', `/api/v1/templates/${ids.templateId}`, { body: 'Hi {{1}}, now with {{2}}' })
        : inject('DELETE', `/api/v1/providers/${ids.accountId}`);
  const conflictCode: Record<Change, string> = { 'delete the template': 'template_in_use', 'edit the template': 'template_in_use', 'delete the account': 'provider_in_use' };

  /** One of the two won; the loser was refused with its own clear answer; the data agrees. */
  async function expectOneWinner(kind: Change, ids: { accountId: string; templateId: string; campaignId: string }, publish: LightMyRequestResponse, other: LightMyRequestResponse, at: string) {
    const after = await stateOf(ids);
    const changed = kind === 'edit the template' ? after.templateBody !== 'Hi {{1}}' : kind === 'delete the template' ? after.templateDeleted : after.accountDeleted;
    const summary = `${at}: publish ${publish.statusCode} ${publish.body.slice(0, 200)} / ${kind} ${other.statusCode} ${other.body.slice(0, 200)} / ${JSON.stringify(after)}`;
    if (publish.statusCode === 200) {
      expect(other.statusCode, summary).toBe(409);
      expect(json(other).error.code, summary).toBe(conflictCode[kind]);
      expect(after.campaign, summary).toBe('running');
      expect(changed, summary).toBe(false);
    } else {
      expect(other.statusCode, summary).toBeLessThan(300);
      expect(changed, summary).toBe(true);
      expect(after.campaign, summary).toBe('draft');
      expect(publish.statusCode, summary).toBe(422);
      // The answer a publish after the change gets (an account's templates are deleted with it,
      // and a check that read the account just before it went finds its template gone).
      const details: Array<{ path: string; message: string }> = json(publish).error.details;
      if (kind === 'edit the template') expect(details, summary).toContainEqual({ path: 'params', message: expect.stringMatching(/^the template has 2 placeholder\(s\)/) });
      else if (kind === 'delete the template') expect(details, summary).toContainEqual({ path: 'templateId', message: 'is not a template of this project' });
      else expect(details.filter((problem) => /^is not a (provider account|template) of this project$/.test(problem.message)).length, summary).toBeGreaterThan(0);
    }
  }

  it.each<Change>(['delete the template', 'edit the template', 'delete the account'])('publish held after each of its queries while another request tries to %s', async (kind) => {
    for (let n = 1; ; n++) {
      const ids = await draft();
      const run = await interleave(
        ctx.db,
        n,
        () => inject('POST', `/api/v1/campaigns/${ids.campaignId}/publish`, {}),
        () => change(kind, ids),
      );
      if (!run.paused) break;
      await expectOneWinner(kind, ids, run.first, run.second!, `publish held after query ${n}`);
    }
  }, 60_000);

  it.each<Change>(['delete the template', 'edit the template', 'delete the account'])('a request to %s held after each of its queries while the campaign is published', async (kind) => {
    for (let n = 1; ; n++) {
      const ids = await draft();
      const run = await interleave(
        ctx.db,
        n,
        () => change(kind, ids),
        () => inject('POST', `/api/v1/campaigns/${ids.campaignId}/publish`, {}),
      );
      if (!run.paused) break;
      await expectOneWinner(kind, ids, run.second!, run.first, `${kind} held after query ${n}`);
    }
  }, 60_000);

  it('an edit of the draft held after each of its queries while it is published: what was published is what was checked', async () => {
    for (let n = 1; ; n++) {
      const ids = await draft();
      const run = await interleave(
        ctx.db,
        n,
        () => inject('PATCH', `/api/v1/campaigns/${ids.campaignId}`, { params: ['edited'] }),
        () => inject('POST', `/api/v1/campaigns/${ids.campaignId}/publish`, {}),
      );
      if (!run.paused) break;
      const edit = run.first;
      const publish = run.second!;
      const final = await ctx.db.kysely.selectFrom('campaigns').select(['state', 'params']).where('id', '=', ids.campaignId).executeTakeFirstOrThrow();
      const summary = `edit held after query ${n}: edit ${edit.statusCode} ${edit.body.slice(0, 200)} / publish ${publish.statusCode} ${publish.body.slice(0, 200)} / ${JSON.stringify(final)}`;
      expect(publish.statusCode, summary).toBe(200);
      expect(final.state, summary).toBe('running');
      if (edit.statusCode === 200) {
        // The edit came first: the campaign was published with it.
        expect(json(publish).params, summary).toEqual(['edited']);
      } else {
        // The publish came first: a running campaign takes no draft edit.
        expect(edit.statusCode, summary).toBe(409);
        expect(json(edit).error.code, summary).toBe('campaign_not_editable');
        expect(parseJson(final.params, []), summary).toEqual(['x']);
      }
    }
  }, 60_000);
});
