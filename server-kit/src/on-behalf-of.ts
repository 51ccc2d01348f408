import { Metadata, propagate, type CallOptions } from '@grpc/grpc-js';
import type { Principal } from './principal.js';

/** What a downstream call needs to act for the caller: their token and what is left of their deadline. */
export interface OnBehalfOf {
  readonly metadata: Metadata;
  readonly callOptions: Partial<CallOptions>;
}

/**
 * Forwards the caller's identity (their own token, so the downstream service verifies
 * it and applies its own policy: no privilege is added) and their deadline and
 * cancellation (grpc-js propagation from the incoming call) to a downstream call:
 *
 *   const { metadata, callOptions } = onBehalfOf(ctx);
 *   await unaryCall(notes, notes.listNotes, req, { metadata, callOptions });
 */
export function onBehalfOf(ctx: { principal: Principal; call: NonNullable<CallOptions['parent']> }): OnBehalfOf {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${ctx.principal.token}`);
  return {
    metadata,
    callOptions: { parent: ctx.call, propagate_flags: propagate.DEADLINE | propagate.CANCELLATION },
  };
}
