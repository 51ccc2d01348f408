import { status, type Metadata } from '@grpc/grpc-js';
import type { Principal } from './principal.js';

/**
 * The interceptor files the verified principal on the call's metadata object, which
 * grpc-js hands unchanged to the handler, under a symbol only this module holds. Nothing
 * a client sends can create such a property (metadata entries live in an internal map and
 * Metadata.clone copies only those), so identity cannot be spoofed through metadata.
 * A symbol property rather than a WeakMap: about 100 ns less per call and no ephemeron
 * work for the garbage collector.
 */
const PRINCIPAL = Symbol('verified principal');

type WithPrincipal = Metadata & { [PRINCIPAL]?: Principal };

const UNAUTHENTICATED_HANDLER = 'call reached a protected handler without authentication';

export function attachPrincipal(metadata: Metadata, principal: Principal): void {
  (metadata as WithPrincipal)[PRINCIPAL] = principal;
}

/** The caller's verified identity; fails closed (INTERNAL) if the interceptor did not run. */
export function requirePrincipal(call: { metadata: Metadata }): Principal {
  const principal = (call.metadata as WithPrincipal)[PRINCIPAL];
  if (!principal) throw Object.assign(new Error(UNAUTHENTICATED_HANDLER), { code: status.INTERNAL, details: UNAUTHENTICATED_HANDLER });
  return principal;
}
