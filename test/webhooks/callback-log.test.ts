import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { createCallbackAccount, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { CallbackLog, CallbackLogUnavailable, DEFAULT_CALLBACK_LOG_OPTIONS, type CallbackEntry, type CallbackLogOptions } from '../../src/webhooks/callback-log.js';
import { ParsedEventCache } from '../../src/webhooks/parsed-events.js';
import type { Db } from '../../src/storage/db.js';

/** Counts the INSERTs, and can refuse entries whose body says so. */
class CountingLog extends CallbackLog {
  inserts: number[] = [];
  constructor(db: Db, options: Partial<CallbackLogOptions> = {}, readonly committed: number[] = []) {
    super(db, (rows) => committed.push(...rows.map((row) => row.seq)), { ...DEFAULT_CALLBACK_LOG_OPTIONS, ...options });
  }
  protected override async insert(entries: CallbackEntry[]): Promise<number[]> {
    this.inserts.push(entries.length);
    if (entries.some((entry) => entry.body === 'poison')) throw new Error('cannot store this one');
    return super.insert(entries);
  }
}

describe.each(testEngines())('callback log with group commit ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let account: CallbackAccountUrls;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    account = await createCallbackAccount(ctx, project, 'gupshup');
  });
  afterAll(() => ctx?.close());

  const entry = (body: string): CallbackEntry => ({
    projectId: project.projectId, providerId: account.id, providerType: 'gupshup', kind: 'delivery', receivedAt: Date.now(), method: 'POST',
    contentType: 'application/json', body, query: null, signatureOk: null, state: 'pending', error: null, httpStatus: 200,
  });

  it('commits everything appended meanwhile in one INSERT and answers each with its seq, in order', async () => {
    const log = new CountingLog(ctx.db);
    const seqs = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(entry(`body-${i}`))));
    expect(log.inserts).toEqual([200]);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(200);
    expect(log.committed).toEqual(seqs);
    const stored = await ctx.db.kysely.selectFrom('callback_events').select(['seq', 'body']).where('seq', 'in', seqs).orderBy('seq').execute();
    expect(stored.map((row) => row.body)).toEqual(Array.from({ length: 200 }, (_, i) => `body-${i}`));
    await log.close();
  });

  it('splits large bursts into batches of maxBatch, and waits flushMs when asked to', async () => {
    const log = new CountingLog(ctx.db, { maxBatch: 50, flushMs: 5 });
    await Promise.all(Array.from({ length: 120 }, (_, i) => log.append(entry(`burst-${i}`))));
    expect(log.inserts.reduce((sum, size) => sum + size, 0)).toBe(120);
    expect(Math.max(...log.inserts)).toBeLessThanOrEqual(50);
    await log.close();
  });

  it('fails only the entry that cannot be stored, refuses beyond maxQueued, and refuses after close', async () => {
    const log = new CountingLog(ctx.db, { maxQueued: 10 });
    const results = await Promise.allSettled(['a', 'poison', 'b'].map((body) => log.append(entry(body))));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(CallbackLogUnavailable);

    const flood = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => log.append(entry(`flood-${i}`))));
    expect(flood.filter((result) => result.status === 'rejected')).toHaveLength(2);
    await log.close();
    await expect(log.append(entry('late'))).rejects.toThrow(/shutting down/);
  });
});

describe('parsed-event hand-over', () => {
  it('keeps entries only while an applier is attached, drops the oldest past its bound, and hands each over once', () => {
    const cache = new ParsedEventCache(3);
    cache.put(1, []);
    expect(cache.size).toBe(0);
    const detach = cache.attach();
    for (let seq = 1; seq <= 5; seq++) cache.put(seq, [{ kind: 'user', phone: `+1415555000${seq}`, type: 'opted_out' }]);
    expect(cache.size).toBe(3);
    expect(cache.take(1)).toBeUndefined();
    expect(cache.take(5)).toEqual([{ kind: 'user', phone: '+14155550005', type: 'opted_out' }]);
    expect(cache.take(5)).toBeUndefined();
    detach();
    expect(cache.size).toBe(0);
  });
});
