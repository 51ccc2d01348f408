import type { PublicJwk } from '@grpc-token-auth/server-kit';
import { toJwksJson } from '@grpc-token-auth/server-kit/internal';
import { SCOPES } from '@grpc-token-auth/server-kit';
import type { TokenAlgorithm } from '../../lib/config/token-config.js';
import type { HttpRequestView, HttpRoute } from '../../lib/http/bounded-http-server.js';
import { cacheableJson } from '../../lib/http/cacheable.js';
import { KEYS_MAX_AGE_SECONDS } from './keys-service.js';

/** The discovery document changes only with configuration. */
const DISCOVERY_MAX_AGE_SECONDS = 300;

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/.well-known/jwks.json';

/** The claims our tokens carry (see TokenIssuer), advertised for other teams' verifiers. */
const CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'sid', 'typ', 'roles', 'scope'];

export interface WellKnownOptions {
  /** JWT_ISSUER: the `iss` of every token. */
  readonly issuer: string;
  readonly algorithm: TokenAlgorithm;
  /** The same keys KeysService/ListPublicKeys serves (empty with HS256: a secret is never published). */
  readonly publicKeys: () => PublicJwk[];
}

/**
 * HTTP routes for verifiers that speak the standards instead of our gRPC KeysService:
 * OpenID Connect Discovery / RFC 8414 metadata, for a resource-server-only use (no
 * authorization or token endpoint: tokens come from AuthService/Login), and the key set
 * as an RFC 7517 JWKS. When JWT_ISSUER is an http(s) URL both live under its path
 * (`https://id.example.com/tenant` → `/tenant/.well-known/openid-configuration`), as
 * discovery clients derive it from the issuer; the JWKS is also at the root.
 */
export function wellKnownRoutes(opts: WellKnownOptions): Record<string, HttpRoute> {
  const issuerUrl = httpUrl(opts.issuer);
  const base = issuerUrl ? issuerUrl.pathname.replace(/\/+$/, '') : '';
  // Without an issuer URL, point at the address the client itself connected to (never at a Host header it sent).
  const jwksUri = (req: HttpRequestView) => (issuerUrl ? `${opts.issuer.replace(/\/+$/, '')}${JWKS_PATH}` : `${origin(req)}${JWKS_PATH}`);

  const discovery: HttpRoute = (req) =>
    cacheableJson(
      {
        issuer: opts.issuer,
        jwks_uri: jwksUri(req),
        // Required members; we hand out tokens over gRPC only, so there is no response type to offer.
        response_types_supported: [],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [opts.algorithm],
        claims_supported: CLAIMS,
        scopes_supported: Object.values(SCOPES),
      },
      DISCOVERY_MAX_AGE_SECONDS,
      req.headers,
    );
  const jwks: HttpRoute = (req) => cacheableJson(toJwksJson(opts.publicKeys()), KEYS_MAX_AGE_SECONDS, req.headers);
  return { [`${base}${DISCOVERY_PATH}`]: discovery, [`${base}${JWKS_PATH}`]: jwks, [JWKS_PATH]: jwks };
}

function httpUrl(value: string): URL | undefined {
  return /^https?:\/\//i.test(value) && URL.canParse(value) ? new URL(value) : undefined;
}

function origin({ local }: HttpRequestView): string {
  const host = local.address.includes(':') ? `[${local.address}]` : local.address;
  return `http://${host}:${local.port}`;
}
