/**
 * Whether this build has API routes. Browser tests of features whose API is not merged yet use it
 * with `describe.skipIf`, so they start running as soon as the routes exist. Probe static paths
 * only: the name of a path parameter is the implementer's choice.
 */
import { sqliteEngine } from '../../helpers/databases.js';
import { openTestContext } from '../../helpers/context.js';

export async function apiHasRoutes(routes: Array<{ method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string }>): Promise<boolean> {
  const ctx = await openTestContext(sqliteEngine, { logLevel: 'silent' });
  try {
    return routes.every((route) => ctx.app.hasRoute(route));
  } finally {
    await ctx.close();
  }
}
