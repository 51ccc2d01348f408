import type { EnvReader } from './env-reader.js';
import { readOptionalListenConfig, type ListenConfig } from './listen-config.js';

/** Where Prometheus scrapes; port 0 picks a free one (logged as `metrics listening`). */
export type MetricsConfig = ListenConfig;

/**
 * `<PREFIX>_METRICS_HOST` / `<PREFIX>_METRICS_PORT`: where Prometheus scrapes `GET /metrics`.
 * Loopback by default, like the gRPC listener; `off` disables metrics. Undefined = off.
 */
export function readMetricsConfig(env: EnvReader, prefix: string, defaultPort: number): MetricsConfig | undefined {
  return readOptionalListenConfig(env, `${prefix}_METRICS`, defaultPort);
}
