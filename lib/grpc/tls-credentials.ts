import { checkServerIdentity } from 'node:tls';
import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { ClientTlsConfig, ServerTlsConfig } from '../config/tls-config.js';

/** Plaintext when `tls` is undefined; with a client CA, a client certificate signed by it is required. */
export function serverCredentials(tls: ServerTlsConfig | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  const keyCertPairs = [{ private_key: tls.identity.key, cert_chain: tls.identity.cert }];
  return ServerCredentials.createSsl(tls.clientCa ?? null, keyCertPairs, tls.clientCa !== undefined);
}

/**
 * Plaintext when `tls` is undefined. One value can be shared by every client of the same peer.
 * The server-name override is a certificate check only (no channel option), so the
 * credentials alone carry the whole TLS setup.
 */
export function channelCredentials(tls: ClientTlsConfig | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  const { serverName } = tls;
  return credentials.createSsl(
    tls.ca ?? null,
    tls.identity?.key ?? null,
    tls.identity?.cert ?? null,
    serverName === undefined ? {} : { checkServerIdentity: (_host, cert) => checkServerIdentity(serverName, cert) },
  );
}

