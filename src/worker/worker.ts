/**
 * The background side of wacast: every loop that is not an HTTP handler (dispatch, callback
 * application, scheduling, housekeeping). `wacast serve` runs it beside the API unless
 * `--no-worker`; `wacast worker` runs only this. Every loop coordinates through database leases,
 * so any number of worker processes can run against one PostgreSQL database.
 */
import type { AppDeps } from '../deps.js';
import { IntervalService, type BackgroundService, type BackgroundServiceFactory } from './background-service.js';

export { IntervalService, type BackgroundService, type BackgroundServiceFactory } from './background-service.js';
import { deleteExpiredSessions } from '../auth/sessions.service.js';
import { DispatchService } from '../campaigns/dispatch.service.js';
import { PublisherService } from '../campaigns/publisher.js';
import { SchedulerService } from '../campaigns/scheduler.js';
import { ApplierService } from '../webhooks/applier.service.js';

const housekeeping: BackgroundServiceFactory = (deps) =>
  new IntervalService('housekeeping', 60 * 60 * 1000, () => deleteExpiredSessions(deps.db), deps);

/** Every background service, in start order. Domains add theirs here. */
export const backgroundServices: BackgroundServiceFactory[] = [
  housekeeping,
  (deps, owner) => new SchedulerService(deps, owner),
  (deps, owner) => new PublisherService(deps, owner),
  (deps, owner) => new DispatchService(deps, owner),
  (deps, owner) => new ApplierService(deps, owner),
];

export class Worker {
  private readonly services: BackgroundService[];

  constructor(deps: AppDeps, readonly owner: string, factories: BackgroundServiceFactory[] = backgroundServices) {
    this.services = factories.map((factory) => factory(deps, owner));
  }

  start(): void {
    for (const service of this.services) service.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.services.map((service) => service.stop()));
  }
}
