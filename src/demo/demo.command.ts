/**
 * `wacast demo`: the server, the worker and the sandbox in one process, with sample data, so a
 * new user sees messages flow within a minute and no provider account. Data always goes to
 * `<WACAST_DATA_DIR>/demo` (SQLite), also when WACAST_DATABASE_URL is set: run with the server's
 * environment, the demo would otherwise add its sample project, a provider account pointing at a
 * sandbox that is gone once the demo stops, and (in a database without users) an admin with the
 * public demo password to the operator's PostgreSQL database, where the real server would accept
 * it. The provider base URLs point at the sandbox whatever the environment says.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { buildApp } from '../app.js';
import { Worker } from '../worker/worker.js';
import { countUsers, createUser, addProjectMember } from '../auth/users.service.js';
import { startSandbox } from '../sandbox/sandbox.server.js';
import { listenOn, workerOwner } from '../cli/serve.command.js';
import { onShutdown } from '../cli/shutdown.js';
import { DEMO_GUPSHUP, seedDemo } from './demo-seed.js';

const DEMO_EMAIL = 'demo@wacast.local';
const DEMO_PASSWORD = 'demo-password';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run wacast with a built-in provider sandbox and sample data: watch a campaign send, deliver and collect replies.')
    .option('--sandbox-port <port>', 'port of the provider sandbox (0 picks a free one)', '0')
    .action(async (options: { sandboxPort: string }) => {
      const sandboxPort = Number(options.sandboxPort);
      if (options.sandboxPort.trim() === '' || !Number.isInteger(sandboxPort) || sandboxPort < 0 || sandboxPort > 65535) {
        console.error(`--sandbox-port ${JSON.stringify(options.sandboxPort)}: expected an integer from 0 to 65535 (0 picks a free one).`);
        process.exitCode = 1;
        return;
      }
      const base = loadConfig();
      if (base.databaseUrl) {
        console.log(`The demo keeps its sample data apart, in SQLite at ${join(base.dataDir, 'demo')}: WACAST_DATABASE_URL is not used.`);
      }
      const sandbox = await startSandbox({
        port: sandboxPort,
        knobs: { dlrDelayMs: [400, 2500], readShare: 0.6, failShare: 0.04, failReason: 'not_on_whatsapp', autoReplyShare: 0.08, autoReplyText: 'Thanks! Is this offer valid online too?', autoReplyDelayMs: [1000, 4000] },
      });
      // The demo admin's password is printed and documented: the demo answers this machine only,
      // unless WACAST_HOST asks for more.
      const hostChosen = (process.env.WACAST_HOST ?? '').trim() !== '';
      const config = {
        ...base,
        host: hostChosen ? base.host : '127.0.0.1',
        databaseUrl: undefined,
        dataDir: join(base.dataDir, 'demo'),
        providerUrls: { gupshupEnterprise: sandbox.env.GUPSHUP_ENTERPRISE_URL, gupshupApi: sandbox.env.GUPSHUP_API_URL, vonageApi: sandbox.env.VONAGE_API_URL },
      };
      const runtime = await openRuntime(config);
      const deps = runtime;
      const app = await buildApp(deps);
      try {
        await listenOn(app, config);
      } catch (error) {
        await runtime.close();
        await sandbox.close();
        throw error;
      }

      const world = await seedDemo(deps, (line) => console.log(line));
      sandbox.addAccounts([
        {
          provider: 'gupshup-enterprise',
          id: 'demo',
          ...DEMO_GUPSHUP,
          dlrUrl: world.deliveryCallbackUrl,
          inboundUrl: world.inboundCallbackUrl,
          templates: [{ name: 'DEMO:welcome_offer', body: 'Hi {{1}}, welcome to the demo shop! Your {{2}} code is {{3}}.' }],
        },
      ]);
      let login = '';
      if ((await countUsers(runtime.db)) === 0) {
        const user = await createUser(runtime.db, { email: DEMO_EMAIL, password: DEMO_PASSWORD, isAdmin: true });
        await addProjectMember(runtime.db, world.projectId, user.id);
        login = `Log in as ${DEMO_EMAIL} / ${DEMO_PASSWORD}`;
      }
      const worker = new Worker(deps, workerOwner());
      worker.start();

      console.log(`\nwacast demo is running at ${config.publicUrl}`);
      if (!hostChosen) console.log('It answers this machine only (127.0.0.1): set WACAST_HOST to open it to others.');
      else if (!isLoopback(config.host)) console.log(`Listening on ${config.host}: anyone who can reach it can log in with the demo password below.`);
      if (login) console.log(login);
      console.log(`Provider sandbox: ${sandbox.url} (what it received: ${sandbox.url}/_sandbox/messages)`);
      if (world.accountId) console.log(`API credentials of the demo project: ${world.accountId} / ${world.passcode} (shown once)`);
      console.log('Open Campaigns → "Welcome offer" and watch it send; replies arrive in the Inbox. Ctrl-C stops.');

      onShutdown([
        { waitingFor: 'the HTTP server to answer the requests in progress', run: () => app.close() },
        { waitingFor: "the worker: sends in flight wait for the sandbox's answer", run: () => worker.stop() },
        { waitingFor: 'the database to close', run: () => runtime.close() },
        { waitingFor: 'the provider sandbox to stop', run: () => sandbox.close() },
      ]);
    });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
