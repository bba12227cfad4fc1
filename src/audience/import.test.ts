import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../test/helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../../test/helpers/context.js';
import { importProfiles, type BadRow } from './import.service.js';
import { importProfilesFile } from './import.command.js';
import { parseHeader, parseRow } from './import.csv.js';

/** What a CSV row with the phone "12" (no "+", no default country) is told. */
const PHONE_12 = 'Phone "12" is too short; without a "+" the digits are read as country code and number: write it with "+" and its country code, e.g. +14155551234, or import the file with a default country for numbers written without one';

function sink(): Writable & { text: () => string; isTTY: boolean } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return Object.assign(stream, { text: () => chunks.join(''), isTTY: false });
}

describe('CSV rows (type inference)', () => {
  const header = parseHeader(['identity', 'Name', 'Phone', 'MSG-whatsapp', 'msg-dndwhatsapp', 'Age', 'Score', 'Zip', 'Code', 'Big', 'Signup', 'Seen', 'Stamp', 'VIP', 'Note', 'Pin:string', 'Count:number', 'Opt:boolean', 'When:date', 'Tags:list']);

  it('reads the header with types and canonical flag names', () => {
    expect(header.ok).toBe(true);
    if (!header.ok) return;
    expect(header.header.columns.map((c) => `${c.key}:${c.type}`)).toEqual([
      'Name:auto', 'Phone:auto', 'MSG-whatsapp:auto', 'MSG-dndWhatsApp:auto', 'Age:auto', 'Score:auto', 'Zip:auto', 'Code:auto', 'Big:auto', 'Signup:auto', 'Seen:auto',
      'Stamp:auto', 'VIP:auto', 'Note:auto', 'Pin:string', 'Count:number', 'Opt:boolean', 'When:date', 'Tags:list',
    ]);
  });

  it('infers booleans, numbers, dates and strings, and keeps typed columns', () => {
    if (!header.ok) throw new Error('header');
    const row = parseRow(header.header, [
      ' u1 ', 'True', '+1 415 555 2671', 'TRUE', 'false', '30', '-3.25', '007', '0123', '12345678901234567', '2024-01-15', '2024-01-15T10:30:00+05:30', '$D_1487576752', 'FALSE', 'hello, world',
      '400001', '1e3', 'yes', '2024-02-29', 'a| b |a||c',
    ]);
    expect(row).toEqual({
      ok: true,
      row: {
        identity: 'u1',
        set: {
          Name: 'True',
          Phone: '+14155552671',
          'MSG-whatsapp': true,
          'MSG-dndWhatsApp': false,
          Age: 30,
          Score: -3.25,
          Zip: '007',
          Code: '0123',
          Big: '12345678901234567',
          Signup: '2024-01-15T00:00:00.000Z',
          Seen: '2024-01-15T05:00:00.000Z',
          Stamp: '2017-02-20T07:45:52.000Z',
          VIP: false,
          Note: 'hello, world',
          Pin: '400001',
          Count: 1000,
          Opt: true,
          When: '2024-02-29T00:00:00.000Z',
          Tags: ['a', 'b', 'c'],
        },
      },
    });
  });

  it('skips empty cells and explains bad ones', () => {
    if (!header.ok) throw new Error('header');
    const cells = (patch: Record<number, string>) => Array.from({ length: 20 }, (_, i) => (i === 0 ? 'u' : patch[i] ?? ''));
    expect(parseRow(header.header, cells({}))).toEqual({ ok: true, row: { identity: 'u', set: {} } });
    expect(parseRow(header.header, cells({ 2: '12' }))).toEqual({ ok: false, identity: 'u', reason: PHONE_12 });
    expect(parseRow(header.header, cells({ 3: 'maybe' }))).toEqual({ ok: false, identity: 'u', reason: 'MSG-whatsapp must be TRUE or FALSE (also yes/no, 1/0, any case), got "maybe"' });
    expect(parseRow(header.header, cells({ 16: 'many' }))).toMatchObject({ ok: false, reason: 'Count: "many" is not a number' });
    expect(parseRow(header.header, cells({ 18: '2024-02-30' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^When: "2024-02-30" is not a date/) });
    expect(parseRow(header.header, cells({ 14: 'x'.repeat(513) }))).toMatchObject({ ok: false, reason: expect.stringMatching(/513 characters long/) });
    expect(parseRow(header.header, ['', ...cells({}).slice(1)])).toEqual({ ok: false, identity: null, reason: 'identity is empty; the first cell of every row is the identity of its profile' });
    expect(parseRow(header.header, ['u', 'x'])).toEqual({ ok: false, identity: 'u', reason: 'the row has 2 fields; the header has 20 (every row needs a cell, empty or not, for each column)' });
    // National numbers need a default region.
    expect(parseRow(header.header, cells({ 2: '098765 43210' }), 'IN')).toMatchObject({ ok: true, row: { set: { Phone: '+919876543210' } } });
  });

  it('reads built-in field names in any case (a "phone" column is the Phone)', () => {
    const header = parseHeader(['identity', 'phone', 'NAME', 'email', 'msg-whatsapp', 'Msg-DndWhatsApp', 'dob:date', 'city']);
    expect(header.ok && header.header.columns.map((c) => `${c.key}:${c.type}`)).toEqual([
      'Phone:auto', 'Name:auto', 'Email:auto', 'MSG-whatsapp:auto', 'MSG-dndWhatsApp:auto', 'DOB:date', 'city:auto',
    ]);
    expect(parseHeader(['identity', 'Phone', 'phone'])).toEqual({ ok: false, problems: ['column 3 ("phone"): Phone appears twice'] });
  });

  it('reads the opt-in flags as a :boolean column does: TRUE/FALSE, yes/no, 1/0 in any case, empty left alone', () => {
    const flags = parseHeader(['identity', 'MSG-whatsapp', 'MSG-dndWhatsApp:boolean']);
    if (!flags.ok) throw new Error('header');
    const row = (optIn: string, dnd = '') => parseRow(flags.header, ['u', optIn, dnd]);
    for (const yes of ['TRUE', 'true', 'Yes', 'YES', '1']) expect(row(yes), yes).toEqual({ ok: true, row: { identity: 'u', set: { 'MSG-whatsapp': true } } });
    for (const no of ['FALSE', 'false', 'NO', '0']) expect(row(no), no).toEqual({ ok: true, row: { identity: 'u', set: { 'MSG-whatsapp': false } } });
    expect(row('', 'yes')).toEqual({ ok: true, row: { identity: 'u', set: { 'MSG-dndWhatsApp': true } } });
    expect(row('Y')).toEqual({ ok: false, identity: 'u', reason: 'MSG-whatsapp must be TRUE or FALSE (also yes/no, 1/0, any case), got "Y"' });
    expect(row('', '2')).toEqual({ ok: false, identity: 'u', reason: 'MSG-dndWhatsApp must be TRUE or FALSE (also yes/no, 1/0, any case), got "2"' });
  });

  it('takes unnamed columns at the end of the header (a spreadsheet export) as long as their cells are empty', () => {
    const padded = parseHeader(['identity', 'Name', '', ' ']);
    expect(padded).toEqual({ ok: true, header: { columns: [{ key: 'Name', type: 'auto' }], blankColumns: 2 } });
    if (!padded.ok) return;
    expect(parseRow(padded.header, ['u', 'Ann', '', ''])).toEqual({ ok: true, row: { identity: 'u', set: { Name: 'Ann' } } });
    expect(parseRow(padded.header, ['u', 'Ann'])).toEqual({ ok: true, row: { identity: 'u', set: { Name: 'Ann' } } });
    expect(parseRow(padded.header, ['u', 'Ann', '', 'Pune'])).toEqual({
      ok: false,
      identity: 'u',
      reason: 'column 4 has no name in the header but holds "Pune"; name the column in the header, or empty the cell',
    });
    expect(parseRow(padded.header, ['u', 'Ann', '', '', ''])).toMatchObject({ ok: false, reason: 'the row has 5 fields; the header has 4 (put values that contain a comma in double quotes)' });
    // An unnamed column between named ones is still a header problem.
    expect(parseHeader(['identity', '', 'Name'])).toEqual({ ok: false, problems: ['column 2 (""): the property name is empty'] });
  });

  it('lists every header problem', () => {
    expect(parseHeader(['email', 'a.b', 'Name', 'Name', 'X:money'])).toEqual({
      ok: false,
      problems: [
        'the first column must be "identity" (or "Identity", "objectId"), got "email"',
        'column 2 ("a.b"): the property name contains "."; keys may not contain any of % > < ! | & . : ; $ \' " \\ #',
        'column 4 ("Name"): Name appears twice',
        'column 5 ("X:money"): unknown type "money"; use string, number, boolean, date or list',
      ],
    });
    expect(parseHeader(['objectId', 'Name']).ok).toBe(true);
    expect(parseHeader(['Identity']).ok).toBe(true);
    expect(parseHeader(['identity', ...Array.from({ length: 257 }, (_, i) => `c${i}`)])).toMatchObject({ ok: false, problems: ['the header has 257 custom properties; a profile has at most 256'] });
  });
});

describe.each(testEngines())('CSV import ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let dir: string;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    dir = mkdtempSync(join(tmpdir(), 'wacast-import-test-'));
  });
  afterAll(async () => {
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const FILE = [
    'identity,Name,Phone,MSG-whatsapp,MSG-dndWhatsApp,City,Age,Notes',
    'a1,Asha,+91 98765 43210,TRUE,FALSE,Mumbai,31,',
    'a2,Bo,+14155552671,true,,Delhi,,"multi',
    'line note"',
    ',Nobody,+14155552672,TRUE,FALSE,Pune,20,',
    'a3,Cy,12,TRUE,FALSE,Pune,20,',
    '',
    'a4,Di,+14155552673,maybe,FALSE,Pune,20,',
    'a5,Ed,+14155552674,FALSE,TRUE,Goa',
    'a1,Asha,+91 98765 43210,TRUE,FALSE,Mumbai,31,second row for a1',
    'a6,Fay,,,,Goa,40,',
  ].join('\r\n');

  async function run(text: string, projectId = project.projectId, batchSize = 2) {
    const bad: BadRow[] = [];
    // One chunk per line, as a file arrives in pieces.
    const chunks = text.split(/(?<=\n)/).map((line) => Buffer.from(line));
    const result = await importProfiles(ctx.db, projectId, Readable.from(chunks), { batchSize, onBadRow: (row) => void bad.push(row) });
    return { result, bad };
  }

  async function profile(identity: string) {
    return json(await ctx.app.inject({ method: 'GET', url: `/api/v1/profiles/${identity}`, headers: project.headers }));
  }

  it('imports good rows and reports bad rows with line numbers and reasons', async () => {
    const { result, bad } = await run(FILE);
    expect(bad).toEqual([
      { line: 5, identity: null, reason: 'identity is empty; the first cell of every row is the identity of its profile' },
      { line: 6, identity: 'a3', reason: PHONE_12 },
      { line: 8, identity: 'a4', reason: 'MSG-whatsapp must be TRUE or FALSE (also yes/no, 1/0, any case), got "maybe"' },
      { line: 9, identity: 'a5', reason: 'the row has 6 fields; the header has 8 (every row needs a cell, empty or not, for each column)' },
    ]);
    expect(result).toMatchObject({ rows: 8, created: 3, updated: 1, unchanged: 0, failed: 4, line: 11 });
    expect(await profile('a1')).toMatchObject({
      phone: '+919876543210',
      whatsappReachable: true,
      properties: { Name: 'Asha', Phone: '+919876543210', 'MSG-whatsapp': true, 'MSG-dndWhatsApp': false, City: 'Mumbai', Age: 31, Notes: 'second row for a1' },
    });
    expect((await profile('a2')).properties).toEqual({ Name: 'Bo', Phone: '+14155552671', 'MSG-whatsapp': true, City: 'Delhi', Notes: 'multi\r\nline note' });
    expect((await profile('a6')).properties).toEqual({ Name: 'Fay', City: 'Goa', Age: 40 });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/profiles/a3', headers: project.headers })).statusCode).toBe(404);
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await ctx.db.kysely.selectFrom('profiles').select(['identity', 'properties', 'updated_at']).where('project_id', '=', project.projectId).orderBy('identity').execute();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { result, bad } = await run(FILE, project.projectId, 3);
    expect(result).toMatchObject({ rows: 8, created: 0, updated: 0, unchanged: 4, failed: 4 });
    expect(bad).toHaveLength(4);
    const after = await ctx.db.kysely.selectFrom('profiles').select(['identity', 'properties', 'updated_at']).where('project_id', '=', project.projectId).orderBy('identity').execute();
    expect(after).toEqual(before);
  });

  it('counts a re-import of a file listing a profile twice as unchanged, not updated', async () => {
    const text = 'identity,City\ntwice,Pune\nother,Goa\ntwice,Agra\n';
    expect((await run(text, project.projectId, 10)).result).toMatchObject({ rows: 3, created: 2, updated: 1, unchanged: 0 });
    const before = (await profile('twice')).updatedAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Pune then Agra again: the profile ends as it was, so nothing is written and nothing is "updated".
    expect((await run(text, project.projectId, 10)).result).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3 });
    expect(await profile('twice')).toMatchObject({ updatedAt: before, properties: { City: 'Agra' } });
  });

  it('merges a later file into existing profiles, leaving empty cells alone', async () => {
    const { result } = await run('Identity,City,Tier:number\na1,Pune,\na2,Delhi,2\nnew1,,\n');
    expect(result).toMatchObject({ rows: 3, created: 1, updated: 2, unchanged: 0, failed: 0 });
    expect((await profile('a1')).properties).toMatchObject({ Name: 'Asha', City: 'Pune', Age: 31 });
    expect((await profile('a2')).properties).toMatchObject({ City: 'Delhi', Tier: 2 });
    expect((await profile('new1')).properties).toEqual({});
  });

  it('reports a NUL character in a cell as a bad row and imports the other rows, on either engine', async () => {
    // PostgreSQL cannot store a NUL in text: one such cell used to fail the whole import.
    const { result, bad } = await run('identity,Name,City\nnul1,Ann,Pune\nnul2,B\u0000b,Goa\nnul\u00003,Cy,Goa\nnul4,Di,Agra\n', project.projectId, 10);
    expect(bad).toEqual([
      { line: 3, identity: 'nul2', reason: 'Name: the value contains the NUL character (U+0000), which text may not hold' },
      { line: 4, identity: null, reason: 'identity contains the NUL character (U+0000), which text may not hold' },
    ]);
    expect(result).toMatchObject({ rows: 4, created: 2, failed: 2 });
    expect((await profile('nul4')).properties).toEqual({ Name: 'Di', City: 'Agra' });
    await expect(run('identity,Na\u0000me\nx,y\n')).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/column 2 .*contains the NUL character/) });
  });

  it('reports cells with bytes that are not UTF-8 (a Latin-1 file) instead of storing damaged text', async () => {
    // "José" and "Müller" saved as Latin-1: é = 0xE9, ü = 0xFC, which UTF-8 cannot decode.
    const latin1 = Buffer.from('identity,Name,City\nlat1,Ann,Pune\nlat2,Jos\u00e9,Goa\nM\u00fcller,Mo,Goa\nlat4,Di,Agra\n', 'latin1');
    const bad: BadRow[] = [];
    const result = await importProfiles(ctx.db, project.projectId, Readable.from([latin1]), { onBadRow: (row) => void bad.push(row) });
    expect(bad).toEqual([
      { line: 3, identity: 'lat2', reason: 'Name: "Jos\uFFFD" has bytes that are not UTF-8 (they show as \uFFFD); save the file as UTF-8 (in Excel: Save As, "CSV UTF-8") and import it again' },
      { line: 4, identity: 'M\uFFFDller', reason: 'identity: "M\uFFFDller" has bytes that are not UTF-8 (they show as \uFFFD); save the file as UTF-8 (in Excel: Save As, "CSV UTF-8") and import it again' },
    ]);
    expect(result).toMatchObject({ rows: 4, created: 2, failed: 2 });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/profiles/lat2', headers: project.headers })).statusCode).toBe(404);
    // The same file saved as UTF-8 imports whole.
    const utf8 = Buffer.from(latin1.toString('latin1'), 'utf8');
    expect(await importProfiles(ctx.db, project.projectId, Readable.from([utf8]))).toMatchObject({ created: 2, unchanged: 2, failed: 0 });
    expect((await profile('lat2')).properties.Name).toBe('Jos\u00e9');
    const header = Buffer.from('identity,Stra\u00dfe\nx,y\n', 'latin1');
    await expect(importProfiles(ctx.db, project.projectId, Readable.from([header]))).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/column 2 .*the name has bytes that are not UTF-8/) });
  });

  it('imports a "phone" column as the Phone, so the profile can be messaged', async () => {
    const { result, bad } = await run('identity,phone,name,msg-whatsapp\nlow1,+1 415 555 2690,Lou,true\nlow2,12,Lee,true\n');
    expect(bad).toEqual([{ line: 3, identity: 'low2', reason: PHONE_12 }]);
    expect(result).toMatchObject({ created: 1, failed: 1 });
    expect(await profile('low1')).toMatchObject({ phone: '+14155552690', whatsappReachable: true, properties: { Phone: '+14155552690', Name: 'Lou', 'MSG-whatsapp': true } });
  });

  it('says how to fix a row with too many fields, and which lines a row with an open quote took', async () => {
    const text = ['identity,Name,City', 'sp1,Ann,Pune', 'sp2,Smith, Jo,Goa', 'sp3,"Bo,Agra', 'sp4,Cy,Delhi', 'sp5,Di",Goa,x', 'sp6,Ed,Agra', ''].join('\n');
    const { result, bad } = await run(text, project.projectId, 10);
    expect(bad).toEqual([
      { line: 3, identity: 'sp2', reason: 'the row has 4 fields; the header has 3 (put values that contain a comma in double quotes)' },
      {
        line: 4,
        identity: 'sp3',
        reason:
          'the row has 4 fields; the header has 3 (put values that contain a comma in double quotes); it runs from line 4 to line 6 because a quoted value spans lines: check for a missing or extra double quote',
      },
    ]);
    expect(result).toMatchObject({ rows: 4, created: 2, failed: 2, line: 7 });
  });

  it('imports a spreadsheet export whose rows end in empty columns', async () => {
    const { result, bad } = await run('identity,Name,City,,\r\nxl1,Ann,Pune,,\r\nxl2,Bo,Goa,,oops\r\n');
    expect(bad).toEqual([{ line: 3, identity: 'xl2', reason: 'column 5 has no name in the header but holds "oops"; name the column in the header, or empty the cell' }]);
    expect(result).toMatchObject({ rows: 2, created: 1, failed: 1 });
    expect((await profile('xl1')).properties).toEqual({ Name: 'Ann', City: 'Pune' });
  });

  it('refuses a bad header before importing anything', async () => {
    await expect(run('email,Name\nx,y\n')).rejects.toMatchObject({ status: 422, code: 'validation_failed', message: expect.stringMatching(/first column must be "identity"/) });
    await expect(run('')).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/empty/) });
  });

  it('stops at broken CSV, naming the line, keeping the rows before', async () => {
    const text = 'identity,Name\nb1,One\nb2,Two\nb3,Three\nb4,"never closed\nb5,Five\n';
    const error = await run(text, project.projectId, 10).then(
      () => null,
      (caught: unknown) => caught as { status: number; code: string; message: string },
    );
    expect(error).toMatchObject({ status: 422, code: 'invalid_csv', message: expect.stringMatching(/not valid CSV near line \d+: Quote Not Closed/) });
    // Rows read before the broken part are stored, and the message says up to where.
    const upTo = Number(/Rows up to line (\d+) were imported/.exec(error!.message)?.[1]);
    expect(upTo).toBe(4);
    for (let line = 2; line <= upTo; line++) expect((await profile(`b${line - 1}`)).identity).toBe(`b${line - 1}`);
  });

  it('runs from the CLI with a bad-row report and the exit status', async () => {
    const file = join(dir, 'people.csv');
    writeFileSync(file, FILE.replace(/a(\d)/g, 'cli$1'));
    const out = sink();
    const err = sink();
    const status = await importProfilesFile(ctx.db, file, { project: project.projectId }, { out, err });
    expect(status).toBe(2);
    expect(out.text()).toMatch(/Imported people\.csv into project "Test project" in [\d.]+ s: 8 rows, 3 created, 1 updated, 0 unchanged, 4 bad\./);
    expect(err.text()).toContain(`line 6 (cli3): ${PHONE_12}`);
    expect(err.text()).toContain(`All 4 bad rows, with line numbers and reasons: ${file}.bad-rows.csv`);
    const report = readFileSync(`${file}.bad-rows.csv`, 'utf8').trim().split('\n');
    expect(report).toEqual([
      'line,identity,reason',
      '5,,identity is empty; the first cell of every row is the identity of its profile',
      `6,cli3,"${PHONE_12.replaceAll('"', '""')}"`,
      '8,cli4,"MSG-whatsapp must be TRUE or FALSE (also yes/no, 1/0, any case), got ""maybe"""',
      '9,cli5,"the row has 6 fields; the header has 8 (every row needs a cell, empty or not, for each column)"',
    ]);
    const again = await importProfilesFile(ctx.db, file, { project: project.projectId, report: join(dir, 'again.csv') }, { out: sink(), err: sink() });
    expect(again).toBe(2);
    const imports = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/imports', headers: project.headers }));
    expect(imports.items[0]).toMatchObject({ source: 'cli', filename: 'people.csv', status: 'completed', rows: 8, createdRows: 0, unchangedRows: 4, failedRows: 4 });

    // One bad row is one, not "All 1 bad rows".
    const single = join(dir, 'single.csv');
    writeFileSync(single, 'identity,Phone\ns1,+14155552675\ns2,notaphone\n');
    const singleErr = sink();
    expect(await importProfilesFile(ctx.db, single, { project: project.projectId }, { out: sink(), err: singleErr })).toBe(2);
    expect(singleErr.text()).toContain(`The bad row, with its line number and reason: ${single}.bad-rows.csv`);
    expect(singleErr.text()).not.toContain('1 bad rows');

    const clean = join(dir, 'clean.csv');
    writeFileSync(clean, 'identity,Name\nz1,Zed\n');
    expect(await importProfilesFile(ctx.db, clean, { project: project.projectId }, { out: sink(), err: sink() })).toBe(0);
    const badHeader = join(dir, 'bad.csv');
    writeFileSync(badHeader, 'name\nx\n');
    const badErr = sink();
    expect(await importProfilesFile(ctx.db, badHeader, { project: project.projectId }, { out: sink(), err: badErr })).toBe(1);
    expect(badErr.text()).toMatch(/Import failed: The CSV header is not usable/);
  });

  it('asks for --project when several projects exist and checks --region', async () => {
    await ctx.createProject('second');
    const file = join(dir, 'one.csv');
    writeFileSync(file, 'identity\nq1\n');
    const err = sink();
    expect(await importProfilesFile(ctx.db, file, {}, { out: sink(), err })).toBe(1);
    expect(err.text()).toMatch(/choose one with --project <id>/);
    const regionErr = sink();
    expect(await importProfilesFile(ctx.db, file, { project: project.projectId, region: 'XX' }, { out: sink(), err: regionErr })).toBe(1);
    expect(regionErr.text()).toMatch(/--region XX is not an ISO country code/);
    const missing = sink();
    expect(await importProfilesFile(ctx.db, join(dir, 'nope.csv'), {}, { out: sink(), err: missing })).toBe(1);
    expect(missing.text()).toMatch(/Cannot read/);
  });

  it('refuses a directory given as the file, without starting an import', async () => {
    const err = sink();
    expect(await importProfilesFile(ctx.db, dir, { project: project.projectId }, { out: sink(), err })).toBe(1);
    expect(err.text()).toBe(`Cannot read ${dir}: it is a directory; give the path of a CSV file.\n`);
    const imports = await ctx.db.kysely.selectFrom('imports').select('filename').where('project_id', '=', project.projectId).execute();
    expect(imports.map((row) => row.filename)).not.toContain(dir.split('/').pop());
  });
});
