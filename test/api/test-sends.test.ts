import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { FakeProvider } from '../helpers/fake-provider.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { TEST_SEND_BURST, TEST_SEND_INTERVAL_MS } from '../../src/campaigns/send-test.js';

const RATE = 200; // three test sends a second

/**
 * Test messages go around an account's pacer, so they take the room it leaves: at most one, two or
 * three in any sliding second by the account's rate (src/campaigns/send-test.test.ts), counted in
 * the database for every process — a script sending tests in a loop beside a full-rate campaign
 * cannot push the account over its rate.
 */
describe.each(testEngines())('test messages are limited per provider account ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  const fake = new FakeProvider();
  const accounts: Array<{ id: string; templateId: string }> = [];

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    for (const nickname of ['first', 'second', 'third']) {
      const account = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput({ nickname, ratePerSecond: RATE }) }));
      const template = json(
        await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId: account.id, namespace: `ABC:hello_${nickname}`, body: 'Hi {{1}}', attachmentType: 'none' } }),
      );
      accounts.push({ id: account.id, templateId: template.id });
    }
  });
  afterAll(() => ctx?.close());

  const sendTest = (account: { id: string; templateId: string }, to = '+919876543210') =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/providers/${account.id}/test`, headers: project.headers, payload: { to, templateId: account.templateId, params: ['Asha'] } });

  it('answers 429 with Retry-After once the burst is spent, sending nothing for it; other accounts are not held up', async () => {
    const [first, second] = accounts as [(typeof accounts)[0], (typeof accounts)[0]];
    const sendsBefore = fake.sends.length;
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: TEST_SEND_BURST + 5 }, () => sendTest(first)));
    const elapsed = Date.now() - started;
    const accepted = answers.filter((answer) => answer.statusCode === 200);
    const refused = answers.filter((answer) => answer.statusCode === 429);
    expect(accepted.length + refused.length).toBe(answers.length);
    // Three, plus three more for each full second the requests took on a slow machine.
    expect(accepted.length).toBeGreaterThanOrEqual(TEST_SEND_BURST);
    expect(accepted.length).toBeLessThanOrEqual(TEST_SEND_BURST * (1 + Math.floor(elapsed / TEST_SEND_INTERVAL_MS)));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.headers['retry-after']).toBe('1');
    expect(json(refused[0]!).error).toMatchObject({ code: 'too_many_requests', message: expect.stringContaining('at most 3 a second') });
    expect(fake.sends.length - sendsBefore).toBe(accepted.length);
    expect((await sendTest(second)).statusCode).toBe(200);
  });

  it('reads the number as every other number at the edge: full metadata, the reason when refused', async () => {
    const second = accounts[1]!;
    // The right length for China, but no Chinese number starts so; a national 0 after +91.
    for (const [typed, reason] of [['+86 123 4567 890', 'is not a valid number for CN (+86)'], ['+91 0123456789', 'is not a valid number for IN (+91)'], ['call me', 'is not a phone number']] as const) {
      const answer = await sendTest(second, typed);
      expect(answer.statusCode, typed).toBe(422);
      expect(json(answer).error.details, typed).toEqual([{ path: 'to', message: expect.stringContaining(reason) }]);
    }
    const sendsBefore = fake.sends.length;
    // Digits with the country code but no "+", and a Mexican mobile written with the old "1".
    expect((await sendTest(second, '919876543210')).statusCode).toBe(200);
    expect((await sendTest(second, '+52 1 55 1234 5678')).statusCode).toBe(200);
    expect(fake.sends.slice(sendsBefore).map((send) => send.to)).toEqual(['+919876543210', '+525512345678']);
  });

  it('does not count requests refused for their input', async () => {
    const third = accounts[2]!;
    for (let i = 0; i < TEST_SEND_BURST + 2; i++) expect((await sendTest(third, 'nobody')).statusCode).toBe(422);
    const answers = await Promise.all(Array.from({ length: TEST_SEND_BURST }, () => sendTest(third)));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array.from({ length: TEST_SEND_BURST }, () => 200));
  });

  it('sends the values of a provider test message as typed, refusing Liquid in them; a campaign send test renders it', async () => {
    const third = accounts[2]!;
    const sendsBefore = fake.sends.length;
    const typed = await ctx.app.inject({ method: 'POST', url: `/api/v1/providers/${third.id}/test`, headers: project.headers, payload: { to: '+919876543210', templateId: third.templateId, params: ['{{ Profile.Name }}'] } });
    expect(typed.statusCode, typed.body).toBe(422);
    expect(json(typed).error.details).toEqual([{ path: 'params.0', message: expect.stringMatching(/^looks like Liquid .* sent as typed/) }]);
    expect(fake.sends.length).toBe(sendsBefore);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a new second of test sends
    const rendered = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/campaigns/send-test',
      headers: project.headers,
      payload: { providerId: third.id, templateId: third.templateId, params: ['{{ Profile.Name | default: "friend" }}'], to: '+919876543210' },
    });
    expect(rendered.statusCode, rendered.body).toBe(200);
    expect(fake.sends.at(-1)!.params).toEqual(['friend']);
  });

  it('answers 404 for a sample profile that does not exist, as the preview does, sending nothing', async () => {
    const third = accounts[2]!;
    const sendsBefore = fake.sends.length;
    const payload = { templateId: third.templateId, params: ['{{ Profile.Name }}'], to: '+919876543210', identity: 'does-not-exist' };
    for (const url of ['/api/v1/campaigns/send-test', '/api/v1/campaigns/preview']) {
      const answer = await ctx.app.inject({ method: 'POST', url, headers: project.headers, payload: url.endsWith('preview') ? { templateId: payload.templateId, params: payload.params, identity: payload.identity } : payload });
      expect(answer.statusCode, `${url} ${answer.body}`).toBe(404);
      expect(json(answer).error.message, url).toMatch(/does-not-exist/);
    }
    expect(fake.sends.length).toBe(sendsBefore);
  });
});
