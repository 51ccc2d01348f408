import type { RemoteKeySource } from '@grpc-token-auth/server-kit';
import type { EnvReader } from './env-reader.js';
import type { TokenConfig } from './token-config.js';

/**
 * Where a verifier gets its keys: auth-svc's KeysService (and revocation stream), or any
 * OIDC issuer's JWKS (`JWKS_URL`, or `OIDC_ISSUER_URL` and discovery). Undefined = auth-svc.
 */
export function readRemoteKeySource(env: EnvReader, tokens: TokenConfig): RemoteKeySource | undefined {
  const jwksUrl = url(env, 'JWKS_URL');
  const issuerUrl = url(env, 'OIDC_ISSUER_URL');
  if (jwksUrl === undefined && issuerUrl === undefined) return undefined;
  if (jwksUrl !== undefined && issuerUrl !== undefined) env.problem('set JWKS_URL or OIDC_ISSUER_URL, not both');
  if (tokens.algorithm === 'HS256') env.problem('JWKS_URL / OIDC_ISSUER_URL publish public keys: use JWT_ALGORITHM RS256 or ES256, not HS256');
  const explicitIssuer = env.optional('JWT_ISSUER');
  if (issuerUrl !== undefined) {
    if (explicitIssuer !== undefined && explicitIssuer !== issuerUrl) env.problem('JWT_ISSUER must equal OIDC_ISSUER_URL (or be unset)');
    return { issuerUrl };
  }
  // A JWKS says nothing about who issues: the default "auth-svc" would be a silent mismatch.
  if (explicitIssuer === undefined) env.problem('JWKS_URL needs JWT_ISSUER: the `iss` of that issuer\'s tokens');
  return { jwksUrl: jwksUrl! };
}

/** The `iss` verifiers check: OIDC_ISSUER_URL when set, else JWT_ISSUER. */
export function expectedIssuer(tokens: TokenConfig, source: RemoteKeySource | undefined): string {
  return source && 'issuerUrl' in source ? source.issuerUrl : tokens.issuer;
}

function url(env: EnvReader, name: string): string | undefined {
  const raw = env.optional(name)?.trim();
  if (raw === undefined) return undefined;
  const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.username !== '' || parsed.password !== '' || parsed.hash !== '') {
    env.problem(`${name} must be an http(s) URL without credentials or fragment`);
    return undefined;
  }
  // Keys over plaintext can be swapped on the way; fine on loopback or inside a mesh, worth a word in production.
  if (env.production && parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) env.warning(`${name} is plain http: use https in production`);
  return raw;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
