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
import type { TokenIssuer } from '../tokens/token-issuer.js';

export interface ServiceTokenDeps {
  readonly serviceClients: ServiceClients;
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

export function serviceTokenHandlers({ serviceClients, tokens, log, secretGuard }: ServiceTokenDeps): Pick<AuthServiceServer, 'issueServiceToken'> {
  return {
    issueServiceToken: publicUnary(log, async (req, call) => {
      if (req.clientId === '') throw invalidArgument('client_id', 'is required');
      if (req.clientSecret === '') throw invalidArgument('client_secret', 'is required');
      requireStorable('client_id', req.clientId);
      const client = await authenticatedClient(secretGuard, serviceClients, req.clientId, req.clientSecret, call.getPeer(), log);
      const issued = tokens.issueServiceToken(client);
      return { accessToken: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn, scopes: [...client.scopes] };
    }),
  };
}

/**
 * The client whose id and secret these are, behind the secret throttle: a wrong secret counts
 * against the client id and the caller's address (RESOURCE_EXHAUSTED once throttled), and so does
 * an id or secret too long to be real (keyed per address, so junk ids cost one row).
 */
export async function authenticatedClient(
  guard: LoginGuard,
  serviceClients: ServiceClients,
  clientId: string,
  secret: string,
  peer: string,
  log: Logger,
): Promise<ServiceClient> {
  const address = clientAddress(peer);
  const possible = clientId.length <= 64 && secret.length <= MAX_OPAQUE_SECRET_LENGTH;
  let outcome: Awaited<ReturnType<ServiceClients['authenticate']>> | undefined;
  const ok = await guard.run(possible ? clientId : unusableKey('client', address), address, async () => {
    outcome = possible ? await serviceClients.authenticate(clientId, secret) : undefined;
    return outcome?.ok === true;
  });
  if (ok && outcome?.ok) return outcome.client;
  // Named only when the id is a registered client's: what a caller typed is never logged
  // (someone pastes a secret into client_id). `log` is capped (LOG_LINES_PER_SECOND).
  const known = outcome && !outcome.ok ? outcome.known : undefined;
  const named = known && { clientId: known.id, clientName: known.name, revoked: known.revokedAt !== null };
  log.warn({ event: 'security', kind: 'bad_client_credentials', knownClient: named !== undefined, ...named }, 'service token refused');
  throw BAD_CLIENT;
}
