import { Metadata, status, type ServerInterceptor } from '@grpc/grpc-js';
import { REFUSAL_REASON_KEY } from '@grpc-token-auth/sdk';
import type { AuthFailure } from '../auth-failure.js';
import type { Authenticate } from '../authenticate.js';
import { callFacts } from '../call-facts.js';
import { attachPrincipal } from '../call-identity.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { stageInterceptor } from './stage.js';

export interface AuthenticationOptions {
  /** Where a crash inside `authenticate` is reported (the call gets INTERNAL). */
  readonly log?: Logger | undefined;
}

/**
 * Authentication alone: runs `authenticate` (policy → bearer token → verification →
 * authorization) on the call's initial metadata, before any handler runs and before the
 * request body is read. A refused call ends here, with its reason as the `auth-failure-reason`
 * trailer (the SDK's Session acts on it); an accepted one reaches the handler with its principal
 * (`requirePrincipal(call)`) and without the `authorization` entry, so handlers that log
 * metadata cannot log the token.
 */
export function authenticationInterceptor(authenticate: Authenticate, opts: AuthenticationOptions = {}): ServerInterceptor {
  const log = opts.log ?? silentLogger;
  return stageInterceptor((descriptor, call, send) => ({
    onMetadata(metadata) {
      let decision;
      try {
        decision = authenticate(descriptor.path, metadata.get('authorization'), () => call.getAuthContext().sslPeerCertificate?.raw);
      } catch (err) {
        // grpc-js does not catch interceptor exceptions: fail the call, not the process.
        log.error({ err, method: descriptor.path }, 'authentication crashed');
        send({ code: status.INTERNAL, details: 'authentication failed' });
        return false;
      }
      if (!decision.ok) {
        const facts = callFacts(metadata);
        facts.refusal = decision.failure;
        if (decision.principal) facts.refusedPrincipal = decision.principal;
        send({ code: STATUS_OF[decision.failure.status], details: decision.failure.message, metadata: refusalTrailers(decision.failure) });
        return false;
      }
      metadata.remove('authorization');
      if (decision.principal) attachPrincipal(metadata, decision.principal);
      else callFacts(metadata).publicAccess = true;
      return true;
    },
  }));
}

const STATUS_OF = {
  unauthenticated: status.UNAUTHENTICATED,
  permission_denied: status.PERMISSION_DENIED,
  unavailable: status.UNAVAILABLE,
} as const;

/** The reason as a trailer too, so clients (the SDK's Session) can act on it without parsing the message. */
function refusalTrailers(failure: AuthFailure): Metadata {
  const trailers = new Metadata();
  trailers.set(REFUSAL_REASON_KEY, failure.reason);
  return trailers;
}
