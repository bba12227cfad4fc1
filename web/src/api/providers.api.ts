import { apiRequest, fetchAllPages, type Page } from './client';
import type { CallbackUrls, ProviderAccount, ProviderInput, ProviderPatch, ProviderType, RejectedCallback, TestMessageInput, TestMessageResult } from './types';

const base = '/api/v1/providers';
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

export function listProviders(): Promise<ProviderAccount[]> {
  return fetchAllPages<ProviderAccount>(base);
}

export function getProvider(id: string): Promise<ProviderAccount> {
  return apiRequest('GET', one(id));
}

/** Reserves the callback URLs of an account that is not saved yet (a server-signed token). */
export function previewCallbackUrls(type: ProviderType): Promise<CallbackUrls> {
  return apiRequest('POST', `${base}/callback-urls`, { body: { type } });
}

export function createProvider(input: ProviderInput): Promise<ProviderAccount> {
  return apiRequest('POST', base, { body: input });
}

export function updateProvider(id: string, patch: ProviderPatch): Promise<ProviderAccount> {
  return apiRequest('PATCH', one(id), { body: patch });
}

export function deleteProvider(id: string): Promise<void> {
  return apiRequest('DELETE', one(id));
}

export function rotateCallbackToken(id: string): Promise<ProviderAccount> {
  return apiRequest('POST', `${one(id)}/rotate-callback-token`);
}

export function sendTestMessage(id: string, input: TestMessageInput): Promise<TestMessageResult> {
  return apiRequest('POST', `${one(id)}/test`, { body: input });
}

/** Callbacks refused for the account, newest first, a page at a time. */
export function rejectedCallbacks(id: string, cursor?: string | null): Promise<Page<RejectedCallback>> {
  return apiRequest('GET', `${one(id)}/callbacks/rejected`, { query: { cursor, limit: 20 } });
}
