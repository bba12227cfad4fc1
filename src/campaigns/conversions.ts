/**
 * Conversions: a recipient converts when, within 7 days after a campaign's message was sent to
 * them (by the event's own timestamp, however late it is uploaded), they do the campaign's
 * conversion goal event (Setup → conversion goal). Each recipient converts once per campaign
 * (`messages.converted_at`); the campaign's `converted` counter follows.
 * Runs inside the transaction that stores the events (the upload API), so nothing is counted for
 * events that are not stored.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import { eventNameKey } from '../audience/event-names.js';
import { CampaignDeltas } from './counters.js';

/** How long after the send a goal event still counts as a conversion. */
export const CONVERSION_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface GoalEvent {
  profileId: string;
  name: string;
  /** Epoch ms. */
  ts: number;
}

/** Records the conversions these new events make; returns the campaigns whose counters changed. */
export async function recordConversions(db: Kysely<Database>, projectId: string, events: readonly GoalEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  // The window runs from each message's send to the event's own time, not to the upload: events
  // are often uploaded late (a nightly export, a backfill). A campaign that ended (no sends after
  // completed_at) more than a window before the earliest of these events cannot have converted.
  const earliest = Math.min(...events.map((event) => event.ts));
  const campaigns = await db
    .selectFrom('campaigns')
    .select(['id', 'conversion_event'])
    .where('project_id', '=', projectId)
    .where('conversion_event', 'is not', null)
    .where('published_at', 'is not', null)
    .where((eb) => eb.or([eb('completed_at', 'is', null), eb('completed_at', '>=', earliest - CONVERSION_WINDOW_MS)]))
    .execute();
  if (campaigns.length === 0) return [];
  const goals = new Map<string, string[]>();
  for (const campaign of campaigns) {
    const key = eventNameKey(campaign.conversion_event!);
    goals.set(key, [...(goals.get(key) ?? []), campaign.id]);
  }
  const relevant = events.filter((event) => goals.has(eventNameKey(event.name)));
  if (relevant.length === 0) return [];

  const deltas = new CampaignDeltas();
  for (let start = 0; start < relevant.length; start += 500) {
    const part = relevant.slice(start, start + 500);
    const campaignIds = [...new Set(part.flatMap((event) => goals.get(eventNameKey(event.name))!))];
    const messages = await db
      .selectFrom('messages')
      .select(['id', 'campaign_id', 'profile_id', 'sent_at'])
      .where('campaign_id', 'in', campaignIds)
      .where('profile_id', 'in', [...new Set(part.map((event) => event.profileId))])
      .where('sent_at', 'is not', null)
      .where('converted_at', 'is', null)
      .execute();
    for (const message of messages) {
      const goalKey = [...goals.entries()].find(([, ids]) => ids.includes(message.campaign_id!))![0];
      // The earliest qualifying event converts, whatever the order of the upload's records.
      const hit = part
        .filter((event) => event.profileId === message.profile_id && eventNameKey(event.name) === goalKey)
        .filter((event) => event.ts >= message.sent_at! && event.ts - message.sent_at! <= CONVERSION_WINDOW_MS)
        .reduce<GoalEvent | undefined>((earliest, event) => (earliest === undefined || event.ts < earliest.ts ? event : earliest), undefined);
      if (!hit) continue;
      const updated = await db.updateTable('messages').set({ converted_at: hit.ts }).where('id', '=', message.id).where('converted_at', 'is', null).executeTakeFirst();
      if (Number(updated.numUpdatedRows) > 0) deltas.addCounts(message.campaign_id!, { converted: 1 });
    }
  }
  return deltas.write(db);
}
