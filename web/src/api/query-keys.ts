/**
 * Every TanStack Query key in one place. Everything under `project` belongs to the current
 * project and is dropped when the user switches project.
 */
export const queryKeys = {
  me: ['me'] as const,
  authState: ['auth-state'] as const,
  projects: ['projects'] as const,
  project: ['project'] as const,
  apiCredentials: (projectId: string) => ['project', 'api-credentials', projectId] as const,
  providers: ['project', 'providers'] as const,
  provider: (id: string) => ['project', 'providers', id] as const,
  callbackUrls: (type: string, formId: string) => ['project', 'callback-urls', type, formId] as const,
  templates: ['project', 'templates'] as const,
  template: (id: string) => ['project', 'templates', id] as const,
};
