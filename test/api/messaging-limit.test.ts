/**
 * WhatsApp's daily messaging limit of a provider account (src/providers/messaging-limit.ts): the
 * setting and its validation, the usage (distinct phones sent a campaign message in the last 24
 * hours, within the account and the project), and the non-blocking warning in the builder's
 * estimate and in the publish answer / campaign GET when the audience is larger than what is left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput, nexmoProviderInput } from '../helpers/fixtures.js';
import { createTemplateRow } from '../helpers/campaign-seed.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { newId } from '../../src/ids.js';
import { toJson } from '../../src/storage/json.js';
import type { Db } from '../../src/storage/db.js';
import type { MessageKind, MessageStatus } from '../../src/storage/schema.js';
import { usedLast24h } from '../../src/providers/messaging-limit.js';

const HOUR = 60 * 60 * 1000;

interface Sent {
  phone: string;
  status?: MessageStatus;
  /** Default: an hour ago. */
  sentAt?: number | null;
  updatedAt?: number;
  kind?: MessageKind;
}

/** A campaign of the account with the given messages, straight into the database. */
async function seedSends(db: Db, projectId: string, providerId: string, templateId: string, sends: Sent[], campaign: { completedAt?: number | null } = {}): Promise<string> {
  const now = Date.now();
  const campaignId = newId(now);
  await db.kysely
    .insertInto('campaigns')
    .values({
      id: campaignId, project_id: projectId, name: `c ${campaignId.slice(-6)}`, provider_id: providerId, template_id: templateId, audience: toJson({ all: true }),
      params: toJson(['x']), media_url: null, send_at: null, rate_per_second: null, dnd: null, cutoff_at: null, conversion_event: null,
      state: campaign.completedAt ? 'completed' : 'running', state_reason: null, cloned_from: null, created_at: now - 80 * HOUR, updated_at: now,
      published_at: now - 80 * HOUR, started_at: now - 80 * HOUR, completed_at: campaign.completedAt ?? null, materialize_cursor: null, materialized_at: now - 80 * HOUR,
    })
    .execute();
  if (sends.length === 0) return campaignId;
  for (let start = 0; start < sends.length; start += 200) {
    await db.kysely
      .insertInto('messages')
      .values(
        sends.slice(start, start + 200).map((send) => {
          const kind = send.kind ?? 'campaign';
          const status = send.status ?? 'sent';
          const sentAt = send.sentAt === undefined ? (status === 'unknown' || status === 'queued' ? null : now - HOUR) : send.sentAt;
          return {
            id: newId(now), project_id: projectId, campaign_id: kind === 'campaign' ? campaignId : null, profile_id: null, provider_id: providerId,
            phone: send.phone, kind, priority: kind === 'campaign' ? 5 : 0, status, skip_reason: null, payload: toJson({ type: 'template' }),
            provider_message_id: null, error_category: null, error_code: null, error_detail: null, attempts: 1, available_at: now - 80 * HOUR,
            lease_owner: null, lease_expires_at: null, created_at: now - 80 * HOUR, updated_at: send.updatedAt ?? now - HOUR, sent_at: sentAt,
            delivered_at: null, read_at: null, failed_at: status === 'failed' ? now - HOUR : null,
          };
        }),
      )
      .execute();
  }
  return campaignId;
}

