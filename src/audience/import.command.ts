/**
 * `wacast import profiles FILE.csv [--project <id>] [--region <CC>] [--report <file>]`: imports a
 * CSV file into a project's profiles with a progress bar, through the same streaming importer as
 * the dashboard (and recorded in the same imports list).
 *
 * Exit status: 0 imported without bad rows, 2 imported with bad rows (listed, and all written to
 * the report file), 1 the import could not run or stopped (bad header, broken CSV, unknown project).
 */
import { createReadStream, createWriteStream, statSync, type WriteStream } from 'node:fs';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { DATABASE_HELP, printNewDatabaseNote } from '../cli/new-database-note.js';
import { createLogger } from '../logger.js';
import type { Db } from '../storage/db.js';
import { isPhoneRegion } from './phone.js';
import { createImport, runImport, type ImportView } from './imports.service.js';
import type { BadRow } from './import.service.js';

/** Bad rows printed on the terminal; all of them go to the report file. */
const PRINTED_BAD_ROWS = 20;

export interface ImportCommandOptions {
  project?: string | undefined;
  region?: string | undefined;
  report?: string | undefined;
}

/** "1 bad row", "3 bad rows" ("1 more bad row"). */
function badRows(count: number, more = ''): string {
  return `${count} ${more}bad row${count === 1 ? '' : 's'}`;
}

export interface CommandOutput {
  out: Writable;
  err: Writable & { isTTY?: boolean };
}

function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function resolveProject(db: Db, wanted: string | undefined): Promise<{ id: string; name: string } | string> {
  const projects = await db.kysely.selectFrom('projects').select(['id', 'name']).orderBy('created_at').execute();
  if (wanted !== undefined) {
    return projects.find((project) => project.id === wanted) ?? `No project with id ${wanted}. Projects: ${projects.map((p) => `${p.id} (${p.name})`).join(', ') || 'none'}.`;
  }
  if (projects.length === 1) return projects[0]!;
  if (projects.length === 0) return 'There is no project yet: create one with `wacast project create --name <name>`.';
  return `There are ${projects.length} projects: choose one with --project <id> (${projects.map((p) => `${p.id} = ${p.name}`).join(', ')}).`;
}

/** Runs the import and returns the exit status; used by the command and by its tests. */
export async function importProfilesFile(db: Db, file: string, options: ImportCommandOptions, io: CommandOutput): Promise<number> {
  const say = (stream: Writable, line: string) => stream.write(`${line}\n`);
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) {
      say(io.err, `Cannot read ${file}: it is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}; give the path of a CSV file.`);
      return 1;
    }
    size = stat.size;
  } catch (error) {
    say(io.err, `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (options.region !== undefined && !isPhoneRegion(options.region.toUpperCase())) {
    say(io.err, `--region ${options.region} is not an ISO country code (e.g. IN, US, GB).`);
    return 1;
  }
  const project = await resolveProject(db, options.project);
  if (typeof project === 'string') {
    say(io.err, project);
    return 1;
  }

  const bar = new cliProgress.SingleBar(
    {
      stream: io.err,
      format: 'Importing |{bar}| {percentage}% | {rows} rows | {rate} rows/s | {bad} bad',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let lastBytes = 0;
  let lastPayload = { rows: 0, rate: 0, bad: 0 };
  const reportPath = options.report ?? `${file}.bad-rows.csv`;
  let report: WriteStream | null = null;
  let printed = 0;
  const onBadRow = (bad: BadRow) => {
    if (!report) {
      report = createWriteStream(reportPath);
      report.write('line,identity,reason\n');
    }
    report.write(`${bad.line},${csvField(bad.identity)},${csvField(bad.reason)}\n`);
    if (printed < PRINTED_BAD_ROWS) {
      printed++;
      bar.stop();
      say(io.err, `  line ${bad.line}${bad.identity ? ` (${bad.identity})` : ''}: ${bad.reason}`);
      if (io.err.isTTY) bar.start(size, lastBytes, lastPayload);
    }
  };

  bar.start(size, 0, lastPayload);

  const record = await createImport(db, project.id, { filename: basename(file), sizeBytes: size, source: 'cli' });
  let result: ImportView;
  try {
    result = await runImport(db, project.id, record.id, createReadStream(file), {
      defaultRegion: options.region,
      onBadRow,
      onProgress: (progress) => {
        lastBytes = progress.bytes;
        lastPayload = { rows: progress.rows, rate: Math.round(progress.rows / Math.max(0.001, (Date.now() - started) / 1000)), bad: progress.failed };
        bar.update(progress.bytes, lastPayload);
      },
    });
  } finally {
    bar.stop();
    const open = report as WriteStream | null;
    if (open) await new Promise<void>((resolve) => open.end(resolve));
  }

  const seconds = (Date.now() - started) / 1000;
  if (result.status === 'failed') {
    say(io.err, `Import failed: ${result.message ?? 'unknown reason'}`);
    if (result.failedRows > 0) say(io.err, `${badRows(result.failedRows)}: ${reportPath}`);
    return 1;
  }
  say(
    io.out,
    `Imported ${basename(file)} into project "${project.name}" in ${seconds.toFixed(1)} s: ${result.rows} rows, ${result.createdRows} created, ${result.updatedRows} updated, ${result.unchangedRows} unchanged, ${result.failedRows} bad.`,
  );
  if (result.failedRows > 0) {
    if (result.failedRows > printed) say(io.err, `(${badRows(result.failedRows - printed, 'more ')} not shown)`);
    say(io.err, result.failedRows === 1 ? `The bad row, with its line number and reason: ${reportPath}` : `All ${result.failedRows} bad rows, with line numbers and reasons: ${reportPath}`);
    return 2;
  }
  return 0;
}

export function registerImportCommand(program: Command): void {
  const command = program.command('import').description('Import data.');
  command
    .command('profiles')
    .description(
      'Import profiles from a CSV file: first column identity (or objectId), then properties (Phone, MSG-whatsapp, MSG-dndWhatsApp TRUE/FALSE, yes/no or 1/0, any other column). Re-importing a file changes nothing.',
    )
    .argument('<file>', 'CSV file (UTF-8, comma-separated, header row)')
    .option('--project <id>', 'project to import into (required when there are several)')
    .option('--region <code>', 'ISO country code for phone numbers written without a country code, e.g. IN')
    .option('--report <file>', 'where to write every bad row (default: <file>.bad-rows.csv)')
    .addHelpText('after', DATABASE_HELP)
    .action(async (file: string, options: ImportCommandOptions) => {
      const runtime = await openRuntime(loadConfig(), { logger: createLogger('warn') });
      printNewDatabaseNote(runtime.db);
      try {
        process.exitCode = await importProfilesFile(runtime.db, file, options, { out: process.stdout, err: process.stderr });
      } finally {
        await runtime.close();
      }
    });
}
