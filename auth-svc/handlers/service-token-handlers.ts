import { status } from '@grpc/grpc-js';
import type { AuthServiceServer } from '../../gen/auth/v1/auth_service.js';
import { GrpcError, invalidArgument } from '../../lib/grpc/errors.js';
import { publicUnary } from '../../lib/grpc/handlers.js';
import { requireStorable } from '../../lib/grpc/validate.js';
import type { Logger } from '../../lib/log/logger.js';
import { clientAddress } from '@grpc-token-auth/server-kit/internal';
import type { ServiceClient } from '../store/service-client-store.js';
import type { ServiceClients } from '../service-clients/service-clients.js';
import type { LoginGuard } from '../throttle/login-guard.js';
import { unusableKey } from './credentials-check.js';
import { MAX_OPAQUE_SECRET_LENGTH } from '../tokens/opaque-secret.js';
import { requestedAudience, type Audiences } from '../tokens/audiences.js';
import type { TokenIssuer } from '../tokens/token-issuer.js';
import { certificateThumbprint } from '@grpc-token-auth/server-kit';

export interface ServiceTokenDeps {
  readonly serviceClients: ServiceClients;
  readonly audiences: Audiences;
  readonly tokens: TokenIssuer;
  readonly log: Logger;
  /**
   * Failed client secrets, throttled like passwords (per client id, per address, in the auth store);
   * ExchangeToken's client authentication belongs behind it too.
   */
  readonly secretGuard: LoginGuard;
}

/** Same answer for unknown client, wrong secret and revoked client. */
const BAD_CLIENT = new GrpcError(status.UNAUTHENTICATED, 'invalid client credentials');

export function serviceTokenHandlers(deps: ServiceTokenDeps): Pick<AuthServiceServer, 'issueServiceToken'> {
  const { tokens, audiences, log } = deps;
  return {
    issueServiceToken: publicUnary(log, async (req, call) => {
      const audience = requestedAudience(audiences, req.audience);
      const client = await authenticatedClient(deps, req.clientId, req.clientSecret, call.getPeer(), 'service token refused');
      // Over mutual TLS the token is bound to the certificate the client proved it holds (RFC 8705).
      const certificate = call.getAuthContext().sslPeerCertificate?.raw;
      const issued = tokens.issueServiceToken(client, audience, certificate && certificateThumbprint(certificate));
      return { accessToken: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn, scopes: [...client.scopes] };
    }),
  };
}

/**
 * The service client these credentials belong to, or UNAUTHENTICATED (the same answer for every
 * failure), behind the secret throttle: a wrong secret counts against the client id and the
 * caller's address (RESOURCE_EXHAUSTED once throttled), and so does an id or secret too long to be
 * real (keyed per address, so junk ids cost one row).
 */
export async function authenticatedClient(deps: ServiceTokenDeps, clientId: string, secret: string, peer: string, event: string): Promise<ServiceClient> {
  if (clientId === '') throw invalidArgument('client_id', 'is required');
  if (secret === '') throw invalidArgument('client_secret', 'is required');
  requireStorable('client_id', clientId);
  const address = clientAddress(peer);
  const possible = clientId.length <= 64 && secret.length <= MAX_OPAQUE_SECRET_LENGTH;
  let outcome: Awaited<ReturnType<ServiceClients['authenticate']>> | undefined;
  const ok = await deps.secretGuard.run(possible ? clientId : unusableKey('client', address), address, async () => {
    outcome = possible ? await deps.serviceClients.authenticate(clientId, secret) : undefined;
    return outcome?.ok === true;
  });
  if (ok && outcome?.ok) return outcome.client;
  // Named only when the id is a registered client's: what a caller typed is never logged
  // (someone pastes a secret into client_id). `log` is capped (LOG_LINES_PER_SECOND).
  const known = outcome && !outcome.ok ? outcome.known : undefined;
  const named = known && { clientId: known.id, clientName: known.name, revoked: known.revokedAt !== null };
  deps.log.warn({ event: 'security', kind: 'bad_client_credentials', knownClient: named !== undefined, ...named }, event);
  throw BAD_CLIENT;
}
