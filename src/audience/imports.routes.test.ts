import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../test/helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../../test/helpers/context.js';

const CSV = ['identity,Name,Phone,MSG-whatsapp,City', 'd1,Dee,98765 43210,TRUE,Mumbai', 'd2,Eli,+14155552671,TRUE,Delhi', 'd3,Fox,12,TRUE,Pune', ',Gus,,,'].join('\n');

function multipart(parts: Array<{ name: string; value: string; filename?: string }>) {
  const boundary = '----wacast-test-boundary';
  const body = parts
    .map((part) =>
      part.filename
        ? `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: text/csv\r\n\r\n${part.value}\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
    )
    .join('');
  return { payload: `${body}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe.each(testEngines())('imports API ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let other: TestProject;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject('A');
    other = await ctx.createProject('B');
  });
  afterAll(() => ctx?.close());

  async function waitFor(id: string, headers: Record<string, string>) {
    for (let i = 0; i < 500; i++) {
      const body = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers }));
      if (body.status !== 'running') return body;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('import did not finish');
  }

  it('imports a multipart upload in the background and reports progress and bad rows', async () => {
    const form = multipart([
      { name: 'defaultRegion', value: 'IN' },
      { name: 'file', value: CSV, filename: 'people.csv' },
    ]);
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...project.headers, 'content-type': form.contentType }, payload: form.payload });
    expect(response.statusCode).toBe(202);
    const started = json(response);
    // Sent with API credentials: recorded as the API's, not the dashboard's.
    expect(started).toMatchObject({ filename: 'people.csv', source: 'api', status: 'running', sizeBytes: CSV.length });
    const done = await waitFor(started.id, project.headers);
    expect(done).toMatchObject({
      status: 'completed',
      rows: 4,
      importedRows: 2,
      createdRows: 2,
      updatedRows: 0,
      unchangedRows: 0,
      failedRows: 2,
      processedBytes: CSV.length,
      badRowsTruncated: false,
      message: null,
      badRows: [
        { line: 4, identity: 'd3', reason: 'Phone "12" is not a valid number for IN (+91); write it with its country code, e.g. +14155551234 or +91 98765 43210' },
        { line: 5, identity: null, reason: 'identity is empty; the first cell of every row is the identity of its profile' },
      ],
    });
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.createdAt);
    const profile = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/profiles/d1', headers: project.headers }));
    expect(profile).toMatchObject({ phone: '+919876543210', whatsappReachable: true, properties: { City: 'Mumbai' } });
  });

  it('takes a text/csv body from a dashboard session, and re-importing changes nothing', async () => {
    const session = await ctx.createSession({ projectIds: [project.projectId] });
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/imports?filename=again.csv&defaultRegion=in',
      headers: { ...session.headers, 'content-type': 'text/csv' },
      payload: CSV,
    });
    expect(response.statusCode).toBe(202);
    const done = await waitFor(json(response).id, session.headers);
    expect(done).toMatchObject({ filename: 'again.csv', status: 'completed', createdRows: 0, updatedRows: 0, unchangedRows: 2, failedRows: 2 });
    const list = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/imports', headers: session.headers }));
    expect(list.items.map((item: { filename: string }) => item.filename)).toEqual(['again.csv', 'people.csv']);
  });

  it('shows a file name without control characters (a NUL in it was a server error on PostgreSQL)', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports?filename=li%00st%0A.csv', headers: { ...project.headers, 'content-type': 'text/csv' }, payload: 'identity\nfn1\n' });
    expect(response.statusCode).toBe(202);
    expect(await waitFor(json(response).id, project.headers)).toMatchObject({ filename: 'list.csv', status: 'completed', createdRows: 1 });
  });

  it('records a bad header as a failed import with the reason', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...project.headers, 'content-type': 'text/csv' }, payload: 'email,Name\na,b\n' });
    const done = await waitFor(json(response).id, project.headers);
    expect(done).toMatchObject({ status: 'failed', rows: 0, message: expect.stringMatching(/first column must be "identity"/) });
  });

  it('refuses a missing file, a wrong region and other content types', async () => {
    const noFile = multipart([{ name: 'defaultRegion', value: 'IN' }]);
    const missing = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...project.headers, 'content-type': noFile.contentType }, payload: noFile.payload });
    expect(missing.statusCode).toBe(422);
    expect(json(missing).error.details).toEqual([{ path: 'file', message: expect.stringMatching(/is required/) }]);
    const region = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports?defaultRegion=ZZ', headers: { ...project.headers, 'content-type': 'text/csv' }, payload: CSV });
    expect(region.statusCode).toBe(422);
    expect(json(region).error.details[0].path).toBe('defaultRegion');
    const wrongType = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports', headers: project.headers, payload: { file: CSV } });
    expect(wrongType.statusCode).toBe(415);
  });

  it("keeps every project's imports to itself", async () => {
    const mine = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/imports', headers: project.headers }));
    const id = mine.items[0].id as string;
    const theirs = await ctx.app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: other.headers });
    expect(theirs.statusCode).toBe(404);
    expect(json(await ctx.app.inject({ method: 'GET', url: '/api/v1/imports', headers: other.headers })).items).toEqual([]);
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...other.headers, 'content-type': 'text/csv' }, payload: CSV });
    await waitFor(json(response).id, other.headers);
    // B's import wrote B's profiles only.
    expect(json(await ctx.app.inject({ method: 'GET', url: '/api/v1/profiles/d2', headers: other.headers })).properties.Name).toBe('Eli');
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/imports/nope', headers: project.headers })).statusCode).toBe(404);
  });

  it('needs authentication', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { 'content-type': 'text/csv' }, payload: CSV });
    expect(response.statusCode).toBe(401);
  });

  it('records who started an import: the dashboard (a session) or the API (credentials)', async () => {
    const session = await ctx.createSession({ projectIds: [project.projectId] });
    const form = multipart([{ name: 'file', value: CSV, filename: 'from-dashboard.csv' }]);
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...session.headers, 'content-type': form.contentType }, payload: form.payload });
    expect(response.statusCode, response.body).toBe(202);
    expect(json(response).source).toBe('dashboard');
    await waitFor(json(response).id, project.headers);
  });
});
