/** `wacast sandbox`: runs the provider stand-ins on one port until interrupted. */
import type { Command } from 'commander';
import { SandboxInputError, type GlobalKnobsInput } from './sandbox.schema.js';
import { startSandbox, type Sandbox, type SandboxOptions } from './sandbox.server.js';

/** Knob ← flag, for flags that carry a value (the `--no-…` switches are handled apart). */
const VALUE_FLAGS: [knob: keyof GlobalKnobsInput, flag: string, kind: 'number' | 'range' | 'text' | 'list'][] = [
  ['latencyMs', 'latency', 'range'],
  ['failShare', 'fail-share', 'number'],
  ['failReason', 'fail-reason', 'text'],
  ['notOnWhatsApp', 'not-on-whatsapp', 'list'],
  ['dlrDelayMs', 'dlr-delay', 'range'],
  ['readShare', 'read-share', 'number'],
  ['reorderShare', 'reorder-share', 'number'],
  ['duplicateShare', 'duplicate-share', 'number'],
  ['burst429EverySeconds', 'burst-429-every', 'number'],
  ['burst429Share', 'burst-429-share', 'number'],
  ['timeoutShare', 'timeout-share', 'number'],
  ['timeoutMs', 'timeout-ms', 'number'],
  ['rateLimitPerSecond', 'rate-limit', 'number'],
  ['autoReplyShare', 'auto-reply-share', 'number'],
  ['autoReplyText', 'auto-reply-text', 'text'],
  ['autoReplyDelayMs', 'auto-reply-delay', 'range'],
  ['down', 'down', 'text'],
  ['callbackConcurrency', 'callback-concurrency', 'number'],
  ['callbackRetries', 'callback-retries', 'number'],
  ['callbackRetryDelayMs', 'callback-retry-delay', 'number'],
  ['callbackTimeoutMs', 'callback-timeout', 'number'],
  ['dlrBatchMs', 'dlr-batch-ms', 'number'],
];

/** Knob ← `--no-…` switch. */
const SWITCHES: [knob: keyof GlobalKnobsInput, flag: string][] = [
  ['callbacks', 'callbacks'],
  ['autoReplyContext', 'auto-reply-context'],
  ['enforceSessionWindow', 'session-window'],
];

const camel = (flag: string) => flag.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

export interface SandboxFlags {
  port: string;
  host: string;
  config?: string;
  maxMessages?: string;
  [flag: string]: string | boolean | undefined;
}

/**
 * Turns command-line flags into sandbox options. Only flags given on the command line become
 * knobs (`given(name)`), so a `--config` file's knobs are not overwritten by defaults. Problems
 * name the flag, not the knob.
 */
export function sandboxOptionsFromFlags(flags: SandboxFlags, given: (option: string) => boolean): SandboxOptions {
  const problems: string[] = [];
  const knobs: Record<string, unknown> = {};
  const number = (flag: string, text: string) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) problems.push(`--${flag} ${JSON.stringify(text)}: expected a number`);
    return value;
  };
  for (const [knob, flag, kind] of VALUE_FLAGS) {
    const option = camel(flag);
    const raw = flags[option];
    if (!given(option) || typeof raw !== 'string') continue;
    knobs[knob] = kind === 'number' ? number(flag, raw) : kind === 'list' ? raw.split(',').map((item) => item.trim()).filter(Boolean) : raw;
  }
  for (const [knob, flag] of SWITCHES) {
    const option = camel(flag);
    if (given(option)) knobs[knob] = flags[option] === true;
  }
  const port = number('port', flags.port);
  if (problems.length === 0 && (!Number.isInteger(port) || port < 0 || port > 65535)) problems.push(`--port ${flags.port}: expected an integer from 0 to 65535`);
  const options: SandboxOptions = { port, host: flags.host, knobs: knobs as GlobalKnobsInput };
  if (flags.config) options.configFile = flags.config;
  if (flags.maxMessages !== undefined) {
    const max = number('max-messages', flags.maxMessages);
    if (!Number.isInteger(max) || max < 1) problems.push(`--max-messages ${flags.maxMessages}: expected a whole number ≥ 1`);
    options.maxMessages = max;
  }
  if (problems.length > 0) throw new SandboxInputError(problems.map((message) => ({ path: '', message })));
  return options;
}

/** Rewrites `knobs.failShare: …` problems to name the flag (`--fail-share: …`). */
function flagMessage(error: SandboxInputError): string {
  const byKnob = new Map<string, string>([...VALUE_FLAGS.map(([knob, flag]) => [knob, flag] as const), ...SWITCHES.map(([knob, flag]) => [knob, `no-${flag}`] as const)]);
  return error.problems
    .map((problem) => {
      const knob = problem.path.replace(/^knobs\./, '').split('.')[0]!;
      const flag = byKnob.get(knob);
      return flag && problem.path.startsWith('knobs.') ? `--${flag}: ${problem.message}` : problem.path ? `${problem.path}: ${problem.message}` : problem.message;
    })
    .join('\n');
}

