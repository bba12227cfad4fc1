/**
 * Property: whatever the order, duplication and timing of SENT / DELIVERED / READ / FAILED
 * receipts and of replies — some arriving before the message's provider id is stored, some
 * carrying our message id, applied in arbitrary batches — every message ends in the status a
 * simple model predicts (a reply proves delivery: it counts as a DELIVERED report), and the
 * campaign counters equal the counts of those final statuses.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { applyAll, createCallbackAccount, gupshupDlr, gupshupInbound, postJson, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { countersOf, createTemplateRow, seedCampaign } from '../helpers/campaign-seed.js';
import { Applier } from '../../src/webhooks/applier.js';
import { SendResultWriter } from '../../src/campaigns/send-results.js';
import { parseJson } from '../../src/storage/json.js';

type Dlr = 'SENT' | 'DELIVERED' | 'READ' | 'FAILED';
/** A receipt, or the recipient's reply quoting the message (its provider id as context). */
type Arrival = Dlr | 'REPLY';
const MAX_MESSAGES = 5;

interface Scenario {
  messages: Array<{ late: boolean; echoesOurId: boolean }>;
  /** (message index, status) in arrival order, duplicates included. */
  receipts: Array<{ message: number; status: Arrival; applyAfter: boolean; errorCode: '1002' | '1012' }>;
  /** How many receipts arrive before the late messages' provider ids are stored. */
  storedAfter: number;
  useHandOver: boolean;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    messages: fc.array(fc.record({ late: fc.boolean(), echoesOurId: fc.boolean() }), { minLength: 1, maxLength: MAX_MESSAGES }),
    receipts: fc.array(
      fc.record({
        message: fc.nat({ max: MAX_MESSAGES - 1 }),
        status: fc.constantFrom<Arrival>('SENT', 'DELIVERED', 'READ', 'FAILED', 'REPLY'),
        applyAfter: fc.boolean(),
        errorCode: fc.constantFrom<'1002' | '1012'>('1002', '1012'),
      }),
      { maxLength: 24 },
    ),
    storedAfter: fc.nat({ max: 24 }),
    useHandOver: fc.boolean(),
  })
  .map((value) => ({
    ...value,
    receipts: value.receipts
      .map((receipt) => ({ ...receipt, message: receipt.message % value.messages.length }))
      // A reply is matched to the message it quotes by the provider's id: only messages whose id is
      // stored from the start (a reply to one still being sent is attributed by phone, inbound.test.ts).
      .filter((receipt) => receipt.status !== 'REPLY' || !value.messages[receipt.message]!.late),
  }));

/** The model: the final status from the set of receipts and replies a message got (order does not matter). */
function expectedStatus(statuses: Set<Arrival>): 'sent' | 'delivered' | 'read' | 'failed' {
  if (statuses.has('READ')) return 'read';
  if (statuses.has('DELIVERED') || statuses.has('REPLY')) return 'delivered';
  if (statuses.has('FAILED')) return 'failed';
  return 'sent';
}

