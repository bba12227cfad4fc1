/**
 * Phone-level DND changes made by callbacks (STOP / START keywords, Gupshup user events). Kept in
 * this one function so that it can point at the audience domain's `setPhoneDnd` once that is on
 * main; it reads the current value first because the caller needs to know whether anything
 * changed (a confirmation is sent only for a change).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';

/** Who set a phone-level DND (the audience domain's PhoneDndSource). */
export type PhoneDndSource = 'subscribe_api' | 'keyword' | 'provider' | 'import';

/** Sets (`dnd` true) or lifts the phone-level DND of an E.164 phone; true when its state changed. */
export async function changePhoneDnd(db: Kysely<Database>, projectId: string, phone: string, dnd: boolean, source: PhoneDndSource, now: number): Promise<boolean> {
  const current = await db.selectFrom('phone_dnd').select('dnd').where('project_id', '=', projectId).where('phone', '=', phone).executeTakeFirst();
  if ((current?.dnd === 1) === dnd) return false;
  await db
    .insertInto('phone_dnd')
    .values({ project_id: projectId, phone, dnd: dnd ? 1 : 0, source, updated_at: now })
    .onConflict((oc) => oc.columns(['project_id', 'phone']).doUpdateSet({ dnd: dnd ? 1 : 0, source, updated_at: now }))
    .execute();
  return true;
}
