import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { tlsCredentials } from '@grpc-token-auth/sdk';
import type { ClientTlsConfig, ServerTlsConfig } from '../config/tls-config.js';

/** Plaintext when `tls` is undefined; with a client CA, a client certificate signed by it is required. */
export function serverCredentials(tls: ServerTlsConfig | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  const keyCertPairs = [{ private_key: tls.identity.key, cert_chain: tls.identity.cert }];
  return ServerCredentials.createSsl(tls.clientCa ?? null, keyCertPairs, tls.clientCa !== undefined);
}

/** Plaintext when `tls` is undefined; one value can be shared by every client of the same peer. */
export function channelCredentials(tls: ClientTlsConfig | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return tlsCredentials({ ca: tls.ca, cert: tls.identity?.cert, key: tls.identity?.key, serverName: tls.serverName });
}
