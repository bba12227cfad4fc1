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

  it('counts the 1024-character limit in characters: emoji and accented letters count once', async () => {
    const full = await create({ providerId, namespace: 'ABC:emoji_full', body: `Hi {{1}} ${'👋'.repeat(1014)}é`, attachmentType: 'none' });
    expect(full.statusCode, full.body).toBe(201);
    const over = await create({ providerId, namespace: 'ABC:emoji_over', body: `Hi {{1}} ${'👋'.repeat(1015)}é`, attachmentType: 'none' });
    expect(over.statusCode).toBe(422);
    expect(json(over).error.details).toEqual([{ path: 'body', message: 'must be at most 1024 characters (it has 1025)' }]);
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

  // The schema's enum on attachmentType used to answer before the service's checks ran: a client
  // fixing attachmentType then learnt that the namespace was wrong too.
  it('names every problem of a create in one answer, the schema\'s and the service\'s', async () => {
    const response = await create({ providerId: 'nope', namespace: 'abc:welcome', body: 'Hi {{2}}', attachmentType: 'gif', language: 'English' });
    expect(response.statusCode).toBe(422);
    const details: Array<{ path: string; message: string }> = json(response).error.details;
    expect(details.map((problem) => problem.path).sort()).toEqual(['attachmentType', 'body', 'language', 'namespace', 'providerId']);
    expect(details.find((problem) => problem.path === 'attachmentType')?.message).toBe('must be one of none, image, video, document');
    expect(details.find((problem) => problem.path === 'namespace')?.message).toMatch(/capitals/);

    // Wrong types and missing fields come with the service's problems on the other fields, once each.
    const mixed = await create({ namespace: 5, body: 'Hi {{name}}', attachmentType: 'gif', lang: 'en' });
    expect(mixed.statusCode).toBe(422);
    expect(json(mixed).error.details).toEqual([
      { path: 'providerId', message: 'is required' },
      { path: 'namespace', message: 'expected string, got number' },
      { path: 'attachmentType', message: 'must be one of none, image, video, document' },
      { path: 'body', message: expect.stringMatching(/unknown field\(s\): lang/) },
      { path: 'body', message: expect.stringMatching(/not a placeholder/) },
    ]);
    expect(json(mixed).error.details.filter((problem: { path: string }) => problem.path === 'namespace')).toHaveLength(1);

    // A body that is not an object has nothing more to check.
    const list = await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: [] });
    expect(list.statusCode).toBe(422);
    expect(json(list).error.details).toEqual([{ path: 'body', message: 'expected object, got array' }]);
  });

  it('names every problem of an edit in one answer', async () => {
    const template = json(await create({ providerId, namespace: 'ABC:patch_all', body: 'Hi', attachmentType: 'none' }));
    const response = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/templates/${template.id}`, headers: project.headers, payload: { attachmentType: 'gif', namespace: 'bad' } });
    expect(response.statusCode).toBe(422);
    expect(json(response).error.details.map((problem: { path: string }) => problem.path)).toEqual(['attachmentType', 'namespace']);
    expect(json(await ctx.app.inject({ method: 'GET', url: `/api/v1/templates/${template.id}`, headers: project.headers }))).toMatchObject({ namespace: 'ABC:patch_all', attachmentType: 'none' });
  });

  it('still documents the allowed attachment types in the OpenAPI document', async () => {
    const document = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const schema = document.paths['/api/v1/templates'].post.requestBody.content['application/json'].schema;
    expect(schema.properties.attachmentType).toMatchObject({ type: 'string', enum: ['none', 'image', 'video', 'document'], default: 'none' });
    expect(schema.required).toEqual(['providerId', 'namespace', 'body']);
  });

  it('refuses a duplicate namespace for the same account', async () => {
    await create({ providerId, namespace: 'ABC:dup', body: 'x', attachmentType: 'none' });
    const again = await create({ providerId, namespace: 'ABC:dup', body: 'y', attachmentType: 'none' });
    expect(again.statusCode).toBe(409);
    expect(json(again).error.code).toBe('template_exists');
  });

  it('refuses an edit that gives a template the namespace and language of another one, and accepts saving it unchanged', async () => {
    await create({ providerId, namespace: 'ABC:taken', body: 'x', attachmentType: 'none', language: 'en_US' });
    const other = json(await create({ providerId, namespace: 'ABC:free', body: 'y', attachmentType: 'none', language: 'en_US' }));
    const patch = (payload: object) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/templates/${other.id}`, headers: project.headers, payload });
    const clash = await patch({ namespace: 'ABC:taken' });
    expect(clash.statusCode).toBe(409);
    expect(json(clash).error).toMatchObject({ code: 'template_exists', message: 'A template ABC:taken (en_US) already exists for this provider account.' });
    expect(json(await ctx.app.inject({ method: 'GET', url: `/api/v1/templates/${other.id}`, headers: project.headers })).namespace).toBe('ABC:free');
    const same = await patch({ namespace: 'ABC:free', language: 'en_US', body: 'z' });
    expect(same.statusCode, same.body).toBe(200);
    expect((await patch({ namespace: 'ABC:taken', language: 'pt_BR' })).statusCode).toBe(200);
  });

  it('keeps the attachment type when an edit changes only the text', async () => {
    const template = json(await create({ providerId, namespace: 'ABC:image_offer', body: 'Hi {{1}}', attachmentType: 'image' }));
    const edited = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/templates/${template.id}`, headers: project.headers, payload: { body: 'Hello {{1}}' } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(json(edited)).toMatchObject({ body: 'Hello {{1}}', attachmentType: 'image' });
    expect(json(await ctx.app.inject({ method: 'GET', url: `/api/v1/templates/${template.id}`, headers: project.headers })).attachmentType).toBe('image');
    const document = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    expect(document.paths['/api/v1/templates/{id}'].patch.requestBody.content['application/json'].schema.properties.attachmentType.default).toBeUndefined();
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
