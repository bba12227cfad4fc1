/**
 * Audience benchmark (PRODUCT §5, issue 4): generate N profiles (default 1,000,000) as a CSV
 * stream and import them through the CSV importer (the same bulk path as `wacast import
 * profiles`), add two events per profile through the upload service, then resolve a
 * two-condition segment (a property and an event in the last 30 days) with resolveAudience,
 * the campaign engine's interface. Reports profiles/s, events/s, segment seconds and RSS (peak,
 * and marks while streaming to show it stays flat). The segment's result is checked against the
 * count the generator knows, so a fast wrong answer fails the run.
 */
import { Readable } from 'node:stream';
import type { Db } from '../storage/db.js';
import { createProject } from '../projects/projects.service.js';
import { importProfiles } from '../audience/import.service.js';
import { uploadRecords } from '../audience/upload.service.js';
import { createSegment } from '../audience/segments.service.js';
import { estimateAudience, resolveAudience } from '../audience/audience.service.js';
import type { SegmentFilter } from '../audience/segment-filter.js';
import { MemorySampler } from './memory-sampler.js';
import type { BenchResult, BenchSuite } from './suites.js';

const CITIES = ['Mumbai', 'Delhi', 'Bengaluru', 'Chennai', 'Kolkata', 'Hyderabad', 'Pune', 'Ahmedabad', 'Jaipur', 'Lucknow'];
const DAY_S = 86_400;

export interface AudienceBenchOptions {
  profiles: number;
  /** Keep the generated project and its data. */
  keep?: boolean;
  log?: (line: string) => void;
  /** Reference time (epoch ms), fixed so the expected segment size is known. */
  now?: number;
}

export interface AudienceBenchReport {
  profiles: number;
  importSeconds: number;
  profilesPerSecond: number;
  events: number;
  eventSeconds: number;
  eventsPerSecond: number;
  segmentMatches: number;
  segmentReachable: number;
  estimateSeconds: number;
  resolveSeconds: number;
  resolveAllSeconds: number;
  peakRssMb: number;
  rssMarks: Array<{ label: string; rssMb: number }>;
}

/** The profile the generator writes for index `i` (as CSV), and its event-relevant facts. */
function profileLine(i: number, nowS: number): string {
  const optedIn = i % 7 !== 0;
  const dnd = i % 13 === 0;
  return `user-${i},User ${i},user${i}@example.com,+9198${String(i).padStart(8, '0')},${CITIES[i % CITIES.length]},${18 + (i % 50)},${i % 3 === 0 ? 'gold' : 'silver'},$D_${nowS - (i % 1000) * DAY_S},${optedIn ? 'TRUE' : 'FALSE'},${dnd ? 'TRUE' : 'FALSE'}\n`;
}

const HEADER = 'identity,Name,Email,Phone,City,Age,Plan,Signup,MSG-whatsapp,MSG-dndWhatsApp\n';

function csvStream(count: number, nowS: number): Readable {
  return Readable.from(
    (function* lines() {
      yield Buffer.from(HEADER);
      for (let start = 0; start < count; start += 1000) {
        let chunk = '';
        for (let i = start; i < Math.min(count, start + 1000); i++) chunk += profileLine(i, nowS);
        yield Buffer.from(chunk);
      }
    })(),
  );
}

/** Purchase i happened (i % 90) days and one minute before now. */
const purchaseTs = (i: number, nowS: number) => nowS - (i % 90) * DAY_S - 60;

export const BENCH_SEGMENT: SegmentFilter = {
  type: 'and',
  filters: [
    { type: 'property', name: 'City', op: 'eq', value: 'Mumbai' },
    { type: 'event', name: 'Purchase', within: { lastDays: 30 } },
  ],
};

/** Profiles the generator puts in BENCH_SEGMENT, and how many of them are reachable. */
function expectedSegment(count: number): { total: number; reachable: number } {
  let total = 0;
  let reachable = 0;
  for (let i = 0; i < count; i++) {
    if (i % CITIES.length !== 0 || i % 90 >= 30) continue;
    total++;
    if (i % 7 !== 0 && i % 13 !== 0) reachable++;
  }
  return { total, reachable };
}

