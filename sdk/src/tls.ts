import { readFileSync } from 'node:fs';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { channelCredentials } from '../lib/grpc/tls-credentials.js';

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
  const ca = opts.ca === undefined ? undefined : pem(opts.ca);
  const identity = opts.cert === undefined || opts.key === undefined ? undefined : { cert: pem(opts.cert), key: pem(opts.key) };
  return channelCredentials({ ...(ca && { ca }), ...(identity && { identity }), ...(opts.serverName !== undefined && { serverName: opts.serverName }) });
}

function pem(source: PemSource): Buffer {
  return typeof source === 'string' ? readFileSync(source) : source;
}
