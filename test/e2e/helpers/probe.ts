/**
 * Whether this build has API routes (static paths only: a parameter's name is the implementer's choice). Browser tests of features whose API is not merged yet use it
 * with `describe.skipIf`, so they start running as soon as the route exists.
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
