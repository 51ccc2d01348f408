/** Who acts for the token's subject (RFC 8693 `act`): a service client, itself perhaps acting for another. */
export interface Actor {
  /** The acting service client's id. */
  readonly subject: string;
  /** The actor before it, for chains (`act.act`). */
  readonly actor: Actor | undefined;
}

/** The verified identity of a caller, built only from a token whose signature checked out. */
export interface Principal {
  /** `user` for end users (tokens from Login, and tokens exchanged for them), `service` for service tokens. */
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
  /** The service the token was issued for (`aud`). */
  readonly audience: string;
  /** The service calling on the subject's behalf (an exchanged token's `act`), or undefined for the subject itself. */
  readonly actor: Actor | undefined;
  /** base64url SHA-256 of the client certificate the token is bound to (`cnf.x5t#S256`, RFC 8705), if any. */
  readonly certificateThumbprint: string | undefined;
  /** The raw token, for token exchange. Never log it. */
  readonly token: string;
}
