import { isProduction, NODE_ENV_VALUES, readNodeEnv } from './node-env.js';

/** Thrown at start-up with every configuration problem found, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads environment variables, collecting problems so the operator sees them all at once. */
export class EnvReader {
  private readonly problems: string[] = [];
  private readonly warnings: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {
    const nodeEnv = readNodeEnv(env.NODE_ENV);
    if (!nodeEnv.ok) {
      this.problems.push(`NODE_ENV must be one of ${NODE_ENV_VALUES.join(', ')} or unset (got "${nodeEnv.raw}"); production rules apply until it is`);
    }
  }

  /** NODE_ENV=production (any case, surrounding blanks ignored) turns dev defaults into start-up errors; see readNodeEnv. */
  get production(): boolean {
    return isProduction(this.env.NODE_ENV);
  }

  string(name: string, fallback: string): string {
    const raw = this.env[name];
    return raw === undefined || raw === '' ? fallback : raw;
  }

  optional(name: string): string | undefined {
    const raw = this.env[name];
    return raw === undefined || raw === '' ? undefined : raw;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN; // no hex, exponents or blanks
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.string(name, fallback);
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  }

  /** A secret with a development fallback that is refused in production. */
  secret(name: string, devDefault: string, minBytes: number): string {
    const raw = this.optional(name);
    if (raw === undefined) {
      if (this.production) this.problems.push(`${name} must be set in production (the built-in dev default is public)`);
      else this.warnings.push(`${name} is not set: using the PUBLIC DEVELOPMENT DEFAULT. Never do this in production.`);
      return devDefault;
    }
    if (Buffer.byteLength(raw, 'utf8') < minBytes) this.problems.push(`${name} must be at least ${minBytes} bytes`);
    if (this.production && raw === devDefault) this.problems.push(`${name} must not be the development default in production`);
    return raw;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Logged at start-up; for settings that are allowed but unwise (e.g. plaintext in production). */
  warning(message: string): void {
    this.warnings.push(message);
  }

  /** Throws ConfigError if anything was wrong; returns the warnings to log. */
  finish(): readonly string[] {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return this.warnings;
  }
}
