/** The `wacast` command line. */
import { Command } from 'commander';
import { ConfigError } from './config.js';
import { WrongSecretKeyError } from './secrets/secret-box.js';
import { registerCommands } from './cli/commands.js';
import { ListenError } from './cli/serve.command.js';
import { DataDirError } from './storage/data-dir.js';

const program = new Command();
program
  .name('wacast')
  .description('Self-hosted WhatsApp engagement platform. Configuration comes from WACAST_* environment variables (see README).')
  .showHelpAfterError();

registerCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof WrongSecretKeyError || error instanceof ListenError || error instanceof DataDirError) {
    console.error(error.message);
  } else if (error instanceof Error && 'code' in error && (error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND')) {
    console.error(`Cannot reach the database: ${error.message}`);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
});
