import type { ProviderClientFactory } from './provider-clients.js';

/** The adapters wacast ships with. (Wired to the protocol adapters once they land.) */
export const defaultProviderFactory: ProviderClientFactory = (type) => {
  throw new Error(`No adapter available for ${type} yet.`);
};
