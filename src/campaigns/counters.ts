/**
 * Campaign counters, failure categories and the per-minute timeline, all maintained incrementally
 * inside the transaction that changes the messages — reports read them, never count messages.
 */
import type { Kysely } from 'kysely';
import type { CampaignCountersTable, Database } from '../storage/schema.js';
import { emptyDelta, type CounterDelta, type Transition } from './message-status.js';

/** A counter column of campaign_counters. */
export type CounterColumn = Exclude<keyof CampaignCountersTable, 'campaign_id'>;

type TimelineKey = 'sent' | 'delivered' | 'read' | 'failed' | 'replied';

/** Collects the effects of many transitions, then writes them with one statement per campaign. */
export class CampaignDeltas {
  /** Column name → amount to add, per campaign. */
  private readonly counters = new Map<string, Record<string, number>>();
  private readonly categories = new Map<string, Map<string, number>>();
  private readonly timeline = new Map<string, Map<number, Record<TimelineKey, number>>>();

  get size(): number {
    return this.counters.size + this.categories.size + this.timeline.size;
  }

  private counterFor(campaignId: string) {
    let delta = this.counters.get(campaignId);
    if (!delta) {
      delta = { ...emptyDelta() };
      this.counters.set(campaignId, delta);
    }
    return delta;
  }

  /** Adds a message transition; `at` places its events on the timeline. */
  add(campaignId: string | null, change: Transition, at: number): void {
    if (!campaignId) return;
    const delta = this.counterFor(campaignId);
    for (const key of Object.keys(change.counters) as Array<keyof CounterDelta>) delta[key] = (delta[key] ?? 0) + change.counters[key];
    for (const [category, count] of Object.entries(change.categories)) {
      let byCategory = this.categories.get(campaignId);
      if (!byCategory) this.categories.set(campaignId, (byCategory = new Map()));
      byCategory.set(category, (byCategory.get(category) ?? 0) + count);
    }
    for (const event of change.reached) this.addTimeline(campaignId, event, at);
  }

  addTimeline(campaignId: string, event: TimelineKey, at: number, count = 1): void {
    const bucket = Math.floor(at / 60_000) * 60_000;
    let byBucket = this.timeline.get(campaignId);
    if (!byBucket) this.timeline.set(campaignId, (byBucket = new Map()));
    let counts = byBucket.get(bucket);
    if (!counts) byBucket.set(bucket, (counts = { sent: 0, delivered: 0, read: 0, failed: 0, replied: 0 }));
    counts[event] += count;
  }

  /** Adds amounts to counter columns directly (publish results, bulk cancels). */
  addCounts(campaignId: string, counts: Partial<Record<CounterColumn, number>>): void {
    const delta = this.counterFor(campaignId);
    for (const [key, value] of Object.entries(counts)) delta[key] = (delta[key] ?? 0) + (value ?? 0);
  }

  addReplied(campaignId: string, at: number): void {
    const delta = this.counterFor(campaignId);
    delta.replied = (delta.replied ?? 0) + 1;
    this.addTimeline(campaignId, 'replied', at);
  }

  async write(db: Kysely<Database>): Promise<string[]> {
    const touched = new Set<string>();
    for (const [campaignId, delta] of this.counters) {
      const entries = Object.entries(delta).filter(([, value]) => value !== 0);
      if (entries.length === 0) continue;
      touched.add(campaignId);
      await db
        .updateTable('campaign_counters')
        .set((eb) => Object.fromEntries(entries.map(([key, value]) => [key, eb(eb.ref(key as keyof Database['campaign_counters']), '+', value)])))
        .where('campaign_id', '=', campaignId)
        .execute();
    }
    for (const [campaignId, byCategory] of this.categories) {
      for (const [category, count] of byCategory) {
        if (count === 0) continue;
        touched.add(campaignId);
        await db
          .insertInto('campaign_failures')
          .values({ campaign_id: campaignId, category, count })
          .onConflict((oc) => oc.columns(['campaign_id', 'category']).doUpdateSet((eb) => ({ count: eb(eb.ref('campaign_failures.count'), '+', eb.ref('excluded.count')) })))
          .execute();
      }
    }
    for (const [campaignId, byBucket] of this.timeline) {
      for (const [bucket, counts] of byBucket) {
        touched.add(campaignId);
        await db
          .insertInto('campaign_timeline')
          .values({ campaign_id: campaignId, bucket, ...counts })
          .onConflict((oc) =>
            oc.columns(['campaign_id', 'bucket']).doUpdateSet((eb) => ({
              sent: eb(eb.ref('campaign_timeline.sent'), '+', eb.ref('excluded.sent')),
              delivered: eb(eb.ref('campaign_timeline.delivered'), '+', eb.ref('excluded.delivered')),
              read: eb(eb.ref('campaign_timeline.read'), '+', eb.ref('excluded.read')),
              failed: eb(eb.ref('campaign_timeline.failed'), '+', eb.ref('excluded.failed')),
              replied: eb(eb.ref('campaign_timeline.replied'), '+', eb.ref('excluded.replied')),
            })),
          )
          .execute();
      }
    }
    return [...touched];
  }
}
