import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EnvReader } from './env-reader.js';

/**
 * Transport security settings, read from file paths in the environment. The files are read and
 * parsed here, at start-up, so a missing file, a key that is not a key, or a key that does not
 * belong to its certificate is a configuration problem (exit 78) instead of a failed handshake
 * later. Holds private key bytes: never log these objects.
 */

/** A certificate chain and its private key (PEM). */
export interface TlsIdentity {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Undefined = plaintext (the local default). */
export interface ServerTlsConfig {
  readonly identity: TlsIdentity;
  /** When set, clients must present a certificate signed by one of these CAs (mutual TLS). */
  readonly clientCa?: Buffer;
}

/** Undefined = plaintext. */
export interface ClientTlsConfig {
  /** CAs trusted for the server's certificate; undefined = the system's roots. */
  readonly ca?: Buffer;
  /** Our certificate, for servers that require mutual TLS. */
  readonly identity?: TlsIdentity;
  /** Name to check the server's certificate against instead of the host in the address. */
  readonly serverName?: string;
}

/** Server side, same variables for every service: `TLS_CERT_PATH`, `TLS_KEY_PATH`, `TLS_CLIENT_CA_PATH`. */
export function readServerTlsConfig(env: EnvReader): ServerTlsConfig | undefined {
  const wanted = env.optional('TLS_CERT_PATH') !== undefined || env.optional('TLS_KEY_PATH') !== undefined;
  const identity = readIdentity(env, 'TLS_CERT_PATH', 'TLS_KEY_PATH');
  const clientCa = readCertificates(env, 'TLS_CLIENT_CA_PATH');
  if (!wanted) {
    if (clientCa !== undefined) env.problem('TLS_CLIENT_CA_PATH needs TLS_CERT_PATH and TLS_KEY_PATH (mutual TLS is on top of TLS)');
    if (env.production) env.warning('TLS_CERT_PATH / TLS_KEY_PATH are not set: this server accepts PLAINTEXT connections');
  }
  if (identity === undefined) return undefined;
  return clientCa === undefined ? { identity } : { identity, clientCa };
}

/**
 * Client side, for calls to another service: `<PREFIX>_TLS_CA_PATH` turns TLS on and is the CA
 * trusted for that service; `<PREFIX>_TLS_CLIENT_CERT_PATH` / `_KEY_PATH` add our certificate
 * (mutual TLS); `<PREFIX>_TLS_SERVER_NAME` overrides the name checked in the server's certificate.
 */
export function readClientTlsConfig(env: EnvReader, prefix: string, peer: string): ClientTlsConfig | undefined {
  const caVar = `${prefix}_TLS_CA_PATH`;
  const certVar = `${prefix}_TLS_CLIENT_CERT_PATH`;
  const keyVar = `${prefix}_TLS_CLIENT_KEY_PATH`;
  const nameVar = `${prefix}_TLS_SERVER_NAME`;
  const ca = readCertificates(env, caVar);
  const identity = readIdentity(env, certVar, keyVar);
  const serverName = env.optional(nameVar);
  if (env.optional(caVar) === undefined) {
    for (const name of [certVar, keyVar, nameVar]) {
      if (env.optional(name) !== undefined) env.problem(`${name} needs ${caVar} (which turns TLS on for calls to ${peer})`);
    }
    if (env.production) env.warning(`${caVar} is not set: calls to ${peer} are PLAINTEXT`);
    return undefined;
  }
  if (ca === undefined) return undefined; // unreadable: already a problem
  return { ca, ...(identity && { identity }), ...(serverName !== undefined && { serverName }) };
}

/** A certificate and its key, both or neither; the key must belong to the certificate. */
function readIdentity(env: EnvReader, certVar: string, keyVar: string): TlsIdentity | undefined {
  const certPath = env.optional(certVar);
  const keyPath = env.optional(keyVar);
  if ((certPath === undefined) !== (keyPath === undefined)) {
    env.problem(`${certVar} and ${keyVar} must be set together (got only ${certPath === undefined ? keyVar : certVar})`);
  }
  const cert = readCertificates(env, certVar);
  const key = readPrivateKey(env, keyVar);
  if (cert === undefined || key === undefined) return undefined;
  if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) {
    env.problem(`${keyVar} is not the private key of the certificate in ${certVar}`);
    return undefined;
  }
  return { cert, key };
}

/** PEM certificate(s); checks the first parses. */
function readCertificates(env: EnvReader, name: string): Buffer | undefined {
  const pem = readPem(env, name);
  if (pem === undefined) return undefined;
  try {
    new X509Certificate(pem);
    return pem;
  } catch {
    env.problem(`${name} (${env.optional(name)}) does not hold a PEM certificate`);
    return undefined;
  }
}

function readPrivateKey(env: EnvReader, name: string): Buffer | undefined {
  const pem = readPem(env, name);
  if (pem === undefined) return undefined;
  try {
    createPrivateKey(pem);
    return pem;
  } catch {
    env.problem(`${name} (${env.optional(name)}) does not hold an unencrypted PEM private key`); // never the content
    return undefined;
  }
}

function readPem(env: EnvReader, name: string): Buffer | undefined {
  const path = env.optional(name);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    env.problem(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return undefined;
  }
}
