import { expect } from 'chai';
import type { AuthFailure, AuthResult, Principal } from '@grpc-token-auth/server-kit';
import { ConfigError } from '../../lib/config/env-reader.js';

/** A verified principal with sensible defaults, for tests that do not care about every field. */
export function userPrincipal(overrides: Partial<Principal> = {}): Principal {
  return {
    kind: 'user',
    subject: 'user-1',
    roles: [],
    scopes: [],
    tokenId: 'jti-1',
    sessionId: undefined,
    expiresAt: 1_700_000_300,
    token: 'h.p.s',
    ...overrides,
  };
}

export function servicePrincipal(overrides: Partial<Principal> = {}): Principal {
  return userPrincipal({ kind: 'service', subject: 'svc-reporting', ...overrides });
}

/** Narrows a result to its failure, failing the test with the unexpected value otherwise. */
export function failureOf<T>(result: AuthResult<T> | { ok: true; principal: unknown } | { ok: false; failure: AuthFailure }): AuthFailure {
  if (result.ok) throw new Error(`expected a failure, got success: ${JSON.stringify(result)}`);
  return result.failure;
}

/** Narrows a result to its value, failing the test with the failure otherwise. */
export function valueOf<T>(result: AuthResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.failure.reason}: ${result.failure.message}`);
  return result.value;
}

/** The problems a config loader reported (fails the test when it did not throw a ConfigError). */
export function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}
