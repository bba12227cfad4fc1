import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';

/**
 * Liquid's include, render and layout tags read files relative to the server's working directory,
 * where `data/secret.key` (the master key) and the SQLite database live by default: a project
 * user's placeholder value or media URL must not be able to read them.
 */
describe.each(testEngines())('Liquid values read no files ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let textTemplateId: string;
  let imageTemplateId: string;
  // A file in the tests' working directory, standing for data/secret.key.
  const include = "{% include 'package.json' %}";

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput() })).id;
    const template = (namespace: string, attachmentType: string) =>
      ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId, namespace, body: 'Hi {{1}}', attachmentType } });
    textTemplateId = json(await template('ABC:hello', 'none')).id;
    imageTemplateId = json(await template('ABC:picture', 'image')).id;
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'ana', phone: testPhone(1), properties: { Name: 'Ana' } }]);
  });
  afterAll(() => ctx?.close());

  it.each([include, "{% render 'package.json' %}", "{% layout 'package.json' %}x", "{% liquid\ninclude 'package.json' %}"])('refuses %s in a preview', async (param) => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns/preview', headers: project.headers, payload: { templateId: textTemplateId, params: [param] } });
    expect(response.body).not.toContain('Self-hosted WhatsApp');
    expect(json(response)).toMatchObject({ ok: false, error: expect.stringMatching(/tag is not available/) });
  });

  it.each([
    ['a huge range', '{% for i in (1..100000000) %}{% endfor %}x', /memory alloc limit exceeded/],
    ['a billion loop turns', '{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}x', /(render|memory alloc) limit exceeded/],
    ['a string doubled 30 times', "{% assign s = 'xxxxxxxx' %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}", /memory alloc limit exceeded/],
  ])('stops %s instead of blocking the server', async (_what, param, error) => {
    // Rendering is synchronous: without limits one preview would stop every project's requests.
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns/preview', headers: project.headers, payload: { templateId: textTemplateId, params: [param] } });
    expect(json(response)).toMatchObject({ ok: false, error: expect.stringMatching(error) });
  });

  it('stops many slow values at one second in all, not one second each', async () => {
    // 20 placeholders, each value ~0.1–0.5 s of loop turns (under the per-render limit, and under
    // the memory limit): without a budget for them together, one preview held the thread every
    // project shares for several seconds (a template may have ~200 of them: minutes).
    const body = `Hi ${Array.from({ length: 20 }, (_, i) => `{{${i + 1}}}`).join(' ')}`;
    const manyId = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId, namespace: 'ABC:many', body, attachmentType: 'none' } }),
    ).id;
    const slow = '{% for i in (1..1000) %}{% for j in (1..900) %}{% endfor %}{% endfor %}x';
    const startedAt = Date.now();
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns/preview', headers: project.headers, payload: { templateId: manyId, params: Array(20).fill(slow) } });
    const elapsed = Date.now() - startedAt;
    expect(json(response)).toMatchObject({ ok: false, error: expect.stringMatching(/render limit exceeded/) });
    expect(elapsed).toBeLessThan(2_500);
  });

  it('refuses file tags in placeholder values and media URLs of a campaign', async () => {
    const create = (payload: object) => ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: project.headers, payload: { name: 'Files', providerId, audience: { all: true }, ...payload } });
    const inParams = await create({ templateId: textTemplateId, params: [include] });
    expect(inParams.statusCode).toBe(422);
    expect(json(inParams).error.details).toEqual([expect.objectContaining({ path: 'params.0', message: expect.stringMatching(/include tag is not available/) })]);
    const inMedia = await create({
      templateId: imageTemplateId,
      params: ['x'],
      mediaUrl: "{% capture f %}{% include 'package.json' %}{% endcapture %}https://cdn.example.com/{{ f | slice: 0, 40 | url_encode }}.jpg",
    });
    expect(inMedia.statusCode).toBe(422);
    expect(json(inMedia).error.details).toEqual([expect.objectContaining({ path: 'mediaUrl', message: expect.stringMatching(/include tag is not available/) })]);
  });
});
