/** REST API of the opt-out / opt-in keywords: GET and PATCH /api/v1/settings/keywords. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { projectIdOf } from '../auth/auth.plugin.js';
import { changeOf } from '../validation.js';
import { getKeywordSettings, updateKeywordSettings } from './keywords.js';

const rule = z.object({
  keywords: z.array(z.string()).describe('Matched case-insensitively against the whole trimmed text; an empty list turns the rule off.'),
  reply: z
    .string()
    .describe(
      'Confirmation sent (as a session message) when the phone\'s state changes; empty sends none. While it is the default text, it is sent naming the first keyword of the other rule instead of START / STOP.',
    ),
});
const settingsSchema = z.object({ optOut: rule, optIn: rule });
const rulePatch = z.object({ keywords: z.array(z.string()).optional(), reply: z.string().optional() }).strict();
const patchBody = changeOf(z.object({ optOut: rulePatch.optional(), optIn: rulePatch.optional() }).strict());

export async function keywordRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['settings'];

  app.get(
    '/api/v1/settings/keywords',
    { config: { auth: 'project' }, schema: { tags, summary: 'Opt-out and opt-in keywords and their confirmations.', response: { 200: settingsSchema } } },
    async (request) => getKeywordSettings(deps.db, projectIdOf(request)),
  );

  app.patch(
    '/api/v1/settings/keywords',
    {
      config: { auth: 'project' },
      schema: { tags, summary: 'Change the opt-out / opt-in keywords or confirmations (fields left out keep their value).', body: patchBody, response: { 200: settingsSchema } },
    },
    async (request) => updateKeywordSettings(deps.db, projectIdOf(request), request.body),
  );
}
