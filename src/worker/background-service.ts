/** What every background loop of a worker implements, and the common interval-driven kind. */
import type { AppDeps } from '../deps.js';

export interface BackgroundService {
  readonly name: string;
  start(): void;
  /** Stops taking new work, finishes or releases what it holds, and resolves when done. */
  stop(): Promise<void>;
}

export type BackgroundServiceFactory = (deps: AppDeps, owner: string) => BackgroundService;

/** A loop that runs `tick` every `intervalMs` until stopped; errors are logged, never fatal. */
export class IntervalService implements BackgroundService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
    private readonly deps: Pick<AppDeps, 'logger'>,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((error: unknown) => this.deps.logger.error({ err: error, service: this.name }, 'background task failed'))
        .finally(() => {
          this.running = null;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

