import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate } from '../../api/templates.api';
import { queryKeys } from '../../api/query-keys';
import type { Template, TemplateInput } from '../../api/types';

export function useTemplates() {
  return useQuery({ queryKey: queryKeys.templates, queryFn: listTemplates });
}

export function useTemplate(id: string) {
  return useQuery({ queryKey: queryKeys.template(id), queryFn: () => getTemplate(id) });
}

function useTemplateCacheUpdate() {
  const client = useQueryClient();
  return async (template: Template) => {
    client.setQueryData(queryKeys.template(template.id), template);
    await client.invalidateQueries({ queryKey: queryKeys.templates, exact: true });
  };
}

export function useCreateTemplate() {
  const update = useTemplateCacheUpdate();
  return useMutation({ mutationFn: createTemplate, onSuccess: update });
}

export function useUpdateTemplate() {
  const update = useTemplateCacheUpdate();
  return useMutation({ mutationFn: ({ id, patch }: { id: string; patch: Partial<TemplateInput> }) => updateTemplate(id, patch), onSuccess: update });
}

export function useDeleteTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteTemplate,
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: queryKeys.templates, exact: true });
    },
  });
}
