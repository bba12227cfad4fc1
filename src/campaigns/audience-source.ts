/**
 * The recipients of a campaign, streamed in batches in profile-id order (constant memory for any
 * audience size), with everything needed to decide reachability.
 */
import type { AppDeps } from '../deps.js';
import { parseJson } from '../storage/json.js';
import type { Audience } from './campaigns.service.js';

export interface Recipient {
  id: string;
  identity: string;
  phone: string | null;
  properties: Record<string, unknown>;
  msgWhatsapp: boolean | null;
  dndWhatsapp: boolean | null;
  phoneDnd: boolean;
}

export async function* streamRecipients(
  deps: Pick<AppDeps, 'db'>,
  projectId: string,
  audience: Audience,
  options: { after?: string | null; batchSize: number },
): AsyncGenerator<Recipient[]> {
  if ('segmentId' in audience) throw new Error('Segment audiences are not available in this build.');
  let after = options.after ?? '';
  for (;;) {
    let query = deps.db.kysely
      .selectFrom('profiles')
      .leftJoin('phone_dnd', (join) => join.onRef('phone_dnd.project_id', '=', 'profiles.project_id').onRef('phone_dnd.phone', '=', 'profiles.phone'))
      .select(['profiles.id', 'profiles.identity', 'profiles.phone', 'profiles.properties', 'profiles.msg_whatsapp', 'profiles.dnd_whatsapp', 'phone_dnd.dnd'])
      .where('profiles.project_id', '=', projectId)
      .where('profiles.id', '>', after);
    if ('identities' in audience) query = query.where('profiles.identity', 'in', audience.identities);
    const rows = await query.orderBy('profiles.id').limit(options.batchSize).execute();
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      id: row.id,
      identity: row.identity,
      phone: row.phone,
      properties: parseJson<Record<string, unknown>>(row.properties, {}),
      msgWhatsapp: row.msg_whatsapp === null ? null : row.msg_whatsapp === 1,
      dndWhatsapp: row.dnd_whatsapp === null ? null : row.dnd_whatsapp === 1,
      phoneDnd: row.dnd === 1,
    }));
    after = rows[rows.length - 1]!.id;
    if (rows.length < options.batchSize) return;
  }
}
