import { AUTH_SVC_AUDIENCE, BUSINESS_SVC_AUDIENCE } from '@grpc-token-auth/sdk';
import { invalidArgument } from '../../lib/grpc/errors.js';
import type { EnvReader } from '../../lib/config/env-reader.js';

/** The services auth-svc issues tokens for (RFC 8707 resource indicators). */
export interface Audiences {
  /** Every audience a token may be requested for; auth-svc's own is always among them. */
  readonly issued: readonly string[];
  /** What a request without `audience` gets: the first of JWT_AUDIENCES. */
  readonly default: string;
  /**
   * What auth-svc's own protected methods accept: `auth-svc`, and with the deprecated single
   * JWT_AUDIENCE also that shared audience, so tokens keep working where they did before.
   */
  readonly own: readonly string[];
}

const DEFAULT_AUDIENCES = [BUSINESS_SVC_AUDIENCE, AUTH_SVC_AUDIENCE];
const AUDIENCE_NAME = /^[\x21-\x2b\x2d-\x7e]{1,100}$/;

/**
 * JWT_AUDIENCES (comma list, first = default; default `business-svc,auth-svc`). The older
 * JWT_AUDIENCE (one shared audience) still works on auth-svc, as a deprecated one-item list.
 */
export function readAudiences(env: EnvReader): Audiences {
  const list = env.optional('JWT_AUDIENCES');
  const shared = env.optional('JWT_AUDIENCE');
  let names = DEFAULT_AUDIENCES;
  let own = [AUTH_SVC_AUDIENCE];
  if (list !== undefined) {
    names = list.split(',').map((n) => n.trim());
  } else if (shared !== undefined) {
    names = [shared];
    own = [...new Set([AUTH_SVC_AUDIENCE, shared])];
    env.warning(
      `JWT_AUDIENCE on auth-svc is deprecated: every token is issued for "${shared}" by default and accepted by every service. ` +
        `Set JWT_AUDIENCES=<service>,${AUTH_SVC_AUDIENCE},… and give each service its own JWT_AUDIENCE (docs/security.md).`,
    );
  }
  const bad = names.filter((n) => !AUDIENCE_NAME.test(n));
  if (names.length === 0 || bad.length > 0) env.problem(`JWT_AUDIENCES must be a comma-separated list of service names (1 to 100 visible characters each)`);
  const issued = [...new Set([...names, AUTH_SVC_AUDIENCE])];
  return { issued, default: names[0] ?? AUTH_SVC_AUDIENCE, own };
}

/** The audience a request asked for (empty: the default), or INVALID_ARGUMENT naming the ones issued. */
export function requestedAudience(audiences: Audiences, requested: string): string {
  if (requested === '') return audiences.default;
  if (audiences.issued.includes(requested)) return requested;
  throw invalidArgument('audience', `must be one of the services this issuer serves: ${audiences.issued.join(', ')}`);
}
