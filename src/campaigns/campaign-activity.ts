/**
 * A campaign's activity: who or what created, edited, published, paused, resumed, stopped or
 * cloned it, and what wacast itself did to it (the scheduler starting or ending it, the publisher
 * failing it, `wacast restore` pausing it, the scheduler recovering the messages of a worker that
 * stopped while sending). One entry per change, written by `recordActivity` with
 * the transaction of the change, so an entry exists exactly when its change committed.
 *
 * Who acted is passed down explicitly (docs/decisions/0010-campaign-activity.md): routes take it
 * from the request (`actorOf`), background services pass their SYSTEM_ACTORS entry. The actor is a
 * snapshot (label and id as plain text): a deleted user or revoked credential keeps its entries.
 * Only state changes and edits write here, never a message's send or receipt.
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { Database } from '../storage/schema.js';
import { newId } from '../ids.js';
import { parseJson, toJson } from '../storage/json.js';
import { idCursor } from '../cursors.js';
import { notFound, unauthorized } from '../errors.js';

export type Actor =
  /** A dashboard user: their email then, and their user id. */
  | { type: 'user'; id: string; label: string }
  /** Project API credentials: their label then, and their account id (never the passcode). */
  | { type: 'api'; id: string; label: string }
  /** wacast itself: which part. */
  | { type: 'system'; label: string };

/** The parts of wacast that change campaigns on their own. */
export const SYSTEM_ACTORS = {
  scheduler: { type: 'system', label: 'scheduler' },
  publisher: { type: 'system', label: 'publisher' },
  restore: { type: 'system', label: 'wacast restore' },
  demo: { type: 'system', label: 'wacast demo' },
  bench: { type: 'system', label: 'wacast bench' },
} as const satisfies Record<string, Actor>;

export const ACTIVITY_ACTIONS = [
  'created',
  'edited',
  'published',
  'started',
  'paused',
  'resumed',
  'stopped',
  'completed',
  'failed',
  'cloned',
  'cloned_from',
  'interrupted',
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

/**
 * What an entry says beyond its action:
 * - edited: `fields`, the API names of the fields that changed;
 * - published: `state` (running, or scheduled with `sendAt`);
 * - resumed: `state` (running, or scheduled when its send time is still ahead);
 * - paused (by wacast restore), stopped, completed (ended early), failed: `reason`;
 * - cloned: `campaignId` and `name` of the copy; cloned_from: those of the original;
 * - interrupted (a worker stopped or stalled while sending; recorded by the scheduler when the
 *   messages' leases ran out): `requeued`, claimed but never sent, queued again (send journal);
 *   `unknown`, whose request may have left.
 */
export type ActivityDetails = Record<string, unknown>;

export interface ActivityEntry {
  id: string;
  at: number;
  action: ActivityAction;
  actor: { type: Actor['type']; label: string; id: string | null };
  details: ActivityDetails;
}

/** Who is calling: the session's user, or the project's API credentials. */
export function actorOf(request: FastifyRequest): Actor {
  const auth = request.auth;
  if (auth?.kind === 'session') return { type: 'user', id: auth.user.userId, label: auth.user.email };
  if (auth?.kind === 'api') return { type: 'api', id: auth.accountId, label: auth.label };
  throw unauthorized();
}

export interface NewActivity {
  /** The entry's id when the caller needs it (to update its details later); a new one otherwise. */
  id?: string | undefined;
  projectId: string;
  campaignId: string;
  action: ActivityAction;
  actor: Actor;
  at: number;
  details?: ActivityDetails | undefined;
}

/** Appends entries, in the caller's transaction (the one that makes the change they record). */
export async function recordActivity(trx: Kysely<Database>, entries: NewActivity | NewActivity[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await trx
    .insertInto('campaign_activity')
    .values(
      list.map((entry) => ({
        id: entry.id ?? newId(entry.at),
        project_id: entry.projectId,
        campaign_id: entry.campaignId,
        at: entry.at,
        action: entry.action,
        actor_type: entry.actor.type,
        actor_id: entry.actor.type === 'system' ? null : entry.actor.id,
        actor_label: entry.actor.label.slice(0, 200),
        details: entry.details && Object.keys(entry.details).length > 0 ? toJson(entry.details) : null,
      })),
    )
    .execute();
}

/** Replaces what an entry says (a recovery adding up its batches into one `interrupted` entry), in the caller's transaction. */
export async function updateActivityDetails(trx: Kysely<Database>, id: string, details: ActivityDetails): Promise<void> {
  await trx.updateTable('campaign_activity').set({ details: toJson(details) }).where('id', '=', id).execute();
}

/** A campaign's entries, newest first; 404 when the project has no such campaign. */
export async function listActivity(
  deps: Pick<AppDeps, 'db'>,
  projectId: string,
  campaignId: string,
  options: { cursor?: string | undefined; limit: number },
): Promise<{ items: ActivityEntry[]; nextCursor: string | null }> {
  const after = idCursor(options.cursor);
  const campaign = await deps.db.kysely.selectFrom('campaigns').select('id').where('id', '=', campaignId).where('project_id', '=', projectId).executeTakeFirst();
  if (!campaign) throw notFound('Campaign', campaignId);
  let query = deps.db.kysely
    .selectFrom('campaign_activity')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('project_id', '=', projectId);
  if (after) query = query.where('id', '<', after);
  const rows = await query.orderBy('id', 'desc').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit);
  return {
    items: page.map((row) => ({
      id: row.id,
      at: Number(row.at),
      action: row.action as ActivityAction,
      actor: { type: row.actor_type, label: row.actor_label, id: row.actor_id },
      details: parseJson<ActivityDetails>(row.details, {}),
    })),
    nextCursor: rows.length > options.limit ? page[page.length - 1]!.id : null,
  };
}
