/** REST API of templates: /api/v1/templates. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { projectIdOf } from '../auth/auth.plugin.js';
import { changeOf, listOf, refuseInvalidBody } from '../validation.js';
import { ATTACHMENT_TYPES, createTemplate, deleteTemplate, getTemplateRow, listTemplates, templateProblems, toTemplate, updateTemplate } from './templates.service.js';

const attachmentType = z.enum(ATTACHMENT_TYPES, { message: 'must be one of none, image, video, document' });

export const templateSchema = z.object({
  id: z.string(),
  providerId: z.string(),
  namespace: z.string(),
  body: z.string(),
  placeholderCount: z.number().int(),
  attachmentType,
  language: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const createBody = z.object({
  providerId: z.string().min(1, 'is required'),
  namespace: z.string(),
  body: z.string(),
  attachmentType: attachmentType.default('none'),
  language: z.string().optional(),
}).strict();

// Not createBody.partial(): zod applies attachmentType's default inside .partial(), so a PATCH of
// the text alone turned an image template into a text template. An empty PATCH is a 422 naming
// these fields (changeOf).
const patchBody = changeOf(z.object({
  providerId: z.string().min(1, 'is required'),
  namespace: z.string(),
  body: z.string(),
  attachmentType,
  language: z.string(),
}).partial().strict());

const idParams = z.object({ id: z.string() });

// What the 409s of these routes mean (templates.service.ts), for the OpenAPI document.
const TEMPLATE_EXISTS = '`template_exists`: the provider account already has a template with this namespace and language (details.id names it).';
const TEMPLATE_WOULD_EXIST = '`template_exists`: after the change the provider account would have two templates with this namespace and language (details.id names the other).';
const TEMPLATE_IN_USE = '`template_in_use`: a scheduled, running or paused campaign uses the template (details.campaigns lists up to 5).';

export async function templateRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['templates'];

  app.post(
    '/api/v1/templates',
    // attachValidation: a body refused by the schema is answered with the service's checks too.
    {
      config: { auth: 'project', errorStatuses: [409], errorDescriptions: { 409: TEMPLATE_EXISTS } },
      attachValidation: true,
      schema: { tags, summary: 'Register an approved template.', body: createBody, response: { 201: templateSchema } },
    },
    async (request, reply) => {
      const projectId = projectIdOf(request);
      await refuseInvalidBody(request, (fields) => templateProblems(deps, projectId, fields));
      return reply.status(201).send(await createTemplate(deps, projectId, request.body));
    },
  );

  app.get(
    '/api/v1/templates',
    {
      config: { auth: 'project' },
      schema: { tags, summary: 'Templates of the project.', querystring: z.object({ providerId: z.string().optional() }), response: { 200: listOf(templateSchema) } },
    },
    async (request) => ({ items: await listTemplates(deps, projectIdOf(request), request.query.providerId), nextCursor: null }),
  );

  app.get(
    '/api/v1/templates/:id',
    { config: { auth: 'project' }, schema: { tags, summary: 'One template.', params: idParams, response: { 200: templateSchema } } },
    async (request) => toTemplate(await getTemplateRow(deps, projectIdOf(request), request.params.id)),
  );

  app.patch(
    '/api/v1/templates/:id',
    {
      config: { auth: 'project', errorStatuses: [409], errorDescriptions: { 409: `${TEMPLATE_IN_USE} ${TEMPLATE_WOULD_EXIST}` } },
      attachValidation: true,
      schema: { tags, summary: 'Change a template (refused while a scheduled, running or paused campaign uses it).', params: idParams, body: patchBody, response: { 200: templateSchema } },
    },
    async (request) => {
      const projectId = projectIdOf(request);
      await refuseInvalidBody(request, (fields) => templateProblems(deps, projectId, fields));
      return updateTemplate(deps, projectId, request.params.id, request.body);
    },
  );

  app.delete(
    '/api/v1/templates/:id',
    {
      config: { auth: 'project', errorStatuses: [409], errorDescriptions: { 409: TEMPLATE_IN_USE } },
      schema: { tags, summary: 'Delete a template (refused while a campaign uses it).', params: idParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await deleteTemplate(deps, projectIdOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
