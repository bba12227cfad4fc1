/**
 * The upload API's work: validate every record, then store the valid ones in ONE transaction with
 * batched statements (create missing profiles, load and lock them, apply the profile operations
 * in record order, write changed profiles, append events). Records that fail — when validated or
 * when applied to the stored profile — come back in `unprocessed` with their code; the others
 * are stored.
 */
import type { Db } from '../storage/db.js';
import { writeTransaction } from '../storage/transaction.js';
import { applyProfileOps } from './profile-data.js';
import {
  createMissingProfiles,
  deleteProfiles,
  insertEvents,
  loadProfiles,
  writeProfiles,
  type EventWrite,
} from './profiles.store.js';
import type { RecordFailure } from './upload.codes.js';
import { parseUploadRecord, type ParsedRecord } from './upload.records.js';
import { recordConversions } from '../campaigns/conversions.js';

export interface UnprocessedRecord extends RecordFailure {
  status: 'fail';
  /** Position of the record in `d` (0-based). */
  index: number;
  /** The record as it was sent. */
  record: unknown;
}

export interface BatchOutcome {
  status: 'success' | 'partial' | 'fail';
  processed: number;
  unprocessed: UnprocessedRecord[];
}

/** `success` when every record was stored, `fail` when none was, `partial` otherwise. */
export function batchStatus(processed: number, failed: number): BatchOutcome['status'] {
  if (failed === 0) return 'success';
  return processed === 0 ? 'fail' : 'partial';
}

/** Stores an upload call's records (≤ 1000, checked by the route). `now` is epoch ms. */
export async function uploadRecords(db: Db, projectId: string, records: readonly unknown[], now = Date.now()): Promise<BatchOutcome> {
  const unprocessed: UnprocessedRecord[] = [];
  const valid: Array<{ index: number; record: ParsedRecord }> = [];
  records.forEach((raw, index) => {
    const result = parseUploadRecord(raw, now);
    if (result.ok) valid.push({ index, record: result.record });
    else unprocessed.push({ status: 'fail', ...result.failure, index, record: raw });
  });

  if (valid.length > 0) {
    await writeTransaction(db, async (trx) => {
      const identities = [...new Set(valid.map((entry) => entry.record.identity))];
      const created = await createMissingProfiles(trx, projectId, identities, now);
      const profiles = await loadProfiles(trx, db.dialect, projectId, identities, { lock: true });
      const stored = new Set<string>();
      const events: EventWrite[] = [];
      for (const { index, record } of valid) {
        const profile = profiles.get(record.identity);
        if (!profile) throw new Error(`profile ${record.identity} vanished inside the upload transaction`);
        if (record.kind === 'profile') {
          const applied = applyProfileOps(profile.properties, record.ops);
          if (!applied.ok) {
            unprocessed.push({ status: 'fail', ...applied.failure, index, record: records[index] });
            continue;
          }
          profile.properties = applied.value;
        } else {
          events.push({ profileId: profile.id, name: record.name, properties: record.properties, ts: record.ts });
        }
        stored.add(record.identity);
      }
      const changed = [...profiles.values()].filter((profile) => JSON.stringify(profile.properties) !== profile.original);
      await writeProfiles(trx, projectId, changed, now);
      await insertEvents(trx, projectId, events, now);
      await recordConversions(trx, projectId, events);
      // Profiles created above for records that all failed when applied must not stay behind.
      const orphans = [...created].filter((identity) => !stored.has(identity)).map((identity) => profiles.get(identity)?.id ?? '');
      await deleteProfiles(trx, projectId, orphans.filter(Boolean));
    });
  }

  unprocessed.sort((a, b) => a.index - b.index);
  const processed = records.length - unprocessed.length;
  return { status: batchStatus(processed, unprocessed.length), processed, unprocessed };
}
