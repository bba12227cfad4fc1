import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { addProjectMember, createApiCredential, createProject, listApiCredentials, listProjectMembers, listProjects, removeProjectMember, revokeApiCredential } from '../../api/projects.api';
import { queryKeys } from '../../api/query-keys';

export function useProjects() {
  return useQuery({ queryKey: queryKeys.projects, queryFn: listProjects });
}

export function useCreateProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createProject,
    onSuccess: async () => {
      // The project switcher reads the project list from `me`.
      await Promise.all([client.invalidateQueries({ queryKey: queryKeys.projects }), client.invalidateQueries({ queryKey: queryKeys.me })]);
    },
  });
}

export function useApiCredentials(projectId: string | null) {
  return useQuery({
    queryKey: queryKeys.apiCredentials(projectId ?? ''),
    queryFn: () => listApiCredentials(projectId!),
    enabled: projectId !== null,
  });
}

export function useCreateApiCredential(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (label: string) => createApiCredential(projectId, label),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.apiCredentials(projectId) }),
  });
}

export function useRevokeApiCredential(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => revokeApiCredential(projectId, id),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.apiCredentials(projectId) }),
  });
}

export function useProjectMembers(projectId: string) {
  return useQuery({ queryKey: queryKeys.projectMembers(projectId), queryFn: () => listProjectMembers(projectId) });
}

export function useAddProjectMember(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (email: string) => addProjectMember(projectId, email),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projectMembers(projectId) }),
  });
}

export function useRemoveProjectMember(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => removeProjectMember(projectId, userId),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projectMembers(projectId) }),
  });
}
