import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getKeywordSettings, updateKeywordSettings } from '../../api/keywords.api';
import { queryKeys } from '../../api/query-keys';

export function useKeywordSettings() {
  return useQuery({ queryKey: queryKeys.keywordSettings, queryFn: getKeywordSettings });
}

export function useUpdateKeywordSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: updateKeywordSettings,
    onSuccess: (saved) => client.setQueryData(queryKeys.keywordSettings, saved),
  });
}
