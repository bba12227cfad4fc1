import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getImport, listImports, uploadProfilesCsv } from '../../api/imports.api';
import { queryKeys } from '../../api/query-keys';

/** The import history, polled every second while one of its imports runs, so a finished one shows its status and counts. */
export function useImports() {
  return useQuery({
    queryKey: queryKeys.imports,
    queryFn: listImports,
    refetchInterval: (query) => (query.state.data?.items.some((item) => item.status === 'running') ? 1_000 : false),
  });
}

/** One import, polled every second while it runs (progress, then the bad-row report). */
export function useImport(id: string | null) {
  return useQuery({
    queryKey: queryKeys.import(id ?? ''),
    queryFn: () => getImport(id!),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data?.status === 'running' ? 1_000 : false),
  });
}

export function useUploadCsv() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ file, defaultRegion }: { file: File; defaultRegion?: string }) => uploadProfilesCsv(file, defaultRegion),
    onSuccess: async (created) => {
      client.setQueryData(queryKeys.import(created.id), created);
      await client.invalidateQueries({ queryKey: queryKeys.imports, exact: true });
    },
  });
}
