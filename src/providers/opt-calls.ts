/**
 * Tells providers about opt-ins and opt-outs (PRODUCT §2: Gupshup Enterprise `OPT_IN` / `OPT_OUT`
 * through the notification account; the other adapters answer `ok` without a request). Used for
 * keyword replies (the account the reply came through) and the subscribe API (every account of
 * the project, since the phone-level DND covers them all).
 *
 * Best effort, after the change is committed: the phone-level DND is what wacast enforces, so a
 * failed call is logged, not retried. At most CONCURRENCY calls run at once and at most
 * MAX_WAITING wait — a subscribe call of 1,000 records must neither open 1,000 connections nor
 * queue without bound behind a provider that is down.
 */
import type { AppDeps } from '../deps.js';

const CONCURRENCY = 4;
const MAX_WAITING = 20_000;

interface OptCall {
  providerId: string;
  phone: string;
  optIn: boolean;
}

export class ProviderOptCalls {
  private readonly waiting: OptCall[] = [];
  private running = 0;
  private dropped = 0;
  private idle: Array<() => void> = [];

  constructor(private readonly deps: Pick<AppDeps, 'db' | 'providers' | 'logger'>) {}

  /** Queues one call to one account. */
  request(call: OptCall): void {
    if (this.waiting.length >= MAX_WAITING) {
      if (this.dropped++ === 0) this.deps.logger.warn({ waiting: this.waiting.length }, 'too many provider opt-in/opt-out calls waiting; dropping the newest');
      return;
    }
    this.waiting.push(call);
    this.pump();
  }

  /** Queues a call per phone to every live account of the project. */
  async requestForProject(projectId: string, changes: ReadonlyArray<{ phone: string; optIn: boolean }>): Promise<void> {
    if (changes.length === 0) return;
    const accounts = await this.deps.db.kysely
      .selectFrom('provider_accounts')
      .select('id')
      .where('project_id', '=', projectId)
      .where('deleted_at', 'is', null)
      .execute();
    for (const { id } of accounts) for (const change of changes) this.request({ providerId: id, ...change });
  }

  /** Drops the calls still waiting and resolves when the running ones have finished (shutdown). */
  close(): Promise<void> {
    this.waiting.length = 0;
    return this.settle();
  }

  /** Resolves when every queued call has finished. */
  settle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.running < CONCURRENCY && this.waiting.length > 0) {
      const call = this.waiting.shift()!;
      this.running++;
      void this.call(call).finally(() => {
        this.running--;
        if (this.waiting.length > 0) this.pump();
        else if (this.running === 0) {
          this.dropped = 0;
          for (const resolve of this.idle.splice(0)) resolve();
        }
      });
    }
  }

  private async call({ providerId, phone, optIn }: OptCall): Promise<void> {
    const what = optIn ? 'opt-in' : 'opt-out';
    try {
      const entry = await this.deps.providers.get(providerId);
      if (!entry || entry.account.deleted) return;
      const result = optIn ? await entry.client.optIn(phone) : await entry.client.optOut(phone);
      if (!result.ok) this.deps.logger.warn({ providerId, category: result.category, detail: result.detail }, `provider ${what} call failed`);
    } catch (error) {
      this.deps.logger.warn({ err: error, providerId }, `provider ${what} call failed`);
    }
  }
}
