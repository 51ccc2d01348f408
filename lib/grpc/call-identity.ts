import { status, type Metadata } from '@grpc/grpc-js';
import type { Principal } from '../authn/principal.js';
import { GrpcError } from './errors.js';

/**
 * The interceptor files the verified principal under the call's metadata object,
 * which grpc-js hands unchanged to the handler. A WeakMap entry cannot be created
 * by anything a client sends, so identity cannot be spoofed through metadata.
 */
const principals = new WeakMap<Metadata, Principal>();

export function attachPrincipal(metadata: Metadata, principal: Principal): void {
  principals.set(metadata, principal);
}

/** The caller's verified identity; fails closed (INTERNAL) if the interceptor did not run. */
export function requirePrincipal(call: { metadata: Metadata }): Principal {
  const principal = principals.get(call.metadata);
  if (!principal) throw new GrpcError(status.INTERNAL, 'call reached a protected handler without authentication');
  return principal;
}
