import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { FakeProvider } from '../helpers/fake-provider.js';
import { createCallbackAccount, gupshupInbound, postJson, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { ApplierService, DEFAULT_APPLIER_SERVICE_OPTIONS } from '../../src/webhooks/applier.service.js';
import type { ProviderClients } from '../../src/providers/provider-clients.js';

const AUTO_REPLY = 'Thanks for writing! An agent will answer soon.';

/**
 * One applier at a time (lease `applier`, 10 s). A pass that outlives its lease — a long
 * transaction, a paused process — must not apply what the worker that took the lease over applies
 * too: the write transaction checks the lease and the pass is abandoned when it was lost.
 */
describe.each(testEngines())('callback applier lease ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let gupshup: CallbackAccountUrls;
  const fake = new FakeProvider();

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    gupshup = await createCallbackAccount(ctx, project, 'gupshup', { autoReply: { enabled: true, text: AUTO_REPLY } });
  });
  afterAll(() => ctx?.close());

  /** An inbound message as Gupshup Enterprise may send it: without `replyId`, so nothing in the message itself makes a second application a no-op. */
  const inboundWithoutId = (from: string, text: string) => {
    const { replyId: _omitted, ...body } = gupshupInbound(from, text);
    return body;
  };

  /** An applier service whose passes stop before their write transaction until `release()`; `reached` resolves when one does. */
  function pausedService(owner: string) {
    let release!: () => void;
    let reached!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    const providers = {
      get: async (id: string) => {
        reached();
        await gate;
        return ctx.deps.providers.get(id);
      },
    } as unknown as ProviderClients;
    const service = new ApplierService({ ...ctx.deps, providers }, owner, DEFAULT_APPLIER_SERVICE_OPTIONS);
    return { service, release, atGate };
  }

  const inboundRows = (phone: string) => ctx.db.kysely.selectFrom('inbound_messages').select('id').where('project_id', '=', project.projectId).where('phone', '=', phone).execute();
  const outbound = (phone: string) =>
    ctx.db.kysely.selectFrom('messages').select('kind').where('project_id', '=', project.projectId).where('phone', '=', phone).where('campaign_id', 'is', null).execute();
  const conversation = (phone: string) =>
    ctx.db.kysely.selectFrom('conversations').select(['unread']).where('project_id', '=', project.projectId).where('phone', '=', phone).executeTakeFirstOrThrow();
  const lease = () => ctx.db.kysely.selectFrom('leases').select(['owner', 'expires_at']).where('name', '=', 'applier').executeTakeFirst();

  it('abandons a pass whose lease another worker took meanwhile: the auto-reply, the STOP confirmation and the messages are applied once', async () => {
    const stranger = '+447700900101';
    const stopper = '+447700900102';
    expect((await postJson(ctx, gupshup.inbound, inboundWithoutId(stranger, 'hello?'))).statusCode).toBe(200);
    expect((await postJson(ctx, gupshup.inbound, inboundWithoutId(stopper, 'STOP'))).statusCode).toBe(200);

    const first = pausedService('worker-a');
    const slowPass = first.service.pass();
    await first.atGate;
    // Worker A's pass has read the callbacks and is held up past its lease (10 s in production):
    // worker B finds the lease run out, takes it and applies the same callbacks.
    await ctx.db.kysely.updateTable('leases').set({ expires_at: Date.now() - 1 }).where('name', '=', 'applier').execute();
    const second = new ApplierService(ctx.deps, 'worker-b', DEFAULT_APPLIER_SERVICE_OPTIONS);
    expect((await second.pass()).callbacks).toBe(2);
    expect(await lease()).toMatchObject({ owner: 'worker-b' });

    first.release();
    await slowPass;
    expect(await inboundRows(stranger)).toHaveLength(1);
    expect(await inboundRows(stopper)).toHaveLength(1);
    expect((await outbound(stranger)).map((row) => row.kind)).toEqual(['auto_reply']);
    expect((await outbound(stopper)).map((row) => row.kind)).toEqual(['keyword_reply']);
    expect(await conversation(stranger)).toEqual({ unread: 1 });
    expect(await conversation(stopper)).toEqual({ unread: 1 });
    // Worker B still holds the lease; worker A knows it lost it and applies nothing more.
    expect(await lease()).toMatchObject({ owner: 'worker-b' });
    expect((await first.service.pass()).callbacks).toBe(0);
    await first.service.stop();
    await second.stop();
  });

  it('applies a pass whose lease ran out while nobody took it over, and holds the lease again', async () => {
    const stranger = '+447700900103';
    expect((await postJson(ctx, gupshup.inbound, inboundWithoutId(stranger, 'anyone there?'))).statusCode).toBe(200);
    const only = pausedService('worker-c');
    await ctx.db.kysely.deleteFrom('leases').where('name', '=', 'applier').execute();
    const pass = only.service.pass();
    await only.atGate;
    await ctx.db.kysely.updateTable('leases').set({ expires_at: Date.now() - 1 }).where('name', '=', 'applier').execute();
    only.release();
    expect((await pass).callbacks).toBe(1);
    expect(await inboundRows(stranger)).toHaveLength(1);
    expect((await outbound(stranger)).map((row) => row.kind)).toEqual(['auto_reply']);
    const held = await lease();
    expect(held).toMatchObject({ owner: 'worker-c' });
    expect(held!.expires_at).toBeGreaterThan(Date.now());
    await only.service.stop();
  });
});
