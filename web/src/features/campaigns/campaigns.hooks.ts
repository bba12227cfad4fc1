import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  campaignAction,
  campaignActivity,
  campaignMessages,
  campaignTimeline,
  createCampaign,
  deleteCampaign,
  getCampaign,
  listCampaigns,
  previewCampaign,
  sendCampaignTest,
  updateCampaign,
  type CampaignAction,
} from '../../api/campaigns.api';
import { queryKeys } from '../../api/query-keys';
import type { Campaign, CampaignInput, CampaignState, LogStatus, PreviewInput } from '../../api/campaigns.types';

/** Campaigns newest first, page by page ("Load more"), optionally in one state. */
export function useCampaignList(state: CampaignState | '') {
  return useInfiniteQuery({
    queryKey: queryKeys.campaignList(state),
    queryFn: ({ pageParam, signal }) => listCampaigns({ state: state || undefined, cursor: pageParam, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Running campaigns move: keep the list's numbers fresh while it is open.
    refetchInterval: 5_000,
  });
}

export function useCampaign(id: string) {
  return useQuery({ queryKey: queryKeys.campaign(id), queryFn: () => getCampaign(id) });
}

export function useCampaignTimeline(id: string) {
  return useQuery({ queryKey: queryKeys.campaignTimeline(id), queryFn: () => campaignTimeline(id) });
}

/** The campaign's activity, newest first, page by page ("Show older"). */
export function useCampaignActivity(id: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.campaignActivity(id),
    queryFn: ({ pageParam, signal }) => campaignActivity(id, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** One page of the message log; `cursor` null is the first page. */
export function useCampaignMessages(id: string, status: LogStatus | '', cursor: string | null) {
  return useQuery({
    queryKey: [...queryKeys.campaignMessages(id, status), cursor],
    queryFn: () => campaignMessages(id, { status: status || undefined, cursor }),
    placeholderData: keepPreviousData,
  });
}

/** The rendered message for a sample profile; `input` null (nothing to render yet) asks nothing. */
export function useCampaignPreview(input: PreviewInput | null) {
  return useQuery({
    queryKey: queryKeys.campaignPreview(input),
    queryFn: ({ signal }) => previewCampaign(input!, signal),
    enabled: input !== null,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

function useCampaignCacheUpdate() {
  const client = useQueryClient();
  return async (campaign: Campaign) => {
    client.setQueryData(queryKeys.campaign(campaign.id), campaign);
    // The change has its entry in the campaign's activity (a clone: in the original's too).
    void client.invalidateQueries({ queryKey: [...queryKeys.campaigns, 'activity'] });
    await client.invalidateQueries({ queryKey: [...queryKeys.campaigns, 'list'] });
  };
}

export function useCreateCampaign() {
  const update = useCampaignCacheUpdate();
  return useMutation({ mutationFn: createCampaign, onSuccess: update });
}

export function useUpdateCampaign() {
  const update = useCampaignCacheUpdate();
  return useMutation({ mutationFn: ({ id, patch }: { id: string; patch: Partial<CampaignInput> }) => updateCampaign(id, patch), onSuccess: update });
}

export function useCampaignAction() {
  const update = useCampaignCacheUpdate();
  return useMutation({ mutationFn: ({ id, action }: { id: string; action: CampaignAction }) => campaignAction(id, action), onSuccess: update });
}

export function useDeleteCampaign() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteCampaign,
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: [...queryKeys.campaigns, 'list'] });
    },
  });
}

export function useSendCampaignTest() {
  return useMutation({ mutationFn: sendCampaignTest });
}
