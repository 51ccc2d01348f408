import { status } from '@grpc/grpc-js';
import { principalOf, SCOPES, type Actor, type TokenVerifier } from '@grpc-token-auth/server-kit';
import type { AuthServiceServer } from '../../gen/auth/v1/auth_service.js';
import { GrpcError, invalidArgument } from '../../lib/grpc/errors.js';
import { publicUnary } from '../../lib/grpc/handlers.js';
import type { ServiceClient } from '../store/service-client-store.js';
import type { ActClaim } from '../tokens/token-issuer.js';
import { requestedAudience } from '../tokens/audiences.js';
import { authenticatedClient, type ServiceTokenDeps } from './service-token-handlers.js';

export interface ExchangeDeps extends ServiceTokenDeps {
  /** auth-svc's own verifier (signature, expiry, any issued audience, revocation). */
  readonly verifySubject: TokenVerifier;
}

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** Longest subject token looked at (ours are well under 2 KiB). */
const MAX_SUBJECT_TOKEN_LENGTH = 8192;

/**
 * RFC 8693 token exchange: a service client trades a user's token that was sent to it for one
 * addressed to another service it is registered for. The new token names the user (`sub`, roles,
 * `sid`: revoking the session ends it too), the client as actor (`act`, nested for chains), and
 * expires no later than the subject token.
 */
export function exchangeTokenHandler(deps: ExchangeDeps): Pick<AuthServiceServer, 'exchangeToken'> {
  const { tokens, audiences, verifySubject, log } = deps;
  return {
    exchangeToken: publicUnary(log, async (req, call) => {
      if (req.subjectToken === '') throw invalidArgument('subject_token', 'is required');
      if (req.audience === '') throw invalidArgument('audience', 'is required');
      const audience = requestedAudience(audiences, req.audience);
      const client = await exchangingClient(deps, req, call.getPeer(), principalOf(call)?.subject);
      if (!client.scopes.includes(SCOPES.tokensExchange)) throw denied(`this client may not exchange tokens (needs the scope "${SCOPES.tokensExchange}")`);
      if (!client.audiences.includes(audience)) throw denied(`this client is not registered for the audience "${audience}"`);
      if (req.subjectToken.length > MAX_SUBJECT_TOKEN_LENGTH) throw new GrpcError(status.UNAUTHENTICATED, 'subject_token: token is malformed');
      const verified = verifySubject(req.subjectToken);
      if (!verified.ok) throw new GrpcError(status.UNAUTHENTICATED, `subject_token: ${verified.failure.message}`);
      const subject = verified.value;
      if (subject.kind !== 'user') throw invalidArgument('subject_token', "must be a user's token, not a service token");
      // A service exchanges only tokens that were sent to it: its client name is the audience it serves.
      if (subject.audience !== client.name) throw denied('subject_token is addressed to another service: a service exchanges only tokens sent to it');
      const scope = narrowerScope(req.scope, subject.scopes);
      // The verifier tolerates clock skew past `exp`; an exchanged token never outlives its subject.
      if (subject.expiresAt <= Math.floor(Date.now() / 1000)) throw new GrpcError(status.UNAUTHENTICATED, 'subject_token: token expired');
      const issued = tokens.issueExchangedToken({
        subject: subject.subject,
        roles: subject.roles,
        sessionId: subject.sessionId,
        act: actClaim(client.id, subject.actor),
        audience,
        scope,
        notAfter: subject.expiresAt,
      });
      return { accessToken: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn, issuedTokenType: ACCESS_TOKEN_TYPE };
    }),
  };
}

/**
 * The caller: the client whose bound service token the authentication interceptor verified for
 * this call (then no secret is needed, and an id in the request must be that client's), or the
 * client whose id and secret the request carries.
 */
async function exchangingClient(deps: ExchangeDeps, req: { clientId: string; clientSecret: string }, peer: string, boundClientId: string | undefined): Promise<ServiceClient> {
  if (boundClientId === undefined) return authenticatedClient(deps, req.clientId, req.clientSecret, peer, 'token exchange refused');
  if (req.clientId !== '' && req.clientId !== boundClientId) throw invalidArgument('client_id', 'must be the client whose token authenticates this call (or left out)');
  const client = await deps.serviceClients.active(boundClientId);
  if (!client) throw new GrpcError(status.UNAUTHENTICATED, 'invalid client credentials');
  return client;
}

function denied(message: string): GrpcError {
  return new GrpcError(status.PERMISSION_DENIED, message);
}

/** `actor` acting, for whoever acted before it (RFC 8693 §4.1: the current actor outermost). */
function actClaim(actor: string, before: Actor | undefined): ActClaim {
  return before ? { sub: actor, act: actClaim(before.subject, before.actor) } : { sub: actor };
}

/** The requested scope, which may only narrow the subject token's; undefined keeps no scope claim. */
function narrowerScope(requested: string, held: readonly string[]): string | undefined {
  const wanted = requested.split(' ').filter(Boolean);
  if (wanted.length === 0) return held.length > 0 ? held.join(' ') : undefined;
  const extra = wanted.filter((s) => !held.includes(s));
  if (extra.length > 0) throw invalidArgument('scope', 'may only narrow the subject token\'s scope');
  return [...new Set(wanted)].join(' ');
}
