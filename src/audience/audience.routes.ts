/** Every HTTP route of the audience domain (registered by src/routes.ts). */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { uploadRoutes } from './upload.routes.js';
import { profileRoutes } from './profiles.routes.js';
import { segmentRoutes } from './segments.routes.js';
import { importRoutes } from './imports.routes.js';

export async function audienceRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(uploadRoutes, deps);
  await app.register(profileRoutes, deps);
  await app.register(segmentRoutes, deps);
  await app.register(importRoutes, deps);
}
