/**
 * `wacast backup --out FILE [--force]`: a consistent copy of the embedded SQLite database, taken
 * while wacast runs (src/storage/sqlite-backup.ts), with a progress bar. Exit status 0 written, 2
 * written but the server's secret key does not open its credentials, 1 not written (nothing is
 * left behind then).
 *
 * `wacast restore --from FILE [--yes]`: puts a backup in place while wacast is stopped
 * (src/storage/sqlite-restore.ts) and pauses the campaigns that were running at the backup.
 * Exit status 0 restored, 1 not (the current database is untouched then).
 *
 * On PostgreSQL both say to use pg_dump / pg_restore instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig, type Config } from '../config.js';
import { loadMasterKey } from '../secrets/master-key.js';
import { WrongSecretKeyError } from '../secrets/secret-box.js';
import { backupSqlite, BackupError, type BackupSummary } from '../storage/sqlite-backup.js';
import { restoreSqlite } from '../storage/sqlite-restore.js';
import { openSqlite } from '../storage/db.js';
import { pauseCampaignsRunningAtBackup, type PausedCampaign } from '../campaigns/restore-pause.js';

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

/**
 * The server's secret key and where it comes from, without creating one: a backup command run
 * where there is no key must not make a new key that opens nothing.
 */
function serverKey(config: Config): { key: Buffer; origin: string } | null {
  if (!config.secretKey && !existsSync(join(config.dataDir, 'secret.key'))) return null;
  try {
    const { key, origin } = loadMasterKey({ secretKey: config.secretKey, dataDir: config.dataDir });
    return { key, origin };
  } catch (error) {
    if (!(error instanceof WrongSecretKeyError)) throw error;
    console.error(`Warning: ${error.message} The backup goes on; the key is not checked.`);
    return null;
  }
}

/** What the operator must keep besides the file: without the key, the copy's provider credentials cannot be decrypted. */
function keyAdvice(summary: BackupSummary, key: { origin: string } | null): string {
  const where = key ? (key.origin === 'WACAST_SECRET_KEY' ? 'WACAST_SECRET_KEY' : `the key file ${key.origin}`) : 'the secret key';
  if (summary.keyOpens === false) {
    return `Warning: ${where} does NOT open this database's provider credentials: the server must be using another key. Find the key the server runs with and keep it with the backup.`;
  }
  const checked = summary.keyOpens ? ' (checked: it opens the copy\'s credentials)' : '';
  return `Provider credentials in it are encrypted with ${where}${checked}. Keep the key safe too, apart from the backup: a restore needs both.`;
}

export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description('Copy the embedded SQLite database to a file, consistently, also while wacast runs.')
    .requiredOption('--out <file>', 'the backup file to write (its directory must exist)')
    .option('--force', 'replace the file if it exists')
    .addHelpText(
      'after',
      '\nWhich database: SQLite in WACAST_DATA_DIR (default ./data, from the current directory), as the server uses it.\n' +
        'On PostgreSQL (WACAST_DATABASE_URL set) use pg_dump instead. Put a backup back with `wacast restore`\n' +
        '(README, Backing up).',
    )
    .action(async (options: { out: string; force?: boolean }) => {
      const config = loadConfig();
      if (config.databaseUrl) {
        console.error(
          'wacast backup copies the embedded SQLite database; this server uses PostgreSQL (WACAST_DATABASE_URL). Back it up with pg_dump, e.g. `pg_dump --format=custom --file=wacast.dump "$WACAST_DATABASE_URL"`, and keep WACAST_SECRET_KEY with it.',
        );
        process.exitCode = 1;
        return;
      }
      const bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: 'Backing up |{bar}| {percentage}% | {done} of {size}', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      let started = false;
      try {
        const key = serverKey(config);
        const summary = await backupSqlite({
          source: join(config.dataDir, 'wacast.db'),
          target: options.out,
          force: options.force === true,
          key: key?.key,
          holdBelowBytes: config.disk.holdBelowBytes,
          onProgress: (written, total) => {
            if (!started) bar.start(total, 0, { done: mib(0), size: mib(total) });
            started = true;
            bar.update(written, { done: mib(written), size: mib(total) });
          },
        });
        bar.stop();
        console.log(`Backup written to ${summary.file} (${mib(summary.bytes)}): ${summary.projects} project(s), ${summary.profiles} profile(s), ${summary.messages} message(s); schema ${summary.lastMigration ?? 'empty'}.`);
        console.log(keyAdvice(summary, key));
        if (summary.keyOpens === false) process.exitCode = 2;
      } catch (error) {
        bar.stop();
        if (!(error instanceof BackupError)) throw error;
        console.error(error.message);
        process.exitCode = 1;
      }
    });

  program
    .command('restore')
    .description('Put a backup from `wacast backup` in place of the SQLite database (wacast must be stopped).')
    .requiredOption('--from <file>', 'the backup file')
    .option('--yes', 'replace the current database (it is kept as wacast.db.before-restore-<time>)')
    .addHelpText(
      'after',
      '\nWhich database: SQLite in WACAST_DATA_DIR (default ./data, from the current directory), as the server uses it.\n' +
        'Start wacast with the secret key the backup was taken with. Campaigns that were running at the backup are paused:\n' +
        'resuming one sends again what it sent after the backup (README, Backing up).',
    )
    .action(async (options: { from: string; yes?: boolean }) => {
      const config = loadConfig();
      if (config.databaseUrl) {
        console.error('wacast restore puts back a backup of the embedded SQLite database; this server uses PostgreSQL (WACAST_DATABASE_URL). Restore a pg_dump backup with pg_restore, and start wacast with the WACAST_SECRET_KEY it was taken with.');
        process.exitCode = 1;
        return;
      }
      let paused: PausedCampaign[] = [];
      try {
        const restored = await restoreSqlite({
          backup: options.from,
          dataDir: config.dataDir,
          key: serverKey(config),
          replace: options.yes === true,
          prepare: async (file) => {
            const db = openSqlite(file);
            try {
              paused = await pauseCampaignsRunningAtBackup(db);
            } finally {
              await db.close();
            }
          },
        });
        const { summary } = restored;
        console.log(`Restored ${restored.database} from ${options.from}: ${summary.projects} project(s), ${summary.profiles} profile(s), ${summary.messages} message(s); schema ${summary.lastMigration ?? 'empty'}.`);
        if (restored.keptAs) console.log(`The database it replaced is kept as ${restored.keptAs}.`);
        if (paused.length > 0) {
          console.log(`Paused ${paused.length} campaign(s) that were running when the backup was taken. Resuming one sends again the messages it sent after the backup; stop it instead if that must not happen:`);
          for (const campaign of paused) console.log(`  ${campaign.name} (project ${campaign.projectName}, ${campaign.queued} queued)`);
        }
      } catch (error) {
        if (!(error instanceof BackupError)) throw error;
        console.error(error.message);
        process.exitCode = 1;
      }
    });
}
