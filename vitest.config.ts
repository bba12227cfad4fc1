import { defineConfig } from 'vitest/config';

// Two phases (package.json `test`): everything in parallel, then `*.serial.test.ts` one file at a
// time on a quiet machine — the tests that measure rate at the provider or kill processes.
const serial = process.env.WACAST_TEST_PHASE === 'serial';
const SERIAL = ['src/**/*.serial.test.ts', 'test/**/*.serial.test.ts'];

export default defineConfig({
  test: {
    include: serial ? SERIAL : ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    exclude: serial ? ['**/node_modules/**'] : ['**/node_modules/**', ...SERIAL],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more parallel files only adds contention (SQLite fsyncs, Chromium, PostgreSQL).
    maxWorkers: serial ? 1 : 2,
    fileParallelism: !serial,
    reporters: process.env.CI === 'true' ? ['default', 'json'] : ['default'],
    outputFile: { json: serial ? 'test-results/vitest-serial.json' : 'test-results/vitest.json' },
  },
});
