/** The verified identity of a caller, built only from a token whose signature checked out. */
export interface Principal {
  /** `user` for end users (tokens from Login), `service` for service tokens. */
  readonly kind: 'user' | 'service';
  /** The token's `sub`: a user id or a service client id. */
  readonly subject: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** The token's `jti`. */
  readonly tokenId: string;
  /** Session id (`sid`), when the token belongs to a login session. */
  readonly sessionId: string | undefined;
  /** Expiry in epoch seconds. */
  readonly expiresAt: number;
  /** The raw token, for on-behalf-of calls. Never log it. */
  readonly token: string;
}
