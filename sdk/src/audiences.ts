import type { Interceptor } from '@grpc/grpc-js';

/** The audience (RFC 8707 resource) auth-svc's own protected methods accept: Admin, UserDirectory, WatchRevocations. */
export const AUTH_SVC_AUDIENCE = 'auth-svc';
/** business-svc's audience (its JWT_AUDIENCE default). */
export const BUSINESS_SVC_AUDIENCE = 'business-svc';

/** Holds credentials and hands out tokens addressed to one service at a time (Session, ServiceCredentials). */
export interface AudienceTokens {
  /** Adds a token for the default audience to every call. */
  readonly interceptor: Interceptor;
  /** Adds a token for `audience` to every call, fetching and renewing it as needed. */
  interceptorFor(audience: string): Interceptor;
}

/**
 * Renewing tokens per audience, each made on first use. `''` stands for the issuer's default
 * audience (what a request without `audience` gets).
 */
export class PerAudience<T> {
  private readonly byAudience = new Map<string, T>();

  constructor(private readonly make: (audience: string) => T) {}

  get(audience: string): T {
    let value = this.byAudience.get(audience);
    if (value === undefined) {
      value = this.make(audience);
      this.byAudience.set(audience, value);
    }
    return value;
  }

  values(): IterableIterator<T> {
    return this.byAudience.values();
  }
}

/**
 * The `aud` an access token names, read without verifying it (only to know which service a token
 * the issuer chose is for: services verify it), or undefined when it is not a JWT with one `aud`.
 */
export function audienceOf(token: string): string | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const aud = payload !== null && typeof payload === 'object' ? (payload as { aud?: unknown }).aud : undefined;
    return typeof aud === 'string' ? aud : undefined;
  } catch {
    return undefined;
  }
}
