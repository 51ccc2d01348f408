import { createKeysClient, type ClientOptions, type ServiceAddress } from '@grpc-token-auth/sdk';
import type { KeySetSnapshot } from './jwks-cache.js';

/** A fetch function for JwksCache: auth-svc's KeysService/ListPublicKeys, with a deadline. */
export function publicKeysFetcher(authAddress: ServiceAddress, opts: ClientOptions = {}, timeoutMs = 2000): {
  fetch: () => Promise<KeySetSnapshot>;
  close: () => void;
} {
  const client = createKeysClient(authAddress, opts);
  return {
    fetch: () => client.listPublicKeys({}, { timeoutMs }),
    close: () => client.close(),
  };
}
