/**
 * THE WhatsApp reachability rule, in one place (PRODUCT §1.4): a profile can be messaged only when
 *   - `MSG-whatsapp` is true (not set = not opted in)            else `not_opted_in`,
 *   - `MSG-dndWhatsApp` is not true                                else `dnd`,
 *   - it has a phone at all                                        else `no_phone`,
 *   - its phone has no phone-level DND (subscribe API, STOP reply:
 *     a `phone_dnd` row with dnd = 1, whichever profile it came from) else `phone_dnd`.
 * The reason reported is the first rule that fails, in this order.
 * `reachability()` is the JS form (profile pages, campaign publish over resolved batches);
 * `reachableSql()` / `unreachableReasonSql()` are the SQL form (segment estimates, counts). Both
 * test the same facts in the same order; reachability.test.ts checks them against each other.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';

/** Why a profile cannot be messaged, first failing rule first. */
export type UnreachableReason = 'not_opted_in' | 'dnd' | 'phone_dnd' | 'no_phone';

export interface ReachabilityFacts {
  /** `MSG-whatsapp`: true, false, or null when not set. */
  msgWhatsapp: boolean | null;
  /** `MSG-dndWhatsApp`: true, false, or null when not set. */
  dndWhatsapp: boolean | null;
  /** E.164 phone, or null. */
  phone: string | null;
  /** Whether the phone has a phone-level DND. */
  phoneDnd: boolean;
}

export interface Reachability {
  reachable: boolean;
  reason: UnreachableReason | null;
}

export function reachability(facts: ReachabilityFacts): Reachability {
  const reason: UnreachableReason | null =
    facts.msgWhatsapp !== true ? 'not_opted_in' : facts.dndWhatsapp === true ? 'dnd' : facts.phone === null ? 'no_phone' : facts.phoneDnd ? 'phone_dnd' : null;
  return { reachable: reason === null, reason };
}

export function isWhatsappReachable(facts: ReachabilityFacts): boolean {
  return reachability(facts).reason === null;
}

/** Human words for each reason, for the profile page and reports. */
export const UNREACHABLE_REASON_TEXT: Record<UnreachableReason, string> = {
  not_opted_in: 'MSG-whatsapp is not true (WhatsApp profiles are opted out until opted in)',
  dnd: 'MSG-dndWhatsApp is true',
  no_phone: 'the profile has no phone number',
  phone_dnd: 'the phone number unsubscribed (phone-level DND)',
};

function phoneDndExists(alias: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from phone_dnd as pdnd where pdnd.project_id = ${sql.ref(`${alias}.project_id`)} and pdnd.phone = ${sql.ref(`${alias}.phone`)} and pdnd.dnd = 1)`;
}

/**
 * SQL: true exactly when the profile row `alias` (a `profiles` table reference) is reachable.
 * Never NULL.
 */
export function reachableSql(alias = 'profiles'): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<SqlBool>`(${col('msg_whatsapp')} = 1 and coalesce(${col('dnd_whatsapp')}, 0) <> 1 and ${col('phone')} is not null and not ${phoneDndExists(alias)})`;
}

/** SQL: the `UnreachableReason` of the profile row `alias`, or NULL when it is reachable. */
export function unreachableReasonSql(alias = 'profiles'): RawBuilder<UnreachableReason | null> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<UnreachableReason | null>`case
    when coalesce(${col('msg_whatsapp')}, 0) <> 1 then 'not_opted_in'
    when ${col('dnd_whatsapp')} = 1 then 'dnd'
    when ${col('phone')} is null then 'no_phone'
    when ${phoneDndExists(alias)} then 'phone_dnd'
    else null end`;
}
