import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerSandboxCommand, runSandboxCommand, sandboxOptionsFromFlags, type SandboxFlags } from './sandbox.command.js';

/** Parses `wacast sandbox …` with the real option definitions, without starting anything. */
async function parse(args: string[]): Promise<{ flags: SandboxFlags; given: (option: string) => boolean }> {
  const program = new Command().exitOverride();
  registerSandboxCommand(program);
  const command = program.commands.find((candidate) => candidate.name() === 'sandbox')!;
  let captured: SandboxFlags | undefined;
  command.action((flags: SandboxFlags) => {
    captured = flags;
  });
  await program.parseAsync(['node', 'wacast', 'sandbox', ...args]);
  return { flags: captured!, given: (option) => command.getOptionValueSource(option) === 'cli' };
}

describe('wacast sandbox (command line)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('turns the flags given into knobs, and only those', async () => {
    const { flags, given } = await parse([
      '--port', '0', '--latency', '5-20', '--fail-share', '0.1', '--fail-reason', 'blocked', '--not-on-whatsapp', '919999999999, 91888*',
      '--no-callbacks', '--rate-limit', '80', '--down', '5xx', '--no-session-window', '--max-messages', '500',
    ]);
    expect(sandboxOptionsFromFlags(flags, given)).toEqual({
      port: 0,
      host: '127.0.0.1',
      maxMessages: 500,
      knobs: {
        latencyMs: '5-20',
        failShare: 0.1,
        failReason: 'blocked',
        notOnWhatsApp: ['919999999999', '91888*'],
        callbacks: false,
        rateLimitPerSecond: 80,
        down: '5xx',
        enforceSessionWindow: false,
      },
    });
    const defaults = await parse([]);
    expect(sandboxOptionsFromFlags(defaults.flags, defaults.given)).toEqual({ port: 4010, host: '127.0.0.1', knobs: {} });
  });

  it('names the flag of a bad value', async () => {
    const { flags, given } = await parse(['--fail-share', 'lots']);
    expect(() => sandboxOptionsFromFlags(flags, given)).toThrow(/--fail-share "lots": expected a number/);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bad = await parse(['--port', '0', '--read-share', '3', '--down', 'sometimes']);
    expect(await runSandboxCommand(bad.flags, bad.given)).toBeNull();
    expect(process.exitCode).toBe(1);
    const printed = error.mock.calls.map((call) => String(call[0])).join('\n');
    expect(printed).toMatch(/--read-share: expected a number from 0 to 1/);
    expect(printed).toMatch(/--down: expected off, 5xx or reset/);
  });

  it('starts the sandbox and prints its URL and the environment to set', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const { flags, given } = await parse(['--port', '0', '--dlr-delay', '0']);
    const sandbox = await runSandboxCommand(flags, given);
    try {
      expect(sandbox).not.toBeNull();
      const printed = log.mock.calls.map((call) => String(call[0])).join('\n');
      expect(printed).toContain(`listening on ${sandbox!.url}`);
      expect(printed).toContain(`export GUPSHUP_ENTERPRISE_URL=${sandbox!.url}/GatewayAPI/rest`);
      expect(printed).toContain(`export GUPSHUP_API_URL=${sandbox!.url}`);
      expect(printed).toContain(`export VONAGE_API_URL=${sandbox!.url}`);
      expect(printed).toMatch(/No accounts yet/);
      expect(sandbox!.knobs().dlrDelayMs).toEqual({ min: 0, max: 0 });
      expect((await fetch(`${sandbox!.url}/_sandbox`)).status).toBe(200);
    } finally {
      await sandbox?.close();
    }
  });
});
