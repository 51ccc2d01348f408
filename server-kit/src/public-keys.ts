import { Metadata } from '@grpc/grpc-js';
import type { KeySetSnapshot } from '../lib/authn/jwks-cache.js';
import { createKeysClient, type ClientOptions, type ServiceAddress } from './clients.js';
import { unaryCall } from './unary-call.js';

/** A fetch function for JwksCache: auth-svc's KeysService/ListPublicKeys, with a deadline. */
export function publicKeysFetcher(authAddress: ServiceAddress, opts: ClientOptions = {}, timeoutMs = 2000): {
  fetch: () => Promise<KeySetSnapshot>;
  close: () => void;
} {
  const client = createKeysClient(authAddress, opts);
  return {
    fetch: () =>
      unaryCall(client, client.listPublicKeys, {}, { metadata: new Metadata(), callOptions: { deadline: Date.now() + timeoutMs } }),
    close: () => client.close(),
  };
}
