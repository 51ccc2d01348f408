import { status } from '@grpc/grpc-js';
import type { AuthServiceServer } from '../../gen/auth/v1/auth_service.js';
import { GrpcError, invalidArgument } from '../../lib/grpc/errors.js';
import { publicUnary } from '../../lib/grpc/handlers.js';
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
      if (req.clientId.length > 64 || req.clientSecret.length > MAX_OPAQUE_SECRET_LENGTH) throw BAD_CLIENT;
      const client = await serviceClients.authenticate(req.clientId, req.clientSecret);
      if (!client) {
        log.warn({ event: 'security', kind: 'bad_client_credentials', clientId: req.clientId }, 'service token refused');
        throw BAD_CLIENT;
      }
      const issued = tokens.issueServiceToken(client);
      return { accessToken: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn, scopes: [...client.scopes] };
    }),
  };
}
