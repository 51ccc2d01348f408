import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsConfig } from '../config/metrics-config.js';
import { announce, type Logger } from '../log/logger.js';
import { registryScrape, startMetricsServer, type RunningMetricsServer, type Scrape } from './metrics-server.js';
import { createServiceRegistry } from './registry.js';

export interface ProcessMetrics {
  /** What the service's parts record into. */
  readonly registry: Registry;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Single-process set-up: the process registry plus its `/metrics` listener. Undefined when
 * metrics are off, and then nothing records. Logs `metrics listening` with the bound port
 * even at LOG_LEVEL=warn, as tests and scripts read it (like the `listening` line).
 */
export async function serveProcessMetrics(service: string, config: MetricsConfig | undefined, log: Logger): Promise<ProcessMetrics | undefined> {
  if (!config) return undefined;
  const registry = createServiceRegistry(service);
  const server = await serve(config, log, registryScrape(registry));
  return { registry, port: server.port, close: () => server.close() };
}

/** A cluster worker: records into the process registry, which the primary collects over IPC. */
export function workerRegistry(service: string, config: MetricsConfig | undefined): Registry | undefined {
  if (!config) return undefined;
  // prom-client installs a worker's answer to the primary's metrics requests in this
  // constructor (lib/cluster.js addListeners): without it, clusterMetrics() times out.
  new AggregatorRegistry();
  return createServiceRegistry(service);
}

/** A cluster primary: serves every worker's metrics merged (prom-client's AggregatorRegistry). */
export async function serveClusterMetrics(config: MetricsConfig | undefined, log: Logger): Promise<RunningMetricsServer | undefined> {
  if (!config) return undefined;
  const aggregator = new AggregatorRegistry();
  return serve(config, log, async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() }));
}

/** The `/metrics` listener, announced with its bound port (tests and scripts read that line). */
async function serve(config: MetricsConfig, log: Logger, collect: () => Promise<Scrape>): Promise<RunningMetricsServer> {
  const server = await startMetricsServer({ ...config, log }, collect);
  announce(log, { port: server.port }, 'metrics listening');
  return server;
}
