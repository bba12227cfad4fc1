/**
 * Deterministic interleaving of two requests: the first is held right after its n-th database
 * query returned (keeping whatever it holds then: an open transaction, its row locks, SQLite's
 * connection), the second runs meanwhile, then the first goes on. Trying every n puts the second
 * request between every two steps of the first.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Db } from '../../src/storage/db.js';

class PauseAfterQuery implements KyselyPlugin {
  private seen = 0;
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  private markReached!: () => void;
  readonly reached = new Promise<void>((resolve) => (this.markReached = resolve));

  constructor(private readonly n: number) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.seen += 1;
    if (this.seen === this.n) {
      this.markReached();
      await this.gate;
    }
    return args.result;
  }

  open(): void {
    this.release();
  }
}

export interface Interleaving<A, B> {
  /** False when the first request made fewer than n queries (it ran alone; `second` did not run). */
  paused: boolean;
  first: A;
  second: B | undefined;
}

/**
 * Runs `first`, holds it after its n-th query, runs `second` until it finishes or `holdMs` passes
 * (it may be waiting for what the first holds), then lets the first go on and awaits both. Nothing
 * else may use the database meanwhile: every query counts.
 */
export async function interleave<A, B>(db: Db, n: number, first: () => Promise<A>, second: () => Promise<B>, holdMs = 150): Promise<Interleaving<A, B>> {
  const original = db.kysely;
  const pause = new PauseAfterQuery(n);
  db.kysely = original.withPlugin(pause);
  try {
    const firstDone = first();
    const paused = await Promise.race([pause.reached.then(() => true), firstDone.then(() => false)]);
    if (!paused) return { paused, first: await firstDone, second: undefined };
    db.kysely = original;
    const secondDone = second();
    await Promise.race([secondDone, new Promise((resolve) => setTimeout(resolve, holdMs))]);
    pause.open();
    const [firstResult, secondResult] = await Promise.all([firstDone, secondDone]);
    return { paused, first: firstResult, second: secondResult };
  } finally {
    pause.open();
    db.kysely = original;
  }
}
