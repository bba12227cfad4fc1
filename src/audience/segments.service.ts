/** Saved segments: a name and a filter (segment-filter.ts), scoped to a project. */
import type { Db } from '../storage/db.js';
import type { SegmentsTable } from '../storage/schema.js';
import type { Selectable } from 'kysely';
import { parseJson, toJson } from '../storage/json.js';
import { newId } from '../ids.js';
import { conflict, notFound } from '../errors.js';
import { idCursor } from '../cursors.js';
import type { SegmentFilter } from './segment-filter.js';

export interface Segment {
  id: string;
  name: string;
  filter: SegmentFilter;
  createdAt: number;
  updatedAt: number;
}

function toSegment(row: Selectable<SegmentsTable>): Segment {
  return { id: row.id, name: row.name, filter: parseJson<SegmentFilter>(row.filter, { type: 'and', filters: [] }), createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Creates a segment; `filter` must already be valid (validateSegmentFilter / the route schema). */
export async function createSegment(db: Db, projectId: string, input: { name: string; filter: SegmentFilter }): Promise<Segment> {
  const now = Date.now();
  const row = { id: newId(now), project_id: projectId, name: input.name, filter: toJson(input.filter), created_at: now, updated_at: now };
  await db.kysely.insertInto('segments').values(row).execute();
  return toSegment({ ...row, filter: input.filter });
}

/** The segment, or a 404 (also for another project's segment). */
export async function getSegment(db: Db, projectId: string, id: string): Promise<Segment> {
  const row = await db.kysely.selectFrom('segments').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Segment', id);
  return toSegment(row);
}

/** Newest first; `cursor` is the id of the last segment of the previous page. */
export async function listSegments(db: Db, projectId: string, options: { cursor?: string | undefined; limit: number }): Promise<{ items: Segment[]; nextCursor: string | null }> {
  let query = db.kysely.selectFrom('segments').selectAll().where('project_id', '=', projectId);
  const after = idCursor(options.cursor);
  if (after) query = query.where('id', '<', after);
  const rows = await query.orderBy('id', 'desc').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit);
  return { items: page.map(toSegment), nextCursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
}

export async function updateSegment(db: Db, projectId: string, id: string, patch: { name?: string | undefined; filter?: SegmentFilter | undefined }): Promise<Segment> {
  const current = await getSegment(db, projectId, id);
  const next = { name: patch.name ?? current.name, filter: patch.filter ?? current.filter, updated_at: Date.now() };
  await db.kysely
    .updateTable('segments')
    .set({ name: next.name, filter: toJson(next.filter), updated_at: next.updated_at })
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .execute();
  return { ...current, name: next.name, filter: next.filter, updatedAt: next.updated_at };
}

/**
 * Deletes a segment, unless a campaign still needs it: one whose recipients are not materialised
 * yet (a draft, a scheduled campaign, or one still materialising — also one that ended meanwhile,
 * whose remaining recipients are still being added, cancelled) would fail or lose its audience.
 * Campaigns that have materialised their recipients keep them; the segment is no longer read.
 */
const ENDED: ReadonlySet<string> = new Set(['stopped', 'completed', 'failed']);

export async function deleteSegment(db: Db, projectId: string, id: string): Promise<void> {
  const pending = await db.kysely
    .selectFrom('campaigns')
    .select(['id', 'name', 'state', 'audience'])
    .where('project_id', '=', projectId)
    .where('materialized_at', 'is', null)
    .execute();
  const users = pending.filter((campaign) => parseJson<{ segmentId?: string }>(campaign.audience, {}).segmentId === id);
  if (users.length > 0) {
    const names = users.slice(0, 5).map((campaign) => `"${campaign.name}" (${campaign.state})`).join(', ');
    const more = users.length > 5 ? ` and ${users.length - 5} more` : '';
    if (users.every((campaign) => ENDED.has(campaign.state))) {
      throw conflict(
        'segment_in_use',
        `This segment cannot be deleted yet: ${names}${more} ended while ${users.length === 1 ? 'its' : 'their'} audience was being added, and the rest of it is still being added (cancelled, so that the report counts everyone targeted). Try again in a moment.`,
        { campaigns: users.map((campaign) => campaign.id) },
      );
    }
    throw conflict(
      'segment_in_use',
      `This segment cannot be deleted while ${users.length === 1 ? 'campaign' : 'campaigns'} ${names}${more} ${users.length === 1 ? 'is' : 'are'} set to send to it: change ${users.length === 1 ? "that campaign's" : "those campaigns'"} audience, or delete or stop ${users.length === 1 ? 'it' : 'them'}, first.`,
      { campaigns: users.map((campaign) => campaign.id) },
    );
  }
  const result = await db.kysely.deleteFrom('segments').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('Segment', id);
}
