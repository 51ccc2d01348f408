import type { Metadata, status } from '@grpc/grpc-js';
import type { AuthFailure } from './auth-failure.js';
import type { Principal } from './principal.js';

/**
 * What the kit's interceptors learn about a call and share with each other: the authentication
 * refusal (for the observers) and how a live stream was cut off (grpc-js sends no status then).
 * Filed on the call's metadata object, which every interceptor passes on and grpc-js hands
 * unchanged to the handler, under a symbol only the kit holds (like the principal): nothing a
 * client sends can create it.
 */
const FACTS = Symbol('call facts');

export interface CallFacts {
  refusal?: AuthFailure;
  /** The verified caller that the policy refused (PERMISSION_DENIED), for audit. */
  refusedPrincipal?: Principal;
  /** A public method's call that authentication let through without a principal. */
  publicAccess?: true;
  /** The status a reset stream stands for (no status is sent on a reset). */
  endedWith?: status;
}

type WithFacts = Metadata & { [FACTS]?: CallFacts };

export function callFacts(metadata: Metadata): CallFacts {
  return ((metadata as WithFacts)[FACTS] ??= {});
}

export function peekCallFacts(metadata: Metadata): CallFacts | undefined {
  return (metadata as WithFacts)[FACTS];
}
