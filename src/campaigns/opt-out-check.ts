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
import type { Db } from '../storage/db.js';
import type { ClaimedMessage } from '../storage/message-queue.js';
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
 */
export async function findOptedOut(db: Db, projectId: string, claimed: readonly ClaimedMessage[]): Promise<OptedOut[]> {
  const profileIds = [...new Set(claimed.flatMap((message) => (message.profile_id ? [message.profile_id] : [])))];
  const phones = [...new Set(claimed.flatMap((message) => (message.phone ? [message.phone] : [])))];
  if (profileIds.length === 0 && phones.length === 0) return [];
  const [flagged, dndPhones] = await Promise.all([
    profileIds.length === 0
      ? []
      : db.kysely
          .selectFrom('profiles')
          .select(['id', sql<'not_opted_in' | 'dnd'>`case when coalesce(msg_whatsapp, 0) <> 1 then 'not_opted_in' else 'dnd' end`.as('reason')])
          .where('project_id', '=', projectId)
          .where('id', 'in', profileIds)
          .where((eb) => eb.or([sql<boolean>`coalesce(msg_whatsapp, 0) <> 1`, eb('dnd_whatsapp', '=', 1)]))
          .execute(),
    phones.length === 0
      ? []
      : db.kysely.selectFrom('phone_dnd').select('phone').where('project_id', '=', projectId).where('phone', 'in', phones).where('dnd', '=', 1).execute(),
  ]);
  if (flagged.length === 0 && dndPhones.length === 0) return [];
  const byProfile = new Map(flagged.map((row) => [row.id, row.reason]));
  const blockedPhones = new Set(dndPhones.map((row) => row.phone));
  const optedOut: OptedOut[] = [];
  for (const message of claimed) {
    const reason = (message.profile_id ? byProfile.get(message.profile_id) : undefined) ?? (message.phone && blockedPhones.has(message.phone) ? 'phone_dnd' : undefined);
    if (reason) optedOut.push({ message, reason });
  }
  return optedOut;
}

/**
 * Turns claimed messages (still `sending` under `owner`, never handed to the provider) into
 * `skipped` with the opt-out's reason, and moves them from waiting to skipped in the counters.
 */
export async function skipOptedOut(db: Db, owner: string, campaignId: string, optedOut: readonly OptedOut[], now = Date.now()): Promise<void> {
  if (optedOut.length === 0) return;
  await db.kysely.transaction().execute(async (trx) => {
    const deltas = new CampaignDeltas();
    for (const reason of Object.keys(SKIP) as Array<OptedOut['reason']>) {
      const ids = optedOut.filter((entry) => entry.reason === reason).map((entry) => entry.message.id);
      if (ids.length === 0) continue;
      const skipped = await trx
        .updateTable('messages')
        .set({
          status: 'skipped',
          skip_reason: SKIP[reason].reason,
          error_detail: `opted out after publish: ${UNREACHABLE_REASON_TEXT[reason]}`,
          lease_owner: null,
          lease_expires_at: null,
          attempts: sql`attempts - 1`,
          updated_at: now,
        })
        .where('id', 'in', ids)
        .where('status', '=', 'sending')
        .where('lease_owner', '=', owner)
        .returning('id')
        .execute();
      if (skipped.length > 0) deltas.addCounts(campaignId, { queued: -skipped.length, [SKIP[reason].counter]: skipped.length });
    }
    await deltas.write(trx);
  });
}
