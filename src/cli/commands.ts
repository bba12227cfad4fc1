import type { Command } from 'commander';
import { registerServeCommands } from './serve.command.js';
import { registerAdminCommands } from './admin.command.js';
import { registerImportCommand } from '../audience/import.command.js';
import { registerBenchCommand } from '../bench/bench.command.js';

/** Every subcommand of `wacast`, by domain. */
export function registerCommands(program: Command): void {
  registerServeCommands(program);
  registerAdminCommands(program);
  registerImportCommand(program);
  registerBenchCommand(program);
}
