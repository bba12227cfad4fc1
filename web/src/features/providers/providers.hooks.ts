import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createProvider,
  deleteProvider,
  getProvider,
  listProviders,
  previewCallbackUrls,
  rejectedCallbacks,
  rotateCallbackToken,
  sendTestMessage,
  updateProvider,
} from '../../api/providers.api';
import { queryKeys } from '../../api/query-keys';
import type { ProviderAccount, ProviderPatch, ProviderType, TestMessageInput } from '../../api/types';

export function useProviders() {
  return useQuery({ queryKey: queryKeys.providers, queryFn: listProviders });
}

export function useProvider(id: string) {
  return useQuery({ queryKey: queryKeys.provider(id), queryFn: () => getProvider(id) });
}

/** Callbacks refused for the account, newest first, page by page (fetched fresh when the dialog opens). */
export function useRejectedCallbacks(id: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.rejectedCallbacks(id),
    queryFn: ({ pageParam }) => rejectedCallbacks(id, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    staleTime: 0,
  });
}

/**
 * The callback URLs of an account not saved yet. `formId` makes each open form reserve its own
 * token, so two accounts created one after the other never share URLs.
 */
export function useCallbackUrlPreview(type: ProviderType, formId: string, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.callbackUrls(type, formId),
    queryFn: () => previewCallbackUrls(type),
    enabled,
    staleTime: Infinity,
    gcTime: 30 * 60_000,
  });
}

function useProviderCacheUpdate() {
  const client = useQueryClient();
  return async (account: ProviderAccount) => {
    client.setQueryData(queryKeys.provider(account.id), account);
    // Marking one account default changes the others too: reload the list.
    await client.invalidateQueries({ queryKey: queryKeys.providers, exact: true });
  };
}

export function useCreateProvider() {
  const update = useProviderCacheUpdate();
  return useMutation({ mutationFn: createProvider, onSuccess: update });
}

export function useUpdateProvider() {
  const update = useProviderCacheUpdate();
  return useMutation({ mutationFn: ({ id, patch }: { id: string; patch: ProviderPatch }) => updateProvider(id, patch), onSuccess: update });
}

export function useRotateCallbackToken() {
  const update = useProviderCacheUpdate();
  return useMutation({ mutationFn: rotateCallbackToken, onSuccess: update });
}

export function useDeleteProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteProvider,
    // The deleted account's own cache entry is left to expire: removing it while its page is still
    // shown would make that page refetch and flash "not found" before it navigates away.
    onSuccess: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.providers, exact: true }),
        client.invalidateQueries({ queryKey: queryKeys.templates }),
      ]);
    },
  });
}

export function useSendTestMessage(providerId: string) {
  return useMutation({ mutationFn: (input: TestMessageInput) => sendTestMessage(providerId, input) });
}
