import { describe, expect, it } from 'vitest';
import { testEngines } from '../../test/helpers/databases.js';
import { runAudienceBench } from './audience.bench.js';
import { benchSuites } from './suites.js';

describe.each(testEngines())('audience benchmark ($name)', (engine) => {
  it('imports, adds events, resolves the segment correctly and cleans up', async () => {
    const db = await engine.open();
    try {
      const lines: string[] = [];
      const report = await runAudienceBench(db, { profiles: 2_500, log: (line) => lines.push(line) });
      // Correctness is checked inside (the segment must hold what the generator put in it);
      // here: the shape of the report and that nothing was left behind. No timing assertions.
      expect(report).toMatchObject({ profiles: 2_500, events: 5_000, segmentMatches: 84 });
      expect(report.profilesPerSecond).toBeGreaterThan(0);
      expect(report.rssMarks.map((mark) => mark.label)).toEqual(['start', 'import 40%', 'import 80%', 'import 100%', 'after events', 'after segment', 'resolve all 50%', 'end']);
      expect(lines.some((line) => line.startsWith('importing 2,500 profiles'))).toBe(true);
      for (const table of ['profiles', 'events', 'segments', 'projects'] as const) {
        const row = await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect(Number(row.n), table).toBe(0);
      }
    } finally {
      await db.close();
    }
  });

  it('is registered as a bench suite', () => {
    expect(benchSuites.map((suite) => suite.name)).toContain('audience');
  });
});
