/**
 * Graceful stop of `wacast serve` and `wacast worker` on SIGTERM or SIGINT (Ctrl-C): the steps run
 * in order and each is announced, so an operator sees what the process waits for (a send in flight
 * waits for the provider's answer, up to WACAST_SEND_TIMEOUT_MS); a step that takes longer than
 * `stillWaitingMs` is named again. A second signal exits at once: nothing is lost by it, since
 * every acknowledged callback is already in the database, and messages whose send was in flight
 * are settled as `unknown` (never resent) once their lease runs out, as after a crash.
 */

export interface ShutdownStep {
  /** What the process waits for while this step runs, as the operator reads it. */
  waitingFor: string;
  run(): Promise<void>;
}

export interface ShutdownOptions {
  print?: (line: string) => void;
  exit?: (code: number) => void;
  /** How often a slow step is named again, in ms. */
  stillWaitingMs?: number;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

/** Runs `steps` on the first SIGTERM/SIGINT and exits 0 (1 when a step failed); a second signal exits at once. */
export function onShutdown(steps: ShutdownStep[], options: ShutdownOptions = {}): void {
  const print = options.print ?? ((line: string) => console.log(line));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const stillWaitingMs = options.stillWaitingMs ?? 5_000;
  let current: string | null = null;
  let stopping = false;

  const handler = (signal: string) => {
    if (stopping) {
      print(`wacast: second ${signal}: exiting now${current ? ` without waiting for ${current}` : ''}. Sends that were in flight become "unknown" once their lease runs out; nothing is sent twice.`);
      // The conventional status of a process ended by a signal: 128 + its number.
      exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
      return;
    }
    stopping = true;
    print(`wacast: ${signal} received, shutting down (send it again to exit at once)…`);
    void runSteps(steps, {
      print,
      stillWaitingMs,
      onStep: (waitingFor) => {
        current = waitingFor;
      },
    }).then(
      () => {
        print('wacast: stopped.');
        exit(0);
      },
      (error: unknown) => {
        print(`wacast: shutdown failed while waiting for ${current ?? 'the last step'}: ${error instanceof Error ? error.message : String(error)}`);
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

async function runSteps(
  steps: ShutdownStep[],
  options: { print: (line: string) => void; stillWaitingMs: number; onStep: (waitingFor: string) => void },
): Promise<void> {
  for (const step of steps) {
    options.onStep(step.waitingFor);
    options.print(`wacast: waiting for ${step.waitingFor}…`);
    const startedAt = Date.now();
    const reminder = setInterval(() => {
      options.print(`wacast: still waiting for ${step.waitingFor} (${Math.round((Date.now() - startedAt) / 1000)} s)…`);
    }, options.stillWaitingMs);
    try {
      await step.run();
    } finally {
      clearInterval(reminder);
    }
  }
}
