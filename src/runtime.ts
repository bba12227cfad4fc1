/**
 * Opens everything a wacast process needs, in order: configuration → logger → database →
 * migrations → master key (verified against the database). Used by every CLI command, so the CLI
 * run with the server's environment works on the server's data.
 */
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openDb, type Db } from './storage/db.js';
import { migrate } from './storage/migrator.js';
import { loadMasterKey, verifyMasterKey } from './secrets/master-key.js';
import { SecretBox } from './secrets/secret-box.js';
import { Metrics } from './ops/metrics.js';
import { Bus } from './bus.js';
import type { AppDeps } from './deps.js';
import { ProviderClients } from './providers/provider-clients.js';
import { createDefaultProviderFactory } from './providers/default-factory.js';
import { createSender } from './campaigns/sender.js';

export interface Runtime extends AppDeps {
  close(): Promise<void>;
}

export async function openRuntime(config: Config, options: { logger?: Logger; migrate?: boolean } = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db: Db = openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (options.migrate !== false) {
      const result = await migrate(db);
      if (result.applied.length > 0) logger.info({ applied: result.applied }, 'database migrated');
    }
    const master = loadMasterKey({ secretKey: config.secretKey, dataDir: config.dataDir });
    if (master.created) logger.info({ file: master.origin }, 'created a new secret key file (mode 0600); back it up with the data');
    const secrets = new SecretBox(master.key);
    await verifyMasterKey(db, secrets, master.origin);
    const adapters = createDefaultProviderFactory({ requestTimeoutMs: config.sendTimeoutMs });
    const providers = new ProviderClients({ db, secrets, config }, adapters.factory);
    const sender = createSender({ db, secrets, config, logger, providers });
    return {
      config,
      db,
      logger,
      secrets,
      metrics: new Metrics(),
      bus: new Bus(),
      providers,
      sender,
      async close() {
        await sender.close();
        await providers.closeAll();
        await adapters.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
