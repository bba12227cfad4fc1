/** Every HTTP route of the product, by domain (the provider callbacks are registered apart, see app.ts). */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './deps.js';
import { opsRoutes } from './ops/ops.routes.js';
import { authRoutes } from './auth/auth.routes.js';
import { projectRoutes } from './projects/projects.routes.js';
import { userRoutes } from './auth/users.routes.js';
import { providerAccountRoutes } from './providers/provider-accounts.routes.js';
import { templateRoutes } from './templates/templates.routes.js';
import { campaignRoutes } from './campaigns/campaigns.routes.js';
import { audienceRoutes } from './audience/audience.routes.js';
import { keywordRoutes } from './webhooks/keywords.routes.js';
import { inboxRoutes } from './inbox/inbox.routes.js';

export async function registerRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(opsRoutes, deps);
  await app.register(authRoutes, deps);
  await app.register(projectRoutes, deps);
  await app.register(userRoutes, deps);
  await app.register(providerAccountRoutes, deps);
  await app.register(templateRoutes, deps);
  await app.register(campaignRoutes, deps);
  await app.register(audienceRoutes, deps);
  await app.register(keywordRoutes, deps);
  await app.register(inboxRoutes, deps);
}
