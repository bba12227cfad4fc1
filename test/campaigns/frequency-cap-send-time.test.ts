import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { createTemplateRow, seedCampaign, profileIdOf } from '../helpers/campaign-seed.js';
import { testPhone } from '../helpers/audience.js';
import { sentRecentlyCounts, type FrequencyCap } from '../../src/campaigns/frequency-cap.js';

const CAP: FrequencyCap = { messages: 1, days: 7 };

/**
 * Two scheduled campaigns with a frequency cap of one message, sending to the same person at the
 * same moment: both claim their message, then both check the cap. Exactly one of them may count
 * the other's claimed message, or the person would get both messages, or neither.
 */
describe.each(testEngines())('frequency cap checked at send time, two campaigns at once ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let templateId: string;
  let n = 0;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput() })).id;
    templateId = await createTemplateRow(ctx.db, project.projectId, providerId);
  });
  afterAll(() => ctx?.close());

  /** A person and one message to them from each of two campaigns, in `status`, claimed at the given times. */
  async function twoCampaigns(first: { status: 'sending' | 'sent'; claimedAt: number }, second: { status: 'sending' | 'sent'; claimedAt: number }) {
    const identity = `cap-race-${n}`;
    const phone = testPhone(100 + n++);
    await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d: [{ identity, type: 'profile', profileData: { Phone: phone, 'MSG-whatsapp': true } }] } });
    const profileId = await profileIdOf(ctx.db, project.projectId, identity);
    const campaigns: Array<{ id: string; claimedAt: number }> = [];
    for (const message of [first, second]) {
      const seeded = await seedCampaign(ctx.db, { projectId: project.projectId, providerId, templateId, messages: [{ profileId, phone, status: message.status }] });
      await ctx.db.kysely.updateTable('messages').set({ updated_at: message.claimedAt }).where('id', '=', seeded.messageIds[0]!).execute();
      campaigns.push({ id: seeded.campaignId, claimedAt: message.claimedAt });
    }
    const counted = async (index: 0 | 1) => (await sentRecentlyCounts(ctx.db, campaigns[index]!.id, [profileId], CAP, campaigns[index]!.claimedAt)).get(profileId) ?? 0;
    return { campaigns, counted };
  }

  it('counts the other campaign\'s claimed message only when it was claimed first', async () => {
    const now = Date.now();
    const { counted } = await twoCampaigns({ status: 'sending', claimedAt: now - 40 }, { status: 'sending', claimedAt: now - 20 });
    expect(await counted(0)).toBe(0); // claimed first: it sends
    expect(await counted(1)).toBe(1); // claimed second: held back by the first
  });

  it('orders two claims of the same millisecond by campaign id, the same way for both', async () => {
    const now = Date.now();
    const { campaigns, counted } = await twoCampaigns({ status: 'sending', claimedAt: now }, { status: 'sending', claimedAt: now });
    const smaller = campaigns[0]!.id < campaigns[1]!.id ? 0 : 1;
    expect(await counted(smaller)).toBe(0);
    expect(await counted(smaller === 0 ? 1 : 0)).toBe(1);
  });

  it('always counts a message of another campaign that was sent in the window, whenever ours was claimed', async () => {
    const now = Date.now();
    const { counted } = await twoCampaigns({ status: 'sent', claimedAt: now }, { status: 'sending', claimedAt: now - 60_000 });
    expect(await counted(1)).toBe(1);
  });
});
