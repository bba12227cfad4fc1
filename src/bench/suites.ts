/**
 * The benchmark suites behind `wacast bench`. A suite measures one product target (PRODUCT §5)
 * against the database the CLI is configured for, and cleans up after itself unless told to keep
 * its data. Add a suite: implement `BenchSuite` in src/<domain>/ or src/bench/ and list it in
 * `benchSuites` below.
 */
import type { Runtime } from '../runtime.js';
import { audienceBenchSuite } from './audience.bench.js';
import { dispatchBenchSuite } from './dispatch.bench.js';
import { rateBenchSuite } from './rate.bench.js';
import { callbacksBenchSuite } from './callbacks.bench.js';
import { combinedBenchSuite } from './combined.bench.js';
import { memoryBenchSuite } from './memory.bench.js';

export interface BenchOptions {
  /** Profiles to generate (audience; other suites may size themselves from it). */
  profiles: number;
  /** Messages of the sending benchmarks (dispatch, callbacks, combined). */
  messages: number;
  /** Keep the generated data (a project named bench-…) instead of deleting it. */
  keep: boolean;
}

export interface BenchMetric {
  name: string;
  value: number;
  unit: string;
  /** The target, in words (e.g. "≥ 20,000"), when the product sets one. */
  target?: string;
  /** Whether the value meets the target. */
  ok?: boolean;
}

export interface BenchResult {
  suite: string;
  engine: string;
  metrics: BenchMetric[];
  /** Anything a reader needs to interpret the numbers. */
  notes: string[];
}

export interface BenchContext {
  runtime: Runtime;
  options: BenchOptions;
  /** Progress lines (stderr). */
  log(line: string): void;
}

export interface BenchSuite {
  name: string;
  description: string;
  run(context: BenchContext): Promise<BenchResult>;
}

/** Every suite, in the order `wacast bench` runs them by default. */
export const benchSuites: BenchSuite[] = [dispatchBenchSuite, rateBenchSuite, callbacksBenchSuite, combinedBenchSuite, audienceBenchSuite, memoryBenchSuite];
