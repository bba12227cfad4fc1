/**
 * Builds the adapter for a provider account. Share one HttpClient across all clients of a process
 * (pass `options.http`): its pools are per origin, so every account of a provider reuses the same
 * keep-alive connections. A client built without one creates its own and closes it on `close()`.
 */
import { GupshupEnterpriseClient } from './gupshup/gupshup-enterprise.client.js';
import { GupshupSelfServeClient } from './gupshup/gupshup-selfserve.client.js';
import { HttpClient, type HttpClientOptions } from './http.client.js';
import { NexmoClient, type NexmoClientOptions } from './nexmo/nexmo.client.js';
import type { GupshupCredentials, NexmoCredentials, ProviderClient, ProviderCredentials, ProviderType, ProviderUrls } from './provider.js';

export interface ProviderClientOptions extends NexmoClientOptions {
  /** A shared HTTP client (not closed by the provider client's `close()`). */
  http?: HttpClient;
  /** Options for the client's own HttpClient when `http` is not given. */
  httpOptions?: HttpClientOptions;
}

export function createProviderClient(type: 'gupshup', credentials: GupshupCredentials, urls: ProviderUrls, options?: ProviderClientOptions): ProviderClient;
export function createProviderClient(type: 'nexmo', credentials: NexmoCredentials, urls: ProviderUrls, options?: ProviderClientOptions): ProviderClient;
export function createProviderClient(type: ProviderType, credentials: ProviderCredentials, urls: ProviderUrls, options?: ProviderClientOptions): ProviderClient;
export function createProviderClient(type: ProviderType, credentials: ProviderCredentials, urls: ProviderUrls, options: ProviderClientOptions = {}): ProviderClient {
  const owns = options.http === undefined;
  const http = options.http ?? new HttpClient(options.httpOptions);
  if (type === 'gupshup') {
    if (!isGupshup(credentials)) throw new TypeError('gupshup needs Gupshup credentials (mode, notificationUserId, …)');
    return credentials.mode === 'selfserve'
      ? new GupshupSelfServeClient(credentials, urls.gupshupApi, http, owns)
      : new GupshupEnterpriseClient(credentials, urls.gupshupEnterprise, http, owns);
  }
  if (isGupshup(credentials)) throw new TypeError('nexmo needs Nexmo credentials (applicationId, privateKey, apiKey, …)');
  return new NexmoClient(credentials, urls.vonageApi, http, owns, options);
}

function isGupshup(credentials: ProviderCredentials): credentials is GupshupCredentials {
  return 'mode' in credentials || 'notificationUserId' in credentials;
}
