/**
 * The campaign report through the API, on both engines: the stats of the list and of one campaign,
 * and the per-message log exported as CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { applyAll, createCallbackAccount, gupshupDlr, gupshupInbound, postJson, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';
import { eventStreamReader } from '../helpers/event-stream.js';
import { Applier } from '../../src/webhooks/applier.js';

describe.each(testEngines())('campaign report ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let gupshup: CallbackAccountUrls;
  let templateId: string;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    gupshup = await createCallbackAccount(ctx, project, 'gupshup');
    templateId = await createTemplateRow(ctx.db, project.projectId, gupshup.id);
  });
  afterAll(() => ctx?.close());

  const get = async (url: string) => ctx.app.inject({ method: 'GET', url, headers: project.headers });

  it('lists each campaign with its failures by error category, as GET /campaigns/:id does', async () => {
    await seedProfiles(ctx.db, project.projectId, [0, 1, 2].map((i) => ({ identity: `fail-${i}`, phone: testPhone(i) })));
    const seeded = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      name: 'Failures',
      messages: await Promise.all([0, 1, 2].map(async (i) => ({ profileId: await profileIdOf(ctx.db, project.projectId, `fail-${i}`), phone: testPhone(i), status: 'sent' as const, providerMessageId: `fail-m${i}` }))),
    });
    // Two failures of two categories (Gupshup 1002: invalid number, 1012: another reason), one delivery.
    await postJson(ctx, gupshup.delivery, [
      gupshupDlr('fail-m0', 'FAILED', { phone: testPhone(0), errorCode: '1002' }),
      gupshupDlr('fail-m1', 'FAILED', { phone: testPhone(1), errorCode: '1012' }),
      gupshupDlr('fail-m2', 'DELIVERED', { phone: testPhone(2) }),
    ]);
    await applyAll(new Applier(ctx.deps));

    const one = json(await get(`/api/v1/campaigns/${seeded.campaignId}`));
    expect(one.stats.failed).toBe(2);
    expect(Object.values(one.stats.failedByCategory as Record<string, number>).reduce((sum, n) => sum + n, 0)).toBe(2);
    const listed = json(await get('/api/v1/campaigns')).items.find((item: { id: string }) => item.id === seeded.campaignId);
    expect(listed.stats).toEqual(one.stats);
  });

  it('exports the log as CSV with phones intact, formulas defused and line breaks quoted', async () => {
    const identities = ['=HYPERLINK("http://evil.example","Click")', 'two\nlines, "quoted"', '@SUM(A1)'];
    await seedProfiles(ctx.db, project.projectId, identities.map((identity, i) => ({ identity, phone: testPhone(10 + i) })));
    const seeded = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      name: 'Export: spring/sale',
      messages: await Promise.all(identities.map(async (identity, i) => ({ profileId: await profileIdOf(ctx.db, project.projectId, identity), phone: testPhone(10 + i), status: 'sent' as const, providerMessageId: `csv-m${i}` }))),
    });
    await postJson(ctx, gupshup.delivery, [gupshupDlr('csv-m0', 'FAILED', { phone: testPhone(10), errorCode: '1012' })]);
    await applyAll(new Applier(ctx.deps));

    const response = await get(`/api/v1/campaigns/${seeded.campaignId}/messages?format=csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="Export-spring-sale-messages.csv"; filename*=UTF-8''Export-spring-sale-messages.csv`);
    const body = response.body;
    // No byte-order mark unless asked for (scripts); with bom=true, the same file after U+FEFF (Excel).
    expect(body.charCodeAt(0)).not.toBe(0xfeff);
    const forExcel = (await get(`/api/v1/campaigns/${seeded.campaignId}/messages?format=csv&bom=true`)).body;
    expect(forExcel).toBe(`\uFEFF${body}`);
    expect(body.split('\n')[0]).toBe(
      'message_id,identity,phone,status,skip_reason,error_category,error_code,error_detail,provider_message_id,attempts,created_at,sent_at,delivered_at,read_at,failed_at,replied_at,converted_at',
    );
    const rows = parseCsv(body).slice(1);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toHaveLength(17);
    expect(rows.map((row) => row[1]).sort()).toEqual([`'=HYPERLINK("http://evil.example","Click")`, "'@SUM(A1)", 'two\nlines, "quoted"'].sort());
    expect(rows.map((row) => row[2]).sort()).toEqual([testPhone(10), testPhone(11), testPhone(12)]);
    const failed = rows.find((row) => row[3] === 'failed')!;
    expect(failed[6]).toBe('1012');

    // A name in another script keeps its words in filename*; plain ASCII has a fallback.
    for (const [name, ascii, unicode] of [
      ['दिवाली सेल', 'campaign', 'दिवाली-सेल'],
      ['Diwali सेल 2026', 'Diwali-2026', 'Diwali-सेल-2026'],
      // 60 characters are kept: a letter outside the BMP (two UTF-16 units) across the cut is kept
      // whole or left out, never halved (half a surrogate pair cannot be percent-encoded).
      [`${'a'.repeat(59)}𠀀 sale`, 'a'.repeat(59), `${'a'.repeat(59)}𠀀`],
    ]) {
      await ctx.db.kysely.updateTable('campaigns').set({ name }).where('id', '=', seeded.campaignId).execute();
      const disposition = (await get(`/api/v1/campaigns/${seeded.campaignId}/messages?format=csv`)).headers['content-disposition'];
      expect(disposition).toBe(`attachment; filename="${ascii}-messages.csv"; filename*=UTF-8''${encodeURIComponent(`${unicode}-messages.csv`)}`);
    }

    const onlyFailed = parseCsv((await get(`/api/v1/campaigns/${seeded.campaignId}/messages?format=csv&status=failed`)).body);
    expect(onlyFailed.slice(1).map((row) => row[0])).toEqual([failed[0]]);
  });

  it('shows which messages were answered and which converted, in the log and its CSV', async () => {
    const identities = ['answers', 'buys', 'silent'];
    await seedProfiles(ctx.db, project.projectId, identities.map((identity, i) => ({ identity, phone: testPhone(20 + i) })));
    const seeded = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      name: 'Replies and conversions',
      messages: await Promise.all(identities.map(async (identity, i) => ({ profileId: await profileIdOf(ctx.db, project.projectId, identity), phone: testPhone(20 + i), status: 'sent' as const, providerMessageId: `rc-m${i}` }))),
    });
    await ctx.db.kysely.updateTable('campaigns').set({ conversion_event: 'Purchase' }).where('id', '=', seeded.campaignId).execute();
    const repliedAt = Date.now();
    await postJson(ctx, gupshup.inbound, gupshupInbound(testPhone(20), 'Tell me more', { context: 'rc-m0', timestamp: repliedAt }));
    await applyAll(new Applier(ctx.deps));
    const boughtAt = Math.floor(Date.now() / 1000) + 1;
    const upload = await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d: [{ identity: 'buys', type: 'event', evtName: 'Purchase', evtData: {}, ts: boughtAt }] } });
    expect(json(upload).status).toBe('success');

    const campaign = json(await get(`/api/v1/campaigns/${seeded.campaignId}`));
    expect(campaign.stats).toMatchObject({ replied: 1, converted: 1 });
    const log = json(await get(`/api/v1/campaigns/${seeded.campaignId}/messages`));
    const entry = (identity: string) => log.items.find((item: { identity: string }) => item.identity === identity);
    expect(entry('answers')).toMatchObject({ repliedAt: expect.any(Number), convertedAt: null });
    expect(entry('buys')).toMatchObject({ repliedAt: null, convertedAt: boughtAt * 1000 });
    expect(entry('silent')).toMatchObject({ repliedAt: null, convertedAt: null });

    const rows = parseCsv((await get(`/api/v1/campaigns/${seeded.campaignId}/messages?format=csv`)).body).slice(1);
    const csvRow = (identity: string) => rows.find((row) => row[1] === identity)!;
    expect(csvRow('answers')[15]).toBe(new Date(entry('answers').repliedAt).toISOString());
    expect(csvRow('buys')[16]).toBe(new Date(boughtAt * 1000).toISOString());
    expect(csvRow('silent').slice(15)).toEqual(['', '']);
  });

  it('streams the last change of a burst at once, not at the next 2-second poll', async () => {
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'streamed', phone: testPhone(30) }]);
    const seeded = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: [{ profileId: await profileIdOf(ctx.db, project.projectId, 'streamed'), phone: testPhone(30), status: 'sent' as const }],
    });
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const response = await fetch(`${address}/api/v1/campaigns/${seeded.campaignId}/events`, { headers: project.headers, signal: controller.signal });
    const { readUntil } = eventStreamReader(response);
    const setReplied = async (replied: number) => {
      await ctx.db.kysely.updateTable('campaign_counters').set({ replied }).where('campaign_id', '=', seeded.campaignId).execute();
      ctx.deps.bus.emit('campaign-changed', seeded.campaignId, 'progress');
    };
    try {
      await readUntil('"replied":0');
      // Two changes 50 ms apart: the first is sent at once, the second falls in the 250 ms pause.
      await setReplied(1);
      await readUntil('"replied":1');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = Date.now();
      await setReplied(2);
      await readUntil('"replied":2');
      expect(Date.now() - second).toBeLessThan(1000);
    } finally {
      controller.abort();
    }
  });
});

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') row.push(field), (field = '');
    else if (char === '\n') rows.push([...row, field]), (row = []), (field = '');
    else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
