import type { PublicJwk } from '@grpc-token-auth/server-kit';
import type { KeysServiceServer } from '../../gen/auth/v1/keys_service.js';
import { publicUnary } from '../../lib/grpc/handlers.js';
import type { Logger } from '../../lib/log/logger.js';

/** How long verifiers may cache the key set; rotation publishes new keys well ahead of this. */
export const KEYS_MAX_AGE_SECONDS = 60;

export function keysServiceHandlers({ publicKeys, log }: { publicKeys: () => PublicJwk[]; log: Logger }): KeysServiceServer {
  return {
    listPublicKeys: publicUnary(log, () => ({ keys: publicKeys(), maxAgeSeconds: KEYS_MAX_AGE_SECONDS })),
  };
}
