import { unknownNamesProblem } from './known-names.js';

/** Scopes a service client can hold; policies name them, admin commands grant them. */
export const SCOPES = {
  /** Subscribe to auth-svc's revocation stream (every verifying service needs it). */
  revocationsWatch: 'revocations.watch',
  /** Look users up in auth-svc's UserDirectory. */
  usersRead: 'users.read',
  /** Exchange a user's token sent to this service for one to another service (RFC 8693, auth-svc's ExchangeToken). */
  tokensExchange: 'tokens.exchange',
} as const;

export const KNOWN_SCOPES: readonly string[] = Object.values(SCOPES);

/** A misspelt scope (`users.raed`) would be granted and silently useless: only known ones are. */
export function scopeNamesProblem(scopes: readonly string[]): string | undefined {
  return unknownNamesProblem('scope', scopes, KNOWN_SCOPES);
}
