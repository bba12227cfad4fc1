import { apiRequest, fetchAllPages } from './client';
import type { Template, TemplateInput } from './types';

const base = '/api/v1/templates';
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

export function listTemplates(): Promise<Template[]> {
  return fetchAllPages<Template>(base);
}

export function getTemplate(id: string): Promise<Template> {
  return apiRequest('GET', one(id));
}

export function createTemplate(input: TemplateInput): Promise<Template> {
  return apiRequest('POST', base, { body: input });
}

export function updateTemplate(id: string, patch: Partial<TemplateInput>): Promise<Template> {
  return apiRequest('PATCH', one(id), { body: patch });
}

export function deleteTemplate(id: string): Promise<void> {
  return apiRequest('DELETE', one(id));
}
