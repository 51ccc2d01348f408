import { status } from '@grpc/grpc-js';
import { Counter, type Registry } from 'prom-client';
import { GrpcError } from '../../lib/grpc/errors.js';
import type { RefreshFailure } from './session-manager.js';

export const LOGIN_OUTCOMES = ['success', 'bad_credentials', 'throttled', 'disabled', 'invalid_request', 'error'] as const;
export type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];
export const REFRESH_OUTCOMES = ['success', 'retried', 'unknown', 'expired', 'revoked', 'reused', 'disabled'] as const;
/** `retried`: a rotated token presented again within the reuse grace window (a lost answer), given the same successor. */
export type RefreshOutcome = 'success' | 'retried' | RefreshFailure;

/** Where the session handlers report outcomes; `undefined` in their deps = metrics off. */
export interface SessionMetrics {
  login(outcome: LoginOutcome): void;
  refresh(outcome: RefreshOutcome): void;
}

/** How a failed Login ended, from the status the handler threw (each cause has its own code). */
export function loginOutcomeOf(err: unknown): LoginOutcome {
  if (!(err instanceof GrpcError)) return 'error';
  switch (err.code) {
    case status.UNAUTHENTICATED:
      return 'bad_credentials';
    case status.RESOURCE_EXHAUSTED:
      return 'throttled';
    case status.PERMISSION_DENIED:
      return 'disabled';
    case status.INVALID_ARGUMENT:
      return 'invalid_request';
    default:
      return 'error';
  }
}

export function sessionMetrics(registry: Registry): SessionMetrics {
  const logins = new Counter({
    name: 'auth_login_attempts_total',
    help: 'Login calls by outcome: success, bad_credentials, throttled, disabled, invalid_request, error.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'auth_refresh_attempts_total',
    help: 'Refresh calls by outcome; "retried" means a rotated token came back within the reuse grace window and got the same successor; "reused" means a refresh token was replayed and its session revoked (possible theft).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  // Every outcome resolved (and exported as 0) up front: alerts on e.g. reused see a series from the start.
  const login = new Map(LOGIN_OUTCOMES.map((o) => [o, logins.labels(o)]));
  const refresh = new Map(REFRESH_OUTCOMES.map((o) => [o, refreshes.labels(o)]));
  for (const c of [...login.values(), ...refresh.values()]) c.inc(0);
  return {
    login: (outcome) => login.get(outcome)!.inc(),
    refresh: (outcome) => refresh.get(outcome)!.inc(),
  };
}
