import { createHash, timingSafeEqual } from 'node:crypto';
import { unauthenticated, type AuthFailure } from './auth-failure.js';
import type { Principal } from './principal.js';

/** The client certificate of the call (DER), or undefined when the connection has none. */
export type PeerCertificate = () => Buffer | undefined;

/** RFC 8705 §3.1: base64url(SHA-256(certificate DER)), the `cnf.x5t#S256` of a bound token. */
export function certificateThumbprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}

/**
 * RFC 8705: a token bound to a certificate is accepted only over a connection that presented
 * that certificate (mutual TLS), so a copied token is useless elsewhere. With `requireBoundServiceTokens`,
 * a service token that is not bound is refused too. Returns why the call is refused, or undefined.
 */
export function bindingFailure(principal: Principal, peerCertificate: PeerCertificate | undefined, requireBoundServiceTokens: boolean): AuthFailure | undefined {
  const bound = principal.certificateThumbprint;
  if (bound === undefined) {
    if (requireBoundServiceTokens && principal.kind === 'service') {
      return unauthenticated('token_binding', 'service tokens must be bound to a client certificate: get one over mutual TLS');
    }
    return undefined;
  }
  const der = peerCertificate?.();
  if (!der) return unauthenticated('token_binding', 'token is bound to a client certificate: call over mutual TLS with it');
  const presented = Buffer.from(certificateThumbprint(der));
  const expected = Buffer.from(bound);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return unauthenticated('token_binding', 'token is bound to another client certificate');
  }
  return undefined;
}