describe.each(testEngines())('daily messaging limit ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let other: TestProject;
  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject('A');
    other = await ctx.createProject('B');
  });
  afterAll(() => ctx?.close());

  const request = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers = project.headers) =>
    ctx.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  describe('the setting', () => {
    it('is null (unlimited / not set) by default, and then has no usage', async () => {
      const account = json(await request('POST', '/api/v1/providers', nexmoProviderInput({ nickname: 'no limit' })));
      expect(account).toMatchObject({ dailyRecipientLimit: null, messagingLimit: null });
    });

    it('is saved on create and changed or cleared by PATCH, with the usage in GET and the list', async () => {
      const created = await request('POST', '/api/v1/providers', gupshupProviderInput({ nickname: 'tiered', dailyRecipientLimit: 1000 }));
      expect(created.statusCode).toBe(201);
      const account = json(created);
      expect(account).toMatchObject({ dailyRecipientLimit: 1000, messagingLimit: { limit: 1000, usedLast24h: 0, remaining: 1000 } });

      const patched = json(await request('PATCH', `/api/v1/providers/${account.id}`, { dailyRecipientLimit: 100000 }));
      expect(patched).toMatchObject({ dailyRecipientLimit: 100000, messagingLimit: { limit: 100000, usedLast24h: 0, remaining: 100000 } });
      expect(json(await request('GET', `/api/v1/providers/${account.id}`)).messagingLimit).toEqual({ limit: 100000, usedLast24h: 0, remaining: 100000 });
      const listed = json(await request('GET', '/api/v1/providers')).items.find((item: { id: string }) => item.id === account.id);
      expect(listed.messagingLimit).toEqual({ limit: 100000, usedLast24h: 0, remaining: 100000 });

      // A PATCH without the field keeps it; null clears it.
      expect(json(await request('PATCH', `/api/v1/providers/${account.id}`, { nickname: 'renamed' })).dailyRecipientLimit).toBe(100000);
      expect(json(await request('PATCH', `/api/v1/providers/${account.id}`, { dailyRecipientLimit: null }))).toMatchObject({ dailyRecipientLimit: null, messagingLimit: null });
    });

    it.each([500, 0, -250, 1000.5, '1000', 'unlimited', true])('refuses %j with a 422 naming the field and the tiers allowed', async (value) => {
      const created = await request('POST', '/api/v1/providers', gupshupProviderInput({ nickname: 'bad tier', dailyRecipientLimit: value }));
      expect(created.statusCode).toBe(422);
      const error = json(created).error;
      expect(error.code).toBe('validation_failed');
      expect(error.details).toEqual([expect.objectContaining({ path: 'dailyRecipientLimit' })]);
      expect(error.details[0].message).toMatch(/250, 1000, 10000 or 100000/);

      const account = json(await request('POST', '/api/v1/providers', gupshupProviderInput({ nickname: `patched ${String(value)}` })));
      const patched = await request('PATCH', `/api/v1/providers/${account.id}`, { dailyRecipientLimit: value });
      expect(patched.statusCode).toBe(422);
      expect(json(patched).error.details).toEqual([expect.objectContaining({ path: 'dailyRecipientLimit', message: expect.stringMatching(/or null for unlimited/) })]);
      expect(json(await request('GET', `/api/v1/providers/${account.id}`)).dailyRecipientLimit).toBeNull();
    });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const account = doc.paths['/api/v1/providers/{id}'].get.responses['200'].content['application/json'].schema;
    expect(account.properties.dailyRecipientLimit.description).toMatch(/unique users .* rolling 24 hours/);
    expect(Object.keys(account.properties.messagingLimit.anyOf[0].properties)).toEqual(['limit', 'usedLast24h', 'remaining']);
    const create = doc.paths['/api/v1/providers'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(create.properties.dailyRecipientLimit)).toContain('100000');
    expect(create.properties.dailyRecipientLimit.description).toMatch(/Other values are a 422/);
    const estimate = doc.paths['/api/v1/audience/estimate'].post;
    expect(estimate.requestBody.content['application/json'].schema.properties.providerId.description).toMatch(/daily messaging limit/);
    expect(estimate.responses['200'].content['application/json'].schema.properties.messagingLimit).toBeDefined();
    const campaign = doc.paths['/api/v1/campaigns/{id}'].get.responses['200'].content['application/json'].schema;
    expect(campaign.properties.warnings.items.properties.code.enum).toContain('messaging_limit');
    expect(campaign.properties.warnings.description).toMatch(/messaging_limit: when the campaign was published/);
  });

  describe('the usage', () => {
    it('counts distinct phones sent a campaign message in the last 24 hours, by this account of this project only', async () => {
      const now = Date.now();
      const account = json(await request('POST', '/api/v1/providers', gupshupProviderInput({ nickname: 'counted', dailyRecipientLimit: 250 })));
      const sibling = json(await request('POST', '/api/v1/providers', gupshupProviderInput({ nickname: 'sibling', dailyRecipientLimit: 250 })));
      const foreign = json(await request('POST', '/api/v1/providers', gupshupProviderInput({ nickname: 'foreign', dailyRecipientLimit: 250 }), other.headers));
      const templateId = await createTemplateRow(ctx.db, project.projectId, account.id);
      const siblingTemplate = await createTemplateRow(ctx.db, project.projectId, sibling.id);
      const foreignTemplate = await createTemplateRow(ctx.db, other.projectId, foreign.id);

      await seedSends(ctx.db, project.projectId, account.id, templateId, [
        { phone: testPhone(1) },
        { phone: testPhone(2), status: 'delivered' },
        { phone: testPhone(3), status: 'read', sentAt: now - 23 * HOUR },
        // Went unknown in the window: may have arrived.
        { phone: testPhone(4), status: 'unknown', updatedAt: now - 2 * HOUR },
        // Not counted: sent before the window, failed (opened no conversation), not sent yet.
        { phone: testPhone(5), sentAt: now - 25 * HOUR },
        { phone: testPhone(6), status: 'failed' },
        { phone: testPhone(7), status: 'queued' },
        { phone: testPhone(8), status: 'unknown', updatedAt: now - 30 * HOUR },
        // Session messages and test sends of the same account.
        { phone: testPhone(9), kind: 'reply' },
        { phone: testPhone(10), kind: 'auto_reply' },
        { phone: testPhone(11), kind: 'keyword_reply' },
        { phone: testPhone(12), kind: 'test' },
      ]);
      // The same phone again in another campaign counts once.
      await seedSends(ctx.db, project.projectId, account.id, templateId, [{ phone: testPhone(1), status: 'delivered' }, { phone: testPhone(2) }]);
      // A campaign that ended days ago.
      await seedSends(ctx.db, project.projectId, account.id, templateId, [{ phone: testPhone(13), sentAt: now - 70 * HOUR }], { completedAt: now - 70 * HOUR });
      // Other accounts: of the project, and of another project (the same phones).
      await seedSends(ctx.db, project.projectId, sibling.id, siblingTemplate, [{ phone: testPhone(14) }, { phone: testPhone(1) }]);
      await seedSends(ctx.db, other.projectId, foreign.id, foreignTemplate, [{ phone: testPhone(15) }, { phone: testPhone(1) }, { phone: testPhone(16) }]);

      expect(json(await request('GET', `/api/v1/providers/${account.id}`)).messagingLimit).toEqual({ limit: 250, usedLast24h: 4, remaining: 246 });
      expect(json(await request('GET', `/api/v1/providers/${sibling.id}`)).messagingLimit).toEqual({ limit: 250, usedLast24h: 2, remaining: 248 });
      expect(json(await request('GET', `/api/v1/providers/${foreign.id}`, undefined, other.headers)).messagingLimit).toEqual({ limit: 250, usedLast24h: 3, remaining: 247 });
      // Another project's account is not reachable, nor counted into this project's.
      expect((await request('GET', `/api/v1/providers/${foreign.id}`)).statusCode).toBe(404);
      expect(await usedLast24h(ctx.db, project.projectId, foreign.id)).toBe(0);
      // The window rolls: 22.5 hours later, only the sends of an hour ago are still in it.
      expect(await usedLast24h(ctx.db, project.projectId, account.id, now + 22.5 * HOUR)).toBe(2);
      expect(await usedLast24h(ctx.db, project.projectId, account.id, now + 24 * HOUR)).toBe(0);
    });
  });

  describe('the warning', () => {
    let providerId: string;
    let templateId: string;
    const identities = (count: number) => Array.from({ length: count }, (_, i) => `limit-${i + 1}`);

    beforeAll(async () => {
      const account = json(await request('POST', '/api/v1/providers', gupshupProviderInput({ nickname: 'nearly used up', dailyRecipientLimit: 250 })));
      providerId = account.id;
      templateId = json(await request('POST', '/api/v1/templates', { providerId, namespace: 'ABC:limit', body: 'Hi {{1}}', attachmentType: 'none' })).id;
      // 247 of 250 used: 3 left.
      await seedSends(ctx.db, project.projectId, providerId, templateId, Array.from({ length: 247 }, (_, i) => ({ phone: testPhone(1000 + i) })));
      // 5 reachable profiles, and one not opted in (not counted in the audience).
      await seedProfiles(ctx.db, project.projectId, [
        ...identities(5).map((identity, i) => ({ identity, phone: testPhone(2000 + i) })),
        { identity: 'limit-out', phone: testPhone(2100), optedIn: false },
      ]);
    });

    const estimate = (audience: unknown, extra: Record<string, unknown> = {}) => request('POST', '/api/v1/audience/estimate', { audience, providerId, ...extra });

    it('shows in the estimate only when the audience is larger than what is left', async () => {
      const fits = json(await estimate({ identities: [...identities(3), 'limit-out'] }));
      expect(fits).toMatchObject({ total: 4, reachable: 3, messagingLimit: { limit: 250, usedLast24h: 247, remaining: 3, warning: null } });

      const over = json(await estimate({ identities: identities(5) }));
      expect(over.messagingLimit).toMatchObject({ limit: 250, usedLast24h: 247, remaining: 3 });
      expect(over.messagingLimit.warning).toBe(
        'This audience of 5 is more than the 250 unique users this number may message in 24 hours (3 left); WhatsApp will fail the rest (about 2 messages). ' +
          "Send to a smaller audience, spread it over several days, or update the account's daily messaging limit if WhatsApp raised its tier. " +
          'Recipients already messaged in the last 24 hours count once, so fewer may fail.',
      );
      // Without providerId the answer is as before; an account without a limit says null.
      expect(json(await request('POST', '/api/v1/audience/estimate', { audience: { identities: identities(5) } }))).toEqual({ total: 5, reachable: 5 });
      const unlimited = json(await request('POST', '/api/v1/providers', nexmoProviderInput({ nickname: 'unlimited' })));
      expect(json(await estimate({ identities: identities(5) }, { providerId: unlimited.id }))).toEqual({ total: 5, reachable: 5, messagingLimit: null });
    });

    it('refuses an account of another project in the estimate', async () => {
      const foreign = json(await request('POST', '/api/v1/providers', gupshupProviderInput({ nickname: 'theirs', dailyRecipientLimit: 250 }), other.headers));
      const response = await estimate({ identities: identities(5) }, { providerId: foreign.id });
      expect(response.statusCode).toBe(422);
      expect(json(response).error.details).toEqual([{ path: 'providerId', message: 'is not a provider account of this project' }]);
    });

    const draft = async (audience: unknown) =>
      json(await request('POST', '/api/v1/campaigns', { name: 'Limit check', providerId, templateId, audience, params: ['{{ Profile.identity }}'], sendAt: Date.now() + 48 * HOUR }));

    it('is in the publish answer and the campaign GET when the audience is larger, and publishing goes on', async () => {
      const campaign = await draft({ identities: identities(5) });
      expect(campaign.warnings).toEqual([]);
      const published = await request('POST', `/api/v1/campaigns/${campaign.id}/publish`);
      expect(published.statusCode).toBe(200);
      const answer = json(published);
      expect(answer.state).toBe('scheduled');
      const warning = { code: 'messaging_limit', message: expect.stringMatching(/^This audience of 5 was, when published, more than the 250 unique users this number may message in 24 hours \(3 left\); WhatsApp will fail the rest/) };
      expect(answer.warnings).toEqual([warning]);
      expect(json(await request('GET', `/api/v1/campaigns/${campaign.id}`)).warnings).toEqual([warning]);
      const listed = json(await request('GET', '/api/v1/campaigns')).items.find((item: { id: string }) => item.id === campaign.id);
      expect(listed.warnings).toEqual([warning]);
    });

    it('is not there when the audience fits in what is left', async () => {
      const campaign = await draft({ identities: identities(3) });
      const answer = json(await request('POST', `/api/v1/campaigns/${campaign.id}/publish`));
      expect(answer.state).toBe('scheduled');
      expect(answer.warnings).toEqual([]);
      expect(json(await request('GET', `/api/v1/campaigns/${campaign.id}`)).warnings).toEqual([]);
    });
  });
});
