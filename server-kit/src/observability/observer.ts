import type { Metadata, MetadataValue, status } from '@grpc/grpc-js';
import type { AuthFailure } from '../auth-failure.js';
import type { RunWithin } from '../interceptors/stage.js';
import type { Principal } from '../principal.js';

export type { RunWithin };

/** One call as it starts, for an observer (tracing, metrics, logs). */
export interface RpcStart {
  /** Full method path, `/pkg.Service/Method`. */
  readonly method: string;
  readonly type: 'unary' | 'server_stream' | 'client_stream' | 'bidi_stream';
  /**
   * A request header's values, e.g. `traceparent`. The `authorization` header reads as empty
   * here: observers never see the token.
   */
  header(key: string): MetadataValue[];
  /**
   * The call's metadata object, which grpc-js hands to the handler as `call.metadata`: an
   * observer may file its own per-call state on it under a symbol it owns (a span, for
   * instance), for the handler to read. Never log it: it still holds the token here.
   */
  readonly metadata: Metadata;
  /** The client's address as grpc-js reports it (`ip:port`, `[ipv6]:port`, or `unknown`). */
  peer(): string;
  /**
   * Has the rest of the call — later interceptors' hooks, the handler and everything it starts —
   * run inside `wrap`, e.g. `(fn) => context.with(spanContext, fn)` so a handler's outgoing calls
   * become children of this call's span. Call it from `start`; several observers' wraps nest.
   */
  runWithin(wrap: RunWithin): void;
}

/** How the call ended. */
export interface RpcEnd {
  readonly code: status;
  readonly details: string;
  /** From the first request header to the status (or to the cancellation). */
  readonly seconds: number;
  /** The verified caller, when the authentication interceptor accepted one. */
  readonly principal: Principal | undefined;
  /** Why the authentication interceptor refused the call, when it did. */
  readonly refusal: AuthFailure | undefined;
  /**
   * What authentication decided: `allowed`, `refused`, or undefined when the call ended before
   * authentication ran (a limit refused it) or no authentication runs on this server.
   */
  readonly decision: 'allowed' | 'refused' | undefined;
  /** The verified caller the policy refused (PERMISSION_DENIED `forbidden`); undefined otherwise. */
  readonly refusedPrincipal: Principal | undefined;
}

/**
 * The observability hook: `start` runs once per call, on its first headers, and returns what to
 * run when it ends (or undefined to skip this call). Metrics, logging and tracing each fill it;
 * `observabilityInterceptor(...observers)` runs them.
 */
export interface RpcObserver {
  start(call: RpcStart): ((end: RpcEnd) => void) | undefined;
}
