import type { Config } from './config.js';
import type { Db } from './storage/db.js';
import type { Logger } from './logger.js';
import type { SecretBox } from './secrets/secret-box.js';
import type { Metrics } from './ops/metrics.js';
import type { Bus } from './bus.js';
import type { ProviderClients } from './providers/provider-clients.js';
import type { Sender } from './campaigns/sender.js';

/** What every part of the server is built from; tests build it with test/helpers. */
export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  secrets: SecretBox;
  metrics: Metrics;
  bus: Bus;
  /** Provider clients per account (shared keep-alive pools). */
  providers: ProviderClients;
  /** Makes campaign and reply sends (a worker thread in production). */
  sender: Sender;
}
