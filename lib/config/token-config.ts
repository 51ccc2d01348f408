import { MIN_SECRET_BYTES } from '../authn/keys.js';
import { DEV_JWT_SECRET } from './dev-defaults.js';
import type { EnvReader } from './env-reader.js';

/** Token settings every service agrees on: who issues tokens, for whom, and the shared key. */
export interface TokenConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly sharedSecret: string;
  readonly clockSkewSeconds: number;
}

export function readTokenConfig(env: EnvReader): TokenConfig {
  return {
    issuer: env.string('JWT_ISSUER', 'auth-svc'),
    audience: env.string('JWT_AUDIENCE', 'grpc-token-auth'),
    sharedSecret: env.secret('JWT_SECRET', DEV_JWT_SECRET, MIN_SECRET_BYTES),
    clockSkewSeconds: env.int('JWT_CLOCK_SKEW_SECONDS', 30, 0, 300),
  };
}
