import { Metadata, propagate, type CallOptions } from '@grpc/grpc-js';
import type { Principal } from './principal.js';

/** What a downstream call needs to act for the caller: a token and what is left of their deadline. */
export interface OnBehalfOf {
  readonly metadata: Metadata;
  readonly callOptions: Partial<CallOptions>;
}

/**
 * Carries the caller's deadline and cancellation (grpc-js propagation from the incoming call)
 * and a token to a downstream call:
 *
 *   await notes.listNotes(req, await auth.onBehalfOf({ principal, call }, 'business-svc'));
 *
 * `token` is one exchanged for the downstream service (`auth.onBehalfOf` / `tokenExchanger`
 * do that). Left out, the caller's own token is forwarded: tokens name one audience, so that
 * works only towards another replica or part of the same service, and adds no privilege.
 */
export function onBehalfOf(ctx: { principal: Principal; call: NonNullable<CallOptions['parent']> }, token: string = ctx.principal.token): OnBehalfOf {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return {
    metadata,
    callOptions: { parent: ctx.call, propagate_flags: propagate.DEADLINE | propagate.CANCELLATION },
  };
}
