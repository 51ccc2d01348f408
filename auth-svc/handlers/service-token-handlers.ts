import { status } from '@grpc/grpc-js';
import type { AuthServiceServer } from '../../gen/auth/v1/auth_service.js';
import { GrpcError, invalidArgument } from '../../lib/grpc/errors.js';
import { publicUnary } from '../../lib/grpc/handlers.js';
import { requireStorable } from '../../lib/grpc/validate.js';
import type { Logger } from '../../lib/log/logger.js';
import type { ServiceClients } from '../service-clients/service-clients.js';
import { MAX_OPAQUE_SECRET_LENGTH } from '../tokens/opaque-secret.js';
import type { TokenIssuer } from '../tokens/token-issuer.js';

export interface ServiceTokenDeps {
  readonly serviceClients: ServiceClients;
  readonly tokens: TokenIssuer;
  readonly log: Logger;
}

/** Same answer for unknown client, wrong secret and revoked client. */
const BAD_CLIENT = new GrpcError(status.UNAUTHENTICATED, 'invalid client credentials');

export function serviceTokenHandlers({ serviceClients, tokens, log }: ServiceTokenDeps): Pick<AuthServiceServer, 'issueServiceToken'> {
  return {
    issueServiceToken: publicUnary(log, async (req) => {
      if (req.clientId === '') throw invalidArgument('client_id', 'is required');
      if (req.clientSecret === '') throw invalidArgument('client_secret', 'is required');
      requireStorable('client_id', req.clientId);
      if (req.clientId.length > 64 || req.clientSecret.length > MAX_OPAQUE_SECRET_LENGTH) throw BAD_CLIENT;
      const outcome = await serviceClients.authenticate(req.clientId, req.clientSecret);
      if (!outcome.ok) {
        // Named only when the id is a registered client's: what a caller typed is never logged
        // (someone pastes a secret into client_id). `log` is capped (LOG_LINES_PER_SECOND).
        const client = outcome.known && { clientId: outcome.known.id, clientName: outcome.known.name, revoked: outcome.known.revokedAt !== null };
        log.warn({ event: 'security', kind: 'bad_client_credentials', knownClient: client !== undefined, ...client }, 'service token refused');
        throw BAD_CLIENT;
      }
      const { client } = outcome;
      const issued = tokens.issueServiceToken(client);
      return { accessToken: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn, scopes: [...client.scopes] };
    }),
  };
}
