import cluster from 'node:cluster';
import { ConfigError } from '../config/env-reader.js';
import type { MetricsConfig } from '../config/metrics-config.js';
import type { ProcessConfig } from '../config/process-config.js';
import { routeGrpcLogs } from '../log/grpc-logging.js';
import { cappedLogger, handlerLineCap, type LineCap } from '../log/line-cap.js';
import { announce, createLogger, type Logger } from '../log/logger.js';
import { serveClusterMetrics, serveProcessMetrics, workerRegistry } from '../metrics/process-metrics.js';
import { tuneHeapGrowth } from '../runtime/heap-growth.js';
import { tracingRequested } from '../tracing/tracing-env.js';
import type { Registry } from 'prom-client';
import { runPrimary, type WorkerReady } from './cluster-primary.js';
import type { RunningServer } from './server.js';

export interface ServiceRun {
  readonly server: RunningServer;
  /** Releases what the service owns (databases, timers) after the server stopped. */
  readonly close: () => void | Promise<void>;
}

/** What runService needs of a service's configuration. */
export type ServiceConfig = ProcessConfig & { readonly metrics: MetricsConfig | undefined };

export interface ServiceDefinition<C extends ServiceConfig> {
  /** Reads and validates the configuration (throws ConfigError listing every problem). */
  readonly loadConfig: () => C & { readonly warnings: readonly string[] };
  /**
   * Starts the gRPC server (in each worker when clustered); records metrics into `registry` when
   * given. `lineCap`: the process's one cap on lines clients can cause (grpc-js's own lines share it).
   */
  readonly start: (config: C, log: Logger, registry: Registry | undefined, lineCap: LineCap) => Promise<ServiceRun>;
  /**
   * One-time set-up before workers are forked (schema migrations, first signing key), so
   * that several workers starting at once do not race on it. Not run without a cluster:
   * `start` does the same work then.
   */
  readonly prepare?: (config: C, log: Logger) => Promise<void>;
}

/**
 * Entry-point shell shared by both services: reads config (exit 78 on problems), starts,
 * announces readiness with the bound port (tests and scripts/start read that line), and
 * drains on SIGINT/SIGTERM. With WORKERS > 1 it runs as a node:cluster primary whose
 * workers each start the server on the same port.
 */
export async function runService<C extends ServiceConfig>(name: string, def: ServiceDefinition<C>): Promise<void> {
  tuneHeapGrowth();
  let config: C & { readonly warnings: readonly string[] };
  try {
    config = def.loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const clustered = config.workers > 1;
  const role = !clustered ? {} : cluster.isPrimary ? { role: 'primary' } : { role: 'worker', worker: cluster.worker?.id };
  const log = createLogger(name, config.logLevel).child(role);
  // grpc-js logs some refusals per call (a header it cannot parse): they share the handlers' cap.
  const lineCap = handlerLineCap(log, config.logLinesPerSecond);
  routeGrpcLogs(cappedLogger(log, lineCap));
  if (!cluster.isWorker) for (const w of config.warnings) log.warn(w);

  try {
    await startRole(name, def, config, log, lineCap, clustered);
  } catch (err) {
    // A port in use, an unreadable file, a database that refuses us: one line that says so, no stack.
    const { code, address, port } = err as { code?: unknown; address?: unknown; port?: unknown };
    log.fatal({ err: err instanceof Error ? err.message : String(err), code, address, port }, 'could not start');
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    process.exit(1);
  }
}

async function startRole<C extends ServiceConfig>(
  name: string,
  def: ServiceDefinition<C>,
  config: C,
  log: Logger,
  lineCap: LineCap,
  clustered: boolean,
): Promise<void> {
  if (clustered && cluster.isPrimary) {
    await def.prepare?.(config, log);
    // The primary serves no calls; its /metrics merges every worker's.
    await serveClusterMetrics(config.metrics, log);
    runPrimary({ workers: config.workers, log, shutdownGraceMs: config.shutdownGraceMs, onReady: (port) => announceListening(log, port, config.workers) });
    return;
  }

  // Each process that serves calls exports its own spans (the standard OTEL_* variables); without
  // them the OpenTelemetry SDK is not even loaded.
  const stopTracing = tracingRequested() ? (await import('../tracing/tracing.js')).startTracing(name, log) : undefined;
  if (cluster.isWorker) {
    const run = await def.start(config, log, workerRegistry(name, config.metrics), lineCap);
    log.info({ port: run.server.port, pid: process.pid }, 'worker listening');
    process.send?.({ type: 'ready', port: run.server.port } satisfies WorkerReady);
    drainOnSignal(log, { ...run, close: async () => (await run.close(), await stopTracing?.()) }, config.shutdownGraceMs);
    return;
  }

  const metrics = await serveProcessMetrics(name, config.metrics, log);
  const run = await def.start(config, log, metrics?.registry, lineCap);
  announceListening(log, run.server.port, 1);
  drainOnSignal(log, { ...run, close: async () => (await run.close(), await metrics?.close(), await stopTracing?.()) }, config.shutdownGraceMs);
}

function announceListening(log: Logger, port: number, workers: number): void {
  announce(log, { port, pid: process.pid, workers }, 'listening');
}

function drainOnSignal(log: Logger, run: ServiceRun, shutdownGraceMs: number): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    run.server
      .shutdown(shutdownGraceMs)
      .then(() => run.close())
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
