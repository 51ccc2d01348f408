import { readFileSync } from 'node:fs';
import { checkServerIdentity } from 'node:tls';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';

/** A PEM file: a string is a path to read, a Buffer is the PEM content itself. */
export type PemSource = string | Buffer;

export interface TlsOptions {
  /** CA(s) that signed the server's certificate; omitted = the system's trusted roots. */
  readonly ca?: PemSource;
  /** Our certificate and key, for servers that require mutual TLS. Both or neither. */
  readonly cert?: PemSource;
  readonly key?: PemSource;
  /** Check the server's certificate against this name instead of the host in the address. */
  readonly serverName?: string;
}

/**
 * Channel credentials for TLS or mutual TLS, for `ClientOptions.credentials`:
 *
 *   const credentials = tlsCredentials({ ca: 'certs/ca.crt', cert: 'certs/me.crt', key: 'certs/me.key' });
 *   const notes = createNotesClient('notes.example:50052', { credentials, interceptors: [session.interceptor] });
 */
export function tlsCredentials(opts: TlsOptions = {}): ChannelCredentials {
  if ((opts.cert === undefined) !== (opts.key === undefined)) throw new TypeError('tlsCredentials: cert and key go together');
  const { serverName } = opts;
  // The server-name override is a certificate check only (no channel option), so the
  // credentials alone carry the whole TLS setup and can be shared by every client of the peer.
  return credentials.createSsl(
    opts.ca === undefined ? null : pem(opts.ca),
    opts.key === undefined ? null : pem(opts.key),
    opts.cert === undefined ? null : pem(opts.cert),
    serverName === undefined ? {} : { checkServerIdentity: (_host, cert) => checkServerIdentity(serverName, cert) },
  );
}

function pem(source: PemSource): Buffer {
  return typeof source === 'string' ? readFileSync(source) : source;
}
