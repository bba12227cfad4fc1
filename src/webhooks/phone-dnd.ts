/**
 * Phone-level DND changes made by callbacks (STOP / START keywords, Gupshup user events), through
 * the audience domain's phone DND store. The caller needs to know whether anything changed: a
 * confirmation is sent only for a change.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import { hasPhoneDnd, storePhoneDnd, type PhoneDndSource } from '../audience/subscribe.service.js';

export type { PhoneDndSource };

/** Sets (`dnd` true) or lifts the phone-level DND of an E.164 phone; true when its state changed. */
export async function changePhoneDnd(db: Kysely<Database>, projectId: string, phone: string, dnd: boolean, source: PhoneDndSource): Promise<boolean> {
  if ((await hasPhoneDnd(db, projectId, phone)) === dnd) return false;
  await storePhoneDnd(db, projectId, phone, dnd, source);
  return true;
}
