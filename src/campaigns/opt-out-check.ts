/**
 * Opt-outs are honoured at once (PRODUCT §3). Publish decides who can be messaged, but a recipient
 * may opt out any time before their message leaves — a STOP reply, the subscribe API, an upload
 * setting `MSG-whatsapp` false or `MSG-dndWhatsApp` true — and for a large or scheduled campaign
 * that can be hours after publish. So the dispatcher asks again for every campaign message it
 * claims, just before scheduling it: two indexed reads per claim (profiles by id, the phones'
 * DND), and the messages no longer allowed become `skipped` with the reason, counted like the
 * skips of publish. Replies, auto-replies and tests are not checked: an opt-out's own
 * confirmation and an agent's answer to someone who just wrote must still go.
 */
import { sql } from 'kysely';
import { jsonRowsSource, type JsonRowColumn } from '../storage/json-rows.js';
import type { Db } from '../storage/db.js';
import { stillClaimedBy, type ClaimedMessage } from '../storage/message-queue.js';
import { UNREACHABLE_REASON_TEXT, type UnreachableReason } from '../audience/reachability.js';
import { CampaignDeltas, type CounterColumn } from './counters.js';

/** A claimed campaign message its recipient no longer allows, and why. */
export interface OptedOut {
  message: ClaimedMessage;
  reason: Exclude<UnreachableReason, 'no_phone'>;
}

const SKIP: Record<OptedOut['reason'], { reason: 'not_opted_in' | 'dnd'; counter: CounterColumn }> = {
  not_opted_in: { reason: 'not_opted_in', counter: 'skipped_not_opted_in' },
  dnd: { reason: 'dnd', counter: 'skipped_dnd' },
  phone_dnd: { reason: 'dnd', counter: 'skipped_dnd' },
};

/**
 * The messages of `claimed` (all of one project) whose profile or phone opted out since publish.
 * The rule and its order are reachability's; a profile deleted since publish is not a reason.
 * One statement of constant text (cached, cheap to build): the claimed rows travel as one JSON
 * parameter, each probing the profile by primary key and the phone's DND by primary key. The
 * project is checked after the join, not in it: with `p.project_id = $` in the join condition,
 * PostgreSQL (statistics not yet updated after a large import) hashed all of the project's
 * profiles for every claim — 50 ms instead of ~1.
 */
export async function findOptedOut(db: Db, projectId: string, claimed: readonly ClaimedMessage[]): Promise<OptedOut[]> {
  if (claimed.length === 0) return [];
  const text = (name: string): JsonRowColumn => ({ name, type: 'text' });
  const rows = jsonRowsSource(db.dialect, [text('id'), text('profile_id'), text('phone')], claimed.map(({ id, profile_id, phone }) => ({ id, profile_id, phone })));
  const result = await sql<{ id: string; reason: OptedOut['reason'] }>`
    select v.id as id, case
        when p.project_id = ${projectId} and coalesce(p.msg_whatsapp, 0) <> 1 then 'not_opted_in'
        when p.project_id = ${projectId} and p.dnd_whatsapp = 1 then 'dnd'
        else 'phone_dnd' end as reason
    from ${rows}
    left join profiles as p on p.id = v.profile_id
    where (p.project_id = ${projectId} and (coalesce(p.msg_whatsapp, 0) <> 1 or p.dnd_whatsapp = 1))
      or exists (select 1 from phone_dnd as d where d.project_id = ${projectId} and d.phone = v.phone and d.dnd = 1)`.execute(db.kysely);
  if (result.rows.length === 0) return [];
  const byId = new Map(claimed.map((message) => [message.id, message]));
  return result.rows.flatMap((row) => {
    const message = byId.get(row.id);
    return message ? [{ message, reason: row.reason }] : [];
  });
}

/** A claimed campaign message that is not to be sent after all: why, under which counter, and what its log says. */
export interface ClaimedSkip {
  id: string;
  skipReason: 'not_opted_in' | 'dnd' | 'frequency_cap';
  counter: CounterColumn;
  detail: string;
}

/**
 * Turns claimed messages (still `sending` under `owner`, never handed to the provider) into
 * `skipped` with their reason and detail, and moves them from waiting to skipped in the counters.
 * Returns how many it skipped.
 */
export async function skipClaimed(db: Db, owner: string, campaignId: string, skips: readonly ClaimedSkip[], now = Date.now()): Promise<number> {
  if (skips.length === 0) return 0;
  const groups = new Map<string, ClaimedSkip[]>();
  for (const skip of skips) {
    const key = JSON.stringify([skip.skipReason, skip.counter, skip.detail]);
    groups.set(key, [...(groups.get(key) ?? []), skip]);
  }
  return db.kysely.transaction().execute(async (trx) => {
    const deltas = new CampaignDeltas();
    let total = 0;
    for (const group of groups.values()) {
      const { skipReason, counter, detail } = group[0]!;
      const skipped = await trx
        .updateTable('messages')
        .set({ status: 'skipped', skip_reason: skipReason, error_detail: detail.slice(0, 1000), lease_owner: null, lease_expires_at: null, attempts: sql`attempts - 1`, updated_at: now })
        .where('id', 'in', group.map((skip) => skip.id))
        .where(stillClaimedBy(owner))
        .returning('id')
        .execute();
      if (skipped.length > 0) deltas.addCounts(campaignId, { queued: -skipped.length, [counter]: skipped.length });
      total += skipped.length;
    }
    await deltas.write(trx);
    return total;
  });
}

/** Skips the claimed messages whose recipients opted out since publish (see findOptedOut). */
export async function skipOptedOut(db: Db, owner: string, campaignId: string, optedOut: readonly OptedOut[], now = Date.now()): Promise<void> {
  const skips = optedOut.map(({ message, reason }) => ({ id: message.id, skipReason: SKIP[reason].reason, counter: SKIP[reason].counter, detail: `opted out after publish: ${UNREACHABLE_REASON_TEXT[reason]}` }));
  await skipClaimed(db, owner, campaignId, skips, now);
}
