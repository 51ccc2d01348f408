import { MIN_SECRET_BYTES } from '@grpc-token-auth/server-kit/internal';
import { DEV_JWT_SECRET } from './dev-defaults.js';
import type { EnvReader } from './env-reader.js';

/** Token settings every service agrees on: who issues tokens, for whom, and the shared key. */
export type TokenAlgorithm = 'RS256' | 'ES256' | 'HS256';

export interface TokenConfig {
  /** RS256 (default): auth-svc signs with private keys, verifiers fetch public keys. HS256: one shared secret. */
  readonly algorithm: TokenAlgorithm;
  readonly issuer: string;
  /** This service's own name (JWT_AUDIENCE): the `aud` it accepts. */
  readonly audience: string;
  /** Only in HS256 mode. */
  readonly sharedSecret: string | undefined;
  readonly clockSkewSeconds: number;
}

/** `ownAudience`: the service's own name, JWT_AUDIENCE's default (business-svc: `business-svc`). */
export function readTokenConfig(env: EnvReader, ownAudience: string): TokenConfig {
  const algorithm = env.oneOf<TokenAlgorithm>('JWT_ALGORITHM', 'RS256', ['RS256', 'ES256', 'HS256']);
  return {
    algorithm,
    issuer: env.string('JWT_ISSUER', 'auth-svc'),
    audience: env.string('JWT_AUDIENCE', ownAudience),
    sharedSecret: algorithm === 'HS256' ? env.secret('JWT_SECRET', DEV_JWT_SECRET, MIN_SECRET_BYTES) : undefined,
    clockSkewSeconds: env.int('JWT_CLOCK_SKEW_SECONDS', 30, 0, 300),
  };
}
