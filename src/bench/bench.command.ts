/**
 * `wacast bench [--suite audience,…] [--profiles N] [--keep] [--json]`: runs benchmark suites
 * (./suites.ts) against the database configured by the WACAST_* environment (use a database made
 * for it: the suites write and then delete a bench-… project). Prints one table per suite, or
 * JSON; exits 1 when a metric misses its target.
 */
import { cpus, totalmem } from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { createLogger } from '../logger.js';
import { benchSuites, type BenchResult } from './suites.js';
import { tuneHeapForServer } from '../heap.js';

interface BenchCommandOptions {
  suite?: string;
  profiles: string;
  messages: string;
  keep?: boolean;
  json?: boolean;
}

function formatResult(result: BenchResult): string {
  const rows = result.metrics.map((metric) => {
    const verdict = metric.ok === undefined ? '' : metric.ok ? 'ok' : 'MISSED';
    return [metric.name, `${metric.value.toLocaleString('en')} ${metric.unit}`, metric.target ?? '', verdict];
  });
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length), 6));
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  return [`${result.suite} (${result.engine})`, ...lines.map((line) => `  ${line}`), ...result.notes.map((note) => `  · ${note}`)].join('\n');
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(`Measure the product targets on this machine and database. Suites: ${benchSuites.map((suite) => suite.name).join(', ')}.`)
    .option('--suite <names>', 'comma-separated suites to run (default: all)')
    .option('--profiles <n>', 'profiles to generate (audience)', '1000000')
    .option('--messages <n>', 'messages to send (dispatch)', '100000')
    .option('--keep', 'keep the generated data instead of deleting it')
    .option('--json', 'print the results as JSON')
    .action(async (options: BenchCommandOptions) => {
      const profiles = Number(options.profiles);
      const messages = Number(options.messages);
      for (const [flag, value, raw] of [['--profiles', profiles, options.profiles], ['--messages', messages, options.messages]] as const) {
        if (!Number.isSafeInteger(value) || value < 1) {
          console.error(`${flag} must be a whole number ≥ 1, got ${raw}`);
          process.exitCode = 1;
          return;
        }
      }
      const wanted = options.suite ? options.suite.split(',').map((name) => name.trim()).filter(Boolean) : benchSuites.map((suite) => suite.name);
      const unknown = wanted.filter((name) => !benchSuites.some((suite) => suite.name === name));
      if (unknown.length > 0) {
        console.error(`Unknown suite(s): ${unknown.join(', ')}. Suites: ${benchSuites.map((suite) => suite.name).join(', ')}.`);
        process.exitCode = 1;
        return;
      }
      // The suites stand in for `wacast serve` / `wacast worker`: the same heap settings.
      const config = loadConfig();
      tuneHeapForServer(config);
      const runtime = await openRuntime(config, { logger: createLogger('warn') });
      const results: BenchResult[] = [];
      try {
        console.error(`wacast bench on ${runtime.db.dialect} (${runtime.db.location}); ${cpus().length} CPUs, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, Node ${process.version}`);
        for (const name of wanted) {
          const suite = benchSuites.find((candidate) => candidate.name === name)!;
          console.error(`\n== ${suite.name}: ${suite.description}`);
          const result = await suite.run({ runtime, options: { profiles, messages, keep: options.keep === true }, log: (line) => console.error(line) });
          results.push(result);
          if (!options.json) console.log(`\n${formatResult(result)}`);
        }
      } finally {
        await runtime.close();
      }
      if (options.json) console.log(JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, results }, null, 2));
      if (results.some((result) => result.metrics.some((metric) => metric.ok === false))) process.exitCode = 1;
    });
}
