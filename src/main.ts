/** The `wacast` command line. */
import { Command } from 'commander';
import { ConfigError } from './config.js';
import { WrongSecretKeyError } from './secrets/secret-box.js';
import { registerCommands } from './cli/commands.js';
import { ListenError } from './cli/serve.command.js';
import { DataDirError } from './storage/data-dir.js';
import { databaseOpenProblem } from './storage/database-errors.js';
import { NewerDatabaseError } from './storage/migrator.js';

const program = new Command();
program
  .name('wacast')
  .description('Self-hosted WhatsApp engagement platform. Configuration comes from WACAST_* environment variables (see README).')
  .showHelpAfterError();

registerCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof WrongSecretKeyError ||
    error instanceof ListenError ||
    error instanceof DataDirError ||
    error instanceof NewerDatabaseError
  ) {
    console.error(error.message);
  } else if (databaseOpenProblem(error)) {
    console.error(databaseOpenProblem(error));
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
});
