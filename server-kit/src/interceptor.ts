import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { REFUSAL_REASON_KEY } from '@grpc-token-auth/sdk';
import type { AuthFailure } from './auth-failure.js';
import type { Authenticate } from './authenticate.js';
import { attachPrincipal } from './call-identity.js';
import type { Logger, RpcMetrics } from './observability.js';

export interface InterceptorOptions {
  readonly authenticate: Authenticate;
  readonly log: Logger;
  /** Undefined = metrics off (nothing recorded). */
  readonly metrics?: RpcMetrics;
}

/**
 * The one server interceptor: authenticates from the initial metadata before any
 * handler runs (a refused call's request body is never read), hands the principal
 * to the handler, and writes one log line and one metrics sample per RPC. One layer,
 * because each layer costs a few microseconds per call.
 */
export function createServerInterceptor({ authenticate, log, metrics }: InterceptorOptions): ServerInterceptor {
  // Levels are fixed at start, so with per-RPC lines off (LOG_LEVEL=warn) no call builds one.
  const logRpcs = log.isLevelEnabled('info');
  const timed = logRpcs || metrics !== undefined;
  return (descriptor, call) => {
    const method = descriptor.path;
    const started = timed ? performance.now() : 0;
    let subject: string | undefined;
    let refused: AuthFailure | undefined;
    let finished = false;

    // Once per call (a cancelled call may still send a status later): the log line and the metrics sample.
    const finish = (code: status) => {
      if (!timed || finished) return;
      finished = true;
      const ms = performance.now() - started;
      metrics?.forMethod(method).finished(code, ms / 1000);
      if (!logRpcs) return;
      const entry = { method, code: status[code] ?? code, ms: round(ms), sub: subject };
      if (refused) log.info({ ...entry, reason: refused.reason }, 'rpc refused');
      else log.info(entry, 'rpc');
    };

    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            let decision;
            try {
              decision = authenticate(method, metadata.get('authorization'));
            } catch (err) {
              // grpc-js does not catch interceptor exceptions: fail the call, not the process.
              log.error({ err, method }, 'authentication crashed');
              call.sendStatus({ code: status.INTERNAL, details: 'authentication failed' });
              finish(status.INTERNAL);
              return;
            }
            if (!decision.ok) {
              refused = decision.failure;
              metrics?.rejected(refused.reason);
              const code = refused.status === 'permission_denied' ? status.PERMISSION_DENIED : status.UNAUTHENTICATED;
              call.sendStatus({ code, details: refused.message, metadata: refusalTrailers(refused) });
              finish(code);
              return;
            }
            // Handlers get the token through the principal only; keep it out of metadata they might log.
            metadata.remove('authorization');
            if (decision.principal) {
              subject = decision.principal.subject;
              attachPrincipal(metadata, decision.principal);
            }
            nextMetadata(metadata);
          },
          // The client went away (or its deadline passed): no status is sent, so record it here.
          // (grpc-js passes the cancellation on to the handler by itself.)
          onCancel() {
            finish(status.CANCELLED);
          },
        });
      },
      sendStatus(sent, next) {
        finish(sent.code ?? status.UNKNOWN);
        next(sent);
      },
    });
  };
}

/** The reason as a trailer too, so clients (the SDK's Session) can act on it without parsing the message. */
function refusalTrailers(failure: AuthFailure): Metadata {
  const trailers = new Metadata();
  trailers.set(REFUSAL_REASON_KEY, failure.reason);
  return trailers;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
