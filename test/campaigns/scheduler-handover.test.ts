/**
 * A worker stopped gracefully (SIGTERM: an upgrade, a restart) hands the campaign clockwork over at
 * once: the next worker starts scheduled campaigns and settles lost sends without waiting for the
 * stopped one's lease to run out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { openTestContext, type TestContext } from '../helpers/context.js';
import { SchedulerService } from '../../src/campaigns/scheduler.js';

describe.each(testEngines())('scheduler hand-over ($name)', (engine) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext(engine);
  });
  afterAll(() => ctx?.close());

  it('a stopped scheduler gives its lease up; one still running keeps it', async () => {
    const stopping = new SchedulerService(ctx.deps, 'worker-stopping');
    const running = new SchedulerService(ctx.deps, 'worker-running');
    const next = new SchedulerService(ctx.deps, 'worker-next');

    expect(await stopping.tick()).toBe(true);
    expect(await next.tick()).toBe(false);
    await stopping.stop();
    expect(await next.tick()).toBe(true);

    // Stopping a scheduler that does not hold the lease leaves the holder alone.
    await running.stop();
    expect(await stopping.tick()).toBe(false);
    await next.stop();
  });
});
