import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { hostOf } from './load-balancing.js';

/** A PEM file: a string is a path to read, a Buffer is the PEM content itself. */
export type PemSource = string | Buffer;

export interface TlsOptions {
  /** CA(s) that signed the server's certificate; omitted = the system's trusted roots. */
  readonly ca?: PemSource | undefined;
  /** Our certificate and key, for servers that require mutual TLS. Both or neither. */
  readonly cert?: PemSource | undefined;
  readonly key?: PemSource | undefined;
  /** Check the server's certificate against this name instead of the host in the address; also sent as SNI. */
  readonly serverName?: string | undefined;
}

interface LoadedTls {
  readonly ca: Buffer | null;
  readonly key: Buffer | null;
  readonly cert: Buffer | null;
  readonly serverName: string | undefined;
}

/** What each tlsCredentials() result was made from, so a client can adapt it to its address. */
const madeFrom = new WeakMap<ChannelCredentials, LoadedTls>();

/**
 * Channel credentials for TLS or mutual TLS, for `ClientOptions.credentials`:
 *
 *   const credentials = tlsCredentials({ ca: 'certs/ca.crt', cert: 'certs/me.crt', key: 'certs/me.key' });
 *   const notes = createNotesClient('notes.example:50052', { credentials, interceptors: [session.interceptor] });
 */
export function tlsCredentials(opts: TlsOptions = {}): ChannelCredentials {
  if ((opts.cert === undefined) !== (opts.key === undefined)) throw new TypeError('tlsCredentials: cert and key go together');
  const loaded: LoadedTls = { ca: pem(opts.ca), key: pem(opts.key), cert: pem(opts.cert), serverName: opts.serverName };
  const creds = sslCredentials(loaded, loaded.serverName);
  madeFrom.set(creds, loaded);
  return creds;
}

/**
 * The credentials and channel options a client of `address` uses. grpc-js sends the address's
 * host as the TLS server name (SNI) even when it is an IP literal, which RFC 6066 forbids and
 * Node 26 refuses (ERR_INVALID_ARG_VALUE, formerly warning DEP0123). For credentials made by
 * tlsCredentials the SDK never sends an IP: `serverName` is sent when given; for IP addresses
 * without one, a placeholder name goes out as SNI and the certificate is still checked against
 * the address's own IPs. Other credentials are used as they are.
 */
export function tlsChannelFor(creds: ChannelCredentials, address: string | readonly string[]): { credentials: ChannelCredentials; options: ChannelOptions } {
  const loaded = madeFrom.get(creds);
  if (!loaded) return { credentials: creds, options: {} };
  if (loaded.serverName !== undefined) return { credentials: creds, options: { 'grpc.ssl_target_name_override': loaded.serverName } };
  const hosts = (typeof address === 'string' ? [address] : address).map(hostOf);
  if (!hosts.some((h) => h !== undefined && isIP(h) !== 0)) return { credentials: creds, options: {} };
  const names = hosts.filter((h): h is string => h !== undefined);
  return { credentials: sslCredentials(loaded, names), options: { 'grpc.ssl_target_name_override': IP_SNI_PLACEHOLDER } };
}

/** Sent as SNI instead of an IP literal: `.invalid` is reserved (RFC 2606) and names no real host. */
export const IP_SNI_PLACEHOLDER = 'ip-address.invalid';

/** `expected`: the name, or the listed hosts (any one of them) the certificate must be valid for. */
function sslCredentials(loaded: LoadedTls, expected: string | readonly string[] | undefined): ChannelCredentials {
  const check = expected === undefined ? {} : { checkServerIdentity: (_host: string, cert: PeerCertificate) => validForAny(expected, cert) };
  return credentials.createSsl(loaded.ca, loaded.key, loaded.cert, check);
}

function validForAny(expected: string | readonly string[], cert: PeerCertificate): Error | undefined {
  if (typeof expected === 'string') return checkServerIdentity(expected, cert);
  let firstError: Error | undefined;
  for (const host of expected) {
    const err = checkServerIdentity(host, cert);
    if (!err) return undefined;
    firstError ??= err;
  }
  return firstError ?? new Error('no host to check the server certificate against');
}

function pem(source: PemSource | undefined): Buffer | null {
  if (source === undefined) return null;
  return typeof source === 'string' ? readFileSync(source) : source;
}
