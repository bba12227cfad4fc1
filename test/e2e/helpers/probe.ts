/**
 * Browser tests of features whose server side lands from another branch: they run as soon as the
 * build has the routes they need. Until then they are skipped with the reason, except under
 * CI=true, where a missing route is a failure that names it (a test that cannot run must not
 * look green).
 */
import { describe, it } from 'vitest';
import { sqliteEngine } from '../../helpers/databases.js';
import { openTestContext } from '../../helpers/context.js';

export interface RouteProbe {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path as registered, parameters included by name (`/api/v1/inbox/:phone`). */
  url: string;
}

/** The routes of `routes` this build does not have. */
export async function missingRoutes(routes: RouteProbe[]): Promise<RouteProbe[]> {
  const ctx = await openTestContext(sqliteEngine, { logLevel: 'silent' });
  try {
    return routes.filter((route) => !ctx.app.hasRoute(route));
  } finally {
    await ctx.close();
  }
}

/**
 * `describe` that runs when every route exists; otherwise skips (locally) or fails (CI=true),
 * saying which routes are missing.
 */
export async function describeWithRoutes(name: string, routes: RouteProbe[], body: () => void, options: { enabled?: boolean } = {}): Promise<void> {
  if (options.enabled === false) {
    describe.skip(name, body);
    return;
  }
  const missing = await missingRoutes(routes);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const list = missing.map((route) => `${route.method} ${route.url}`).join(', ');
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${list}`, () => {
        throw new Error(`This build lacks ${list}: the server side of this browser test is not merged yet.`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: this build lacks ${list})`, body);
  }
}
