/**
 * The adapters wacast ships with, sharing one HttpClient per process: every account of a provider
 * reuses the same keep-alive connection pools.
 */
import { HttpClient, type HttpClientOptions } from './http.client.js';
import { createProviderClient } from './provider-client.js';
import type { ProviderClientFactory } from './provider-clients.js';

export interface DefaultProviderFactory {
  factory: ProviderClientFactory;
  close(): Promise<void>;
}

export function createDefaultProviderFactory(options: HttpClientOptions = {}): DefaultProviderFactory {
  const http = new HttpClient(options);
  return {
    factory: (type, credentials, urls) => createProviderClient(type, credentials, urls, { http }),
    close: () => http.close(),
  };
}
