import { status, type Metadata } from '@grpc/grpc-js';
import type { Principal } from './principal.js';
import { ServerError } from './server-error.js';

/**
 * The authentication interceptor files the verified principal on the call's metadata object,
 * which grpc-js hands unchanged to the handler, under a symbol only this module holds. Nothing
 * a client sends can create such a property (metadata entries live in grpc-js's own map, and
 * Metadata.clone copies only those), so identity cannot be spoofed through metadata. Not
 * exported from the package: no code outside the kit can attach an identity.
 */
const PRINCIPAL = Symbol('verified principal');

type WithPrincipal = Metadata & { [PRINCIPAL]?: Principal };

const UNAUTHENTICATED_HANDLER = 'call reached a protected handler without authentication';

export function attachPrincipal(metadata: Metadata, principal: Principal): void {
  (metadata as WithPrincipal)[PRINCIPAL] = principal;
}

/** The caller's verified identity, or undefined (a public method, or no authentication interceptor ran). */
export function principalOf(call: { readonly metadata: Metadata }): Principal | undefined {
  return (call.metadata as WithPrincipal)[PRINCIPAL];
}

/** The caller's verified identity; fails closed (INTERNAL) if the authentication interceptor did not run. */
export function requirePrincipal(call: { readonly metadata: Metadata }): Principal {
  const principal = (call.metadata as WithPrincipal)[PRINCIPAL];
  if (!principal) throw new ServerError(status.INTERNAL, UNAUTHENTICATED_HANDLER);
  return principal;
}