export function describeSandbox(sandbox: Sandbox): string {
  const accounts = sandbox.accounts();
  const lines = [
    `wacast sandbox is listening on ${sandbox.url}`,
    '  Gupshup Enterprise, Gupshup self-serve and Vonage Messages API stand-ins on one port;',
    `  received messages, stats and controls under ${sandbox.url}/_sandbox`,
    '',
    'Point wacast at it with:',
    ...Object.entries(sandbox.env).map(([name, value]) => `  export ${name}=${value}`),
    '',
    accounts.length === 0
      ? 'No accounts yet: give --config FILE or POST them to /_sandbox/accounts (docs/sandbox.md).'
      : `Accounts: ${accounts.map((account) => `${String(account.id)} (${String(account.provider)})`).join(', ')}`,
  ];
  return lines.join('\n');
}

export function registerSandboxCommand(program: Command): void {
  const command = program
    .command('sandbox')
    .description('Run a local, protocol-faithful stand-in for Gupshup Enterprise, Gupshup self-serve and the Vonage Messages API (docs/sandbox.md).')
    .option('--port <port>', 'TCP port (0 picks a free one)', '4010')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--config <file>', 'JSON file with accounts and knobs')
    .option('--max-messages <n>', 'messages kept for inspection (default 100000; counters keep totals)')
    .option('--latency <ms>', 'answer latency, N or MIN-MAX ms')
    .option('--fail-share <0-1>', 'share of accepted messages that fail later')
    .option('--fail-reason <reason>', 'not_on_whatsapp, template_mismatch, outside_window, undeliverable, blocked, rate_limited or invalid_parameter')
    .option('--not-on-whatsapp <numbers>', 'comma-separated numbers (digits; a trailing * makes a prefix) that are not on WhatsApp')
    .option('--dlr-delay <ms>', 'delay before each status callback, N or MIN-MAX ms')
    .option('--read-share <0-1>', 'share of delivered messages that are read')
    .option('--reorder-share <0-1>', 'share of messages whose callbacks arrive out of order')
    .option('--duplicate-share <0-1>', 'share of callbacks sent twice')
    .option('--no-callbacks', 'post no status callbacks or automatic replies')
    .option('--burst-429-every <seconds>', 'answer 429 to everything during every Nth second')
    .option('--burst-429-share <0-1>', 'share of requests answered 429')
    .option('--timeout-share <0-1>', 'share of accepted sends whose answer is late or never comes')
    .option('--timeout-ms <ms>', 'for those: answer after this many ms (0: never)')
    .option('--rate-limit <n>', 'requests per sliding second per account, above which 429 (0: unlimited)')
    .option('--auto-reply-share <0-1>', 'share of delivered template messages the recipient answers')
    .option('--auto-reply-text <text>', 'text of those replies')
    .option('--no-auto-reply-context', 'automatic replies do not quote the message they answer')
    .option('--auto-reply-delay <ms>', 'delay of an automatic reply after delivery, N or MIN-MAX ms')
    .option('--down <mode>', 'provider down: off, 5xx or reset')
    .option('--no-session-window', 'deliver session messages even outside the 24-hour window')
    .option('--callback-concurrency <n>', 'callbacks in flight at once')
    .option('--callback-retries <n>', 'retries of a callback answered non-2xx or not at all')
    .option('--callback-retry-delay <ms>', 'first retry delay (doubles each retry)')
    .option('--callback-timeout <ms>', 'a callback attempt slower than this failed')
    .option('--dlr-batch-ms <ms>', 'how long Gupshup Enterprise DLRs wait to be batched (≤ 20 per request)');

  command.action(async (flags: SandboxFlags) => {
    const sandbox = await runSandboxCommand(flags, (option) => command.getOptionValueSource(option) === 'cli');
    if (!sandbox) return;
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`wacast sandbox: ${signal} received, stopping…`);
      sandbox
        .close()
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          console.error(error);
          process.exit(1);
        });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

/**
 * Starts the sandbox for parsed flags and prints where it listens and what to export; on a bad
 * flag, configuration or busy port prints why, sets the exit code and returns null.
 */
export async function runSandboxCommand(flags: SandboxFlags, given: (option: string) => boolean): Promise<Sandbox | null> {
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox(sandboxOptionsFromFlags(flags, given));
  } catch (error) {
    if (error instanceof SandboxInputError) {
      console.error(flagMessage(error));
      process.exitCode = 1;
      return null;
    }
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      console.error(`Port ${flags.port} is in use: choose another with --port (0 picks a free one).`);
      process.exitCode = 1;
      return null;
    }
    throw error;
  }
  console.log(describeSandbox(sandbox));
  return sandbox;
}
