/**
 * Every TanStack Query key in one place. Everything under `project` belongs to the current
 * project and is dropped when the user switches project.
 */
export const queryKeys = {
  me: ['me'] as const,
  authState: ['auth-state'] as const,
  projects: ['projects'] as const,
  /** The instance's free disk space: not a project's. */
  storage: ['storage'] as const,
  /** Every dashboard user (instance admins): not a project's, so kept across project switches. */
  users: ['users'] as const,
  project: ['project'] as const,
  apiCredentials: (projectId: string) => ['project', 'api-credentials', projectId] as const,
  projectMembers: (projectId: string) => ['project', 'members', projectId] as const,
  providers: ['project', 'providers'] as const,
  provider: (id: string) => ['project', 'providers', id] as const,
  rejectedCallbacks: (id: string) => ['project', 'providers', id, 'rejected-callbacks'] as const,
  callbackUrls: (type: string, formId: string) => ['project', 'callback-urls', type, formId] as const,
  templates: ['project', 'templates'] as const,
  template: (id: string) => ['project', 'templates', id] as const,
  campaigns: ['project', 'campaigns'] as const,
  campaignList: (state: string) => ['project', 'campaigns', 'list', state] as const,
  campaign: (id: string) => ['project', 'campaigns', 'one', id] as const,
  campaignTimeline: (id: string) => ['project', 'campaigns', 'timeline', id] as const,
  campaignActivity: (id: string) => ['project', 'campaigns', 'activity', id] as const,
  campaignMessages: (id: string, status: string) => ['project', 'campaigns', 'messages', id, status] as const,
  campaignPreview: (input: unknown) => ['project', 'campaigns', 'preview', input] as const,
  audienceEstimate: (audience: unknown) => ['project', 'audience-estimate', audience] as const,
  segments: ['project', 'segments'] as const,
  segment: (id: string) => ['project', 'segments', id] as const,
  profiles: (q: string) => ['project', 'profiles', 'search', q] as const,
  profile: (identity: string) => ['project', 'profiles', 'one', identity] as const,
  profileEvents: (identity: string) => ['project', 'profiles', 'events', identity] as const,
  profileMessages: (identity: string) => ['project', 'profiles', 'messages', identity] as const,
  imports: ['project', 'imports'] as const,
  import: (id: string) => ['project', 'imports', id] as const,
  conversations: ['project', 'inbox'] as const,
  conversation: (phone: string) => ['project', 'inbox', phone] as const,
  inboxCounts: ['project', 'inbox', 'counts'] as const,
  keywordSettings: ['project', 'settings', 'keywords'] as const,
};
