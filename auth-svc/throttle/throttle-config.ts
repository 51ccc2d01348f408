import type { EnvReader } from '../../lib/config/env-reader.js';
import type { LoginGuardOptions } from './login-guard.js';
import type { LoginThrottleOptions } from './login-throttle.js';
import type { RegisterLimitOptions } from './register-limits.js';

/** The login throttle settings an operator may change; the rest keep their defaults (login-throttle.ts). */
export type ThrottleConfig = Pick<
  LoginThrottleOptions,
  'maxAccountFailures' | 'accountMaxDelayMs' | 'maxAddressFailures' | 'addressMaxLockoutMs'
>;

/**
 * Bounds keep the policy meaningful: at least 3 free account failures (typos happen), never more
 * than 100 (else there is no throttle); delays capped at 30 min so the account counter (forgotten
 * after an hour of quiet) always outlives its delay, and no lockout exceeds an hour ("not forever").
 */
export function readThrottleConfig(env: EnvReader): ThrottleConfig {
  const maxDelaySeconds = env.int('LOGIN_MAX_DELAY_SECONDS', 300, 1, 1_800);
  const maxLockoutSeconds = env.int('LOGIN_MAX_ADDRESS_LOCKOUT_SECONDS', 900, 60, 3_600);
  return {
    maxAccountFailures: env.int('LOGIN_MAX_ACCOUNT_FAILURES', 5, 3, 100),
    accountMaxDelayMs: maxDelaySeconds * 1_000,
    maxAddressFailures: env.int('LOGIN_MAX_ADDRESS_FAILURES', 20, 5, 10_000),
    addressMaxLockoutMs: maxLockoutSeconds * 1_000,
  };
}

/** How many password checks one client address may have running at once. */
export function readLoginGuardConfig(env: EnvReader): Pick<LoginGuardOptions, 'maxConcurrentPerAddress'> {
  return { maxConcurrentPerAddress: env.int('LOGIN_MAX_CONCURRENT_PER_ADDRESS', 16, 1, 1000) };
}

/**
 * Register's own budget: a few accounts per client address per hour (a household or an office
 * behind one NAT still fits), and a fleet-wide rate that a storm from many addresses cannot pass
 * (shared by every worker and replica through the auth store).
 */
export function readRegisterLimitsConfig(env: EnvReader): RegisterLimitOptions {
  return {
    perAddressPerHour: env.int('REGISTER_PER_ADDRESS_PER_HOUR', 20, 1, 1_000_000),
    perAddressBurst: env.int('REGISTER_BURST_PER_ADDRESS', 5, 1, 1_000_000),
    perMinute: env.int('REGISTER_PER_MINUTE', 60, 1, 1_000_000),
  };
}
