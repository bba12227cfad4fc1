/**
 * The recipients of a campaign, streamed in batches (constant memory for any audience size) with
 * everything the reachability rule needs. A thin seam over the audience domain's resolver.
 */
import type { AppDeps } from '../deps.js';
import { resolveAudience, type AudienceProfile } from '../audience/audience.service.js';
import type { Audience } from './campaigns.service.js';

export type Recipient = AudienceProfile;

export function streamRecipients(
  deps: Pick<AppDeps, 'db'>,
  projectId: string,
  audience: Audience,
  options: { after?: string | null; batchSize: number },
): AsyncGenerator<Recipient[]> {
  return resolveAudience(deps.db, projectId, audience, { batchSize: options.batchSize, after: options.after ?? null });
}
