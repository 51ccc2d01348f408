import type { EnvReader } from './env-reader.js';

export interface ListenConfig {
  readonly host: string;
  readonly port: number;
}

/** `<PREFIX>_HOST` / `<PREFIX>_PORT`; loopback by default so a dev machine exposes nothing. */
export function readListenConfig(env: EnvReader, prefix: string, defaultPort: number): ListenConfig {
  return {
    host: env.string(`${prefix}_HOST`, '127.0.0.1'),
    port: env.int(`${prefix}_PORT`, defaultPort, 0, 65535),
  };
}

/** The port value that turns an optional listener (metrics, HTTP) off. */
export const LISTENER_OFF = 'off';

/**
 * `<NAME>_HOST` / `<NAME>_PORT` for a listener that may be switched off (`<NAME>_PORT=off`):
 * undefined when off. Loopback by default; port 0 picks a free one.
 */
export function readOptionalListenConfig(env: EnvReader, name: string, defaultPort: number): ListenConfig | undefined {
  const portName = `${name}_PORT`;
  const raw = env.optional(portName)?.trim();
  if (raw?.toLowerCase() === LISTENER_OFF) return undefined;
  let port = defaultPort;
  if (raw !== undefined) {
    port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
    if (!(port <= 65535)) {
      env.problem(`${portName} must be a port from 0 to 65535, or "${LISTENER_OFF}" (got "${raw}")`);
      port = defaultPort;
    }
  }
  return { host: env.string(`${name}_HOST`, '127.0.0.1'), port };
}
