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
  if (env.optional(portName)?.trim().toLowerCase() === METRICS_OFF) return undefined;
  return {
    host: env.string(`${prefix}_METRICS_HOST`, '127.0.0.1'),
    port: env.int(portName, defaultPort, 0, 65535),
  };
}
