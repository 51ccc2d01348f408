import type { EnvReader } from './env-reader.js';

export interface MetricsConfig {
  readonly host: string;
  /** 0 picks a free port (logged as `metrics listening`). */
  readonly port: number;
}

/** The value of `<PREFIX>_METRICS_PORT` that turns the metrics listener (and recording) off. */
export const METRICS_OFF = 'off';

/**
 * `<PREFIX>_METRICS_HOST` / `<PREFIX>_METRICS_PORT`: where Prometheus scrapes `GET /metrics`.
 * Loopback by default, like the gRPC listener; `off` disables metrics. Undefined = off.
 */
export function readMetricsConfig(env: EnvReader, prefix: string, defaultPort: number): MetricsConfig | undefined {
  const portName = `${prefix}_METRICS_PORT`;
  const raw = env.optional(portName)?.trim();
  if (raw?.toLowerCase() === METRICS_OFF) return undefined;
  let port = defaultPort;
  if (raw !== undefined) {
    port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
    if (!(port <= 65535)) {
      env.problem(`${portName} must be a port from 0 to 65535, or "${METRICS_OFF}" (got "${raw}")`);
      port = defaultPort;
    }
  }
  return { host: env.string(`${prefix}_METRICS_HOST`, '127.0.0.1'), port };
}
