import type { Command } from 'commander';
import { registerServeCommands } from './serve.command.js';
import { registerAdminCommands } from './admin.command.js';
import { registerSandboxCommand } from '../sandbox/sandbox.command.js';
import { registerImportCommand } from '../audience/import.command.js';
import { registerBenchCommand } from '../bench/bench.command.js';
import { registerDemoCommand } from '../demo/demo.command.js';
import { registerBackupCommand } from './backup.command.js';

/** Every subcommand of `wacast`, by domain. */
export function registerCommands(program: Command): void {
  registerServeCommands(program);
  registerAdminCommands(program);
  registerSandboxCommand(program);
  registerImportCommand(program);
  registerBenchCommand(program);
  registerDemoCommand(program);
  registerBackupCommand(program);
}
