import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';

describe.each(testEngines())('templates API ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput() })).id;
  });
  afterAll(() => ctx?.close());

  const create = (payload: object, headers = project.headers) => ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers, payload });

  it('creates a template and counts its placeholders', async () => {
    const response = await create({ providerId, namespace: 'ABC:welcome_message', body: 'Hi {{1}}, your order {{2}} ships {{3}}. {{1}}!', attachmentType: 'image' });
    expect(response.statusCode).toBe(201);
    expect(json(response)).toMatchObject({ providerId, namespace: 'ABC:welcome_message', placeholderCount: 3, attachmentType: 'image', language: 'en' });
  });

  it.each([
    [{ namespace: 'abc:welcome' }, 'namespace', /capitals/],
    [{ namespace: 'ABC:Welcome' }, 'namespace', /e\.g\. ABC:welcome_message/],
    [{ body: 'Hi {{2}}' }, 'body', /missing \{\{1\}\}/],
    [{ body: 'x'.repeat(1025) }, 'body', /at most 1024/],
    [{ body: 'Hi {{name}}' }, 'body', /not a placeholder/],
    [{ attachmentType: 'audio' }, 'attachmentType', /none, image, video, document/],
    [{ providerId: 'nope' }, 'providerId', /not a provider account/],
  ])('refuses %j', async (change, path, message) => {
    const response = await create({ providerId, namespace: 'ABC:ok', body: 'Hi {{1}}', attachmentType: 'none', ...change });
    expect(response.statusCode).toBe(422);
    const problem = json(response).error.details.find((item: { path: string }) => item.path === path);
    expect(problem?.message).toMatch(message);
  });

  it('refuses a duplicate namespace for the same account', async () => {
    await create({ providerId, namespace: 'ABC:dup', body: 'x', attachmentType: 'none' });
    const again = await create({ providerId, namespace: 'ABC:dup', body: 'y', attachmentType: 'none' });
    expect(again.statusCode).toBe(409);
    expect(json(again).error.code).toBe('template_exists');
  });

  it('edits, lists and deletes', async () => {
    const template = json(await create({ providerId, namespace: 'ABC:edit_me', body: 'Hi {{1}}', attachmentType: 'none' }));
    const edited = json(await ctx.app.inject({ method: 'PATCH', url: `/api/v1/templates/${template.id}`, headers: project.headers, payload: { body: '{{1}} and {{2}}' } }));
    expect(edited.placeholderCount).toBe(2);
    const list = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/templates?providerId=${providerId}`, headers: project.headers }));
    expect(list.items.map((item: { id: string }) => item.id)).toContain(template.id);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/templates/${template.id}`, headers: project.headers })).statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/templates/${template.id}`, headers: project.headers })).statusCode).toBe(404);
  });

  it('keeps templates inside their project', async () => {
    const template = json(await create({ providerId, namespace: 'ABC:mine', body: 'x', attachmentType: 'none' }));
    const other = await ctx.createProject('other');
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/templates/${template.id}`, headers: other.headers })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'PATCH', url: `/api/v1/templates/${template.id}`, headers: other.headers, payload: { body: 'y' } })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/templates/${template.id}`, headers: other.headers })).statusCode).toBe(404);
    const viaOtherProvider = await create({ providerId, namespace: 'ABC:steal', body: 'x', attachmentType: 'none' }, other.headers);
    expect(viaOtherProvider.statusCode).toBe(422);
  });
});