describe.each(testEngines())('receipts in any order (property, $name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let gupshup: CallbackAccountUrls;
  let templateId: string;
  let run = 0;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    gupshup = await createCallbackAccount(ctx, project, 'gupshup');
    templateId = await createTemplateRow(ctx.db, project.projectId, gupshup.id);
    await seedProfiles(ctx.db, project.projectId, Array.from({ length: MAX_MESSAGES }, (_, i) => ({ identity: `p-${i}`, phone: testPhone(i) })));
  });
  afterAll(() => ctx?.close());

  it('ends every message in the model\'s status with matching counters and profile events', async () => {
    const profiles = await ctx.db.kysely.selectFrom('profiles').select(['id', 'identity']).where('project_id', '=', project.projectId).orderBy('identity').execute();
    await fc.assert(
      fc.asyncProperty(scenario, async ({ messages, receipts, storedAfter, useHandOver }) => {
        run++;
        const providerIds = messages.map((_, i) => `run${run}-m${i}`);
        const seeded = await seedCampaign(ctx.db, {
          projectId: project.projectId,
          providerId: gupshup.id,
          templateId,
          messages: messages.map((message, i) => ({
            profileId: profiles[i]!.id,
            phone: testPhone(i),
            status: message.late ? ('sending' as const) : ('sent' as const),
            providerMessageId: message.late ? null : providerIds[i]!,
          })),
        });
        const applier = new Applier(ctx.deps);
        const detach = useHandOver ? applier.attachCache() : () => {};
        try {
          const storeLateIds = async () => {
            const writer = new SendResultWriter(ctx.deps, { maxAttempts: 3 });
            const rows = await ctx.db.kysely.selectFrom('messages').selectAll().where('campaign_id', '=', seeded.campaignId).orderBy('id').execute();
            rows.forEach((row) => {
              const index = seeded.messageIds.indexOf(row.id);
              if (!messages[index]!.late) return;
              const claimed = { id: row.id, project_id: row.project_id, campaign_id: row.campaign_id, profile_id: row.profile_id, provider_id: row.provider_id, phone: row.phone, kind: row.kind, payload: row.payload, attempts: 1, lease_expires_at: 0 };
              writer.add(claimed, { ok: true, providerMessageId: providerIds[index]!, raw: { request: { method: 'POST', url: 'x', body: '' } } });
            });
            await writer.close();
          };
          for (const [position, receipt] of receipts.entries()) {
            if (position === storedAfter) await storeLateIds();
            if (receipt.status === 'REPLY') {
              const reply = await postJson(ctx, gupshup.inbound, gupshupInbound(testPhone(receipt.message), 'Yes', { context: providerIds[receipt.message]! }));
              expect(reply.statusCode).toBe(200);
              if (receipt.applyAfter) await applyAll(applier);
              continue;
            }
            const echo = messages[receipt.message]!.echoesOurId ? { extra: seeded.messageIds[receipt.message]! } : {};
            const dlr = gupshupDlr(providerIds[receipt.message]!, receipt.status, { eventTs: Date.now(), phone: testPhone(receipt.message), ...echo, ...(receipt.status === 'FAILED' ? { errorCode: receipt.errorCode } : {}) });
            const response = await postJson(ctx, gupshup.delivery, [dlr]);
            expect(response.statusCode).toBe(200);
            if (receipt.applyAfter) await applyAll(applier);
          }
          if (storedAfter >= receipts.length) await storeLateIds();
          await applyAll(applier);
        } finally {
          detach();
        }

        const got = new Map<number, Set<Arrival>>();
        for (const receipt of receipts) got.set(receipt.message, (got.get(receipt.message) ?? new Set()).add(receipt.status));
        const rows = await ctx.db.kysely.selectFrom('messages').select(['id', 'status', 'sent_at', 'delivered_at', 'read_at', 'provider_message_id']).where('campaign_id', '=', seeded.campaignId).execute();
        const expected = messages.map((_, i) => expectedStatus(got.get(i) ?? new Set()));
        for (const [i, id] of seeded.messageIds.entries()) {
          const row = rows.find((candidate) => candidate.id === id)!;
          expect(row.status, `message ${i}, receipts ${[...(got.get(i) ?? [])].join(',')}`).toBe(expected[i]);
          expect(row.provider_message_id).toBe(providerIds[i]);
          expect(row.sent_at).not.toBeNull();
          expect(row.delivered_at !== null).toBe(expected[i] === 'delivered' || expected[i] === 'read');
          expect(row.read_at !== null).toBe(expected[i] === 'read');
        }
        const counters = await countersOf(ctx.db, seeded.campaignId);
        const count = (...statuses: string[]) => expected.filter((status) => statuses.includes(status)).length;
        expect(counters).toMatchObject({
          targeted: messages.length,
          queued: 0,
          unknown: 0,
          sent: messages.length,
          delivered: count('delivered', 'read'),
          read: count('read'),
          failed: count('failed'),
          replied: messages.filter((_, i) => got.get(i)?.has('REPLY')).length,
        });
        const categories = await ctx.db.kysely.selectFrom('campaign_failures').select(['count']).where('campaign_id', '=', seeded.campaignId).execute();
        expect(categories.reduce((sum, row) => sum + row.count, 0)).toBe(count('failed'));

        const events = await ctx.db.kysely.selectFrom('events').select(['name', 'properties']).where('project_id', '=', project.projectId).where('name', 'like', 'Notification %').execute();
        for (const [i, id] of seeded.messageIds.entries()) {
          const mine = events.filter((event) => parseJson<{ message_id?: string }>(event.properties, {}).message_id === id).map((event) => event.name);
          const times = (name: string) => mine.filter((event) => event === name).length;
          expect(times('Notification Sent'), `Sent events of message ${i}`).toBe(messages[i]!.late ? 1 : 0);
          expect(times('Notification Delivered')).toBe(expected[i] === 'delivered' || expected[i] === 'read' ? 1 : 0);
          expect(times('Notification Viewed')).toBe(expected[i] === 'read' ? 1 : 0);
          expect(times('Notification Failed')).toBeLessThanOrEqual(1);
          if (expected[i] === 'failed') expect(times('Notification Failed')).toBe(1);
        }
      }),
      { numRuns: engine.name === 'sqlite' ? 100 : 30 },
    );
  }, 240_000);
});