export async function runAudienceBench(db: Db, options: AudienceBenchOptions): Promise<AudienceBenchReport> {
  const log = options.log ?? (() => {});
  const count = options.profiles;
  const now = options.now ?? Date.now();
  const nowS = Math.floor(now / 1000);
  const memory = new MemorySampler().start();
  const project = await createProject(db, `bench-audience-${new Date(now).toISOString()}`);
  try {
    memory.mark('start');
    log(`importing ${count.toLocaleString('en')} profiles (CSV stream → importer)…`);
    let nextMark = 0.1;
    const importStart = performance.now();
    const imported = await importProfiles(db, project.id, csvStream(count, nowS), {
      onProgress: (progress) => {
        if (progress.rows >= count * nextMark) {
          memory.mark(`import ${Math.round((progress.rows / count) * 100)}%`);
          log(`  ${progress.rows.toLocaleString('en')} rows, ${Math.round(progress.rows / ((performance.now() - importStart) / 1000)).toLocaleString('en')} rows/s`);
          while (nextMark <= progress.rows / count + 1e-9) nextMark += 0.1;
        }
      },
    });
    const importSeconds = (performance.now() - importStart) / 1000;
    if (imported.created !== count || imported.failed !== 0) throw new Error(`import created ${imported.created} profiles with ${imported.failed} bad rows; expected ${count} and 0`);

    log('adding 2 events per profile through the upload service…');
    const eventStart = performance.now();
    let events = 0;
    for (let start = 0; start < count; start += 500) {
      const records: unknown[] = [];
      for (let i = start; i < Math.min(count, start + 500); i++) {
        records.push({ identity: `user-${i}`, type: 'event', evtName: 'App Opened', ts: nowS - ((i * 7) % 90) * DAY_S - 120 });
        records.push({ identity: `user-${i}`, type: 'event', evtName: 'Purchase', ts: purchaseTs(i, nowS), evtData: { Amount: (i % 500) + 1, Currency: 'INR' } });
      }
      const outcome = await uploadRecords(db, project.id, records, now);
      if (outcome.status !== 'success') throw new Error(`event upload failed: ${JSON.stringify(outcome.unprocessed.slice(0, 3))}`);
      events += records.length;
      if (start % 100_000 === 0 && start > 0) log(`  ${events.toLocaleString('en')} events`);
    }
    const eventSeconds = (performance.now() - eventStart) / 1000;
    memory.mark('after events');

    log('resolving the segment City = Mumbai AND did Purchase in the last 30 days…');
    const segment = await createSegment(db, project.id, { name: 'bench: Mumbai buyers, 30 days', filter: BENCH_SEGMENT });
    const estimateStart = performance.now();
    const estimate = await estimateAudience(db, project.id, { segmentId: segment.id }, { now });
    const estimateSeconds = (performance.now() - estimateStart) / 1000;

    const resolveStart = performance.now();
    let matches = 0;
    for await (const batch of resolveAudience(db, project.id, { segmentId: segment.id }, { batchSize: 1000, now })) matches += batch.length;
    const resolveSeconds = (performance.now() - resolveStart) / 1000;
    memory.mark('after segment');

    const expected = expectedSegment(count);
    if (matches !== expected.total || estimate.total !== expected.total || estimate.reachable !== expected.reachable) {
      throw new Error(`segment gave ${matches} profiles (estimate ${JSON.stringify(estimate)}); the generated data holds ${JSON.stringify(expected)}`);
    }

    log('resolving every profile ({all: true}) in batches of 1000…');
    const allStart = performance.now();
    let all = 0;
    let marked = false;
    for await (const batch of resolveAudience(db, project.id, { all: true }, { batchSize: 1000, now })) {
      all += batch.length;
      if (!marked && all >= count / 2) {
        memory.mark('resolve all 50%');
        marked = true;
      }
    }
    const resolveAllSeconds = (performance.now() - allStart) / 1000;
    if (all !== count) throw new Error(`resolving everyone gave ${all} profiles, expected ${count}`);
    memory.mark('end');

    return {
      profiles: count,
      importSeconds,
      profilesPerSecond: count / importSeconds,
      events,
      eventSeconds,
      eventsPerSecond: events / eventSeconds,
      segmentMatches: matches,
      segmentReachable: estimate.reachable,
      estimateSeconds,
      resolveSeconds,
      resolveAllSeconds,
      peakRssMb: memory.peakMb(),
      rssMarks: memory.marks,
    };
  } finally {
    memory.stop();
    if (!options.keep) {
      log('deleting the generated data…');
      await db.kysely.deleteFrom('events').where('project_id', '=', project.id).execute();
      await db.kysely.deleteFrom('profiles').where('project_id', '=', project.id).execute();
      await db.kysely.deleteFrom('segments').where('project_id', '=', project.id).execute();
      await db.kysely.deleteFrom('projects').where('id', '=', project.id).execute();
    }
  }
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export const audienceBenchSuite: BenchSuite = {
  name: 'audience',
  description: 'Import N profiles from CSV, add 2 events each, resolve a property + event segment (targets: ≥ 20,000 profiles/s on SQLite, segment ≤ 10 s).',
  async run({ runtime, options, log }): Promise<BenchResult> {
    const report = await runAudienceBench(runtime.db, { profiles: options.profiles, keep: options.keep, log });
    const sqlite = runtime.db.dialect === 'sqlite';
    return {
      suite: 'audience',
      engine: runtime.db.dialect,
      metrics: [
        { name: 'CSV import', value: Math.round(report.profilesPerSecond), unit: 'profiles/s', ...(sqlite ? { target: '≥ 20,000', ok: report.profilesPerSecond >= 20_000 } : {}) },
        { name: 'CSV import time', value: round(report.importSeconds), unit: 's' },
        { name: 'events via upload service', value: Math.round(report.eventsPerSecond), unit: 'events/s' },
        { name: 'segment estimate (count + reachable)', value: round(report.estimateSeconds, 2), unit: 's' },
        { name: `segment resolve (${report.segmentMatches.toLocaleString('en')} profiles)`, value: round(report.resolveSeconds, 2), unit: 's', target: '≤ 10', ok: report.resolveSeconds <= 10 },
        { name: `resolve all (${report.profiles.toLocaleString('en')} profiles)`, value: round(report.resolveAllSeconds, 2), unit: 's' },
        { name: 'peak RSS', value: report.peakRssMb, unit: 'MiB' },
      ],
      notes: [
        `${report.profiles.toLocaleString('en')} profiles, ${report.events.toLocaleString('en')} events; segment City = Mumbai AND Purchase in the last 30 days: ${report.segmentMatches.toLocaleString('en')} profiles, ${report.segmentReachable.toLocaleString('en')} reachable (checked against the generator).`,
        `RSS (MiB): ${report.rssMarks.map((mark) => `${mark.label} ${mark.rssMb}`).join(', ')}.`,
      ],
    };
  },
};
