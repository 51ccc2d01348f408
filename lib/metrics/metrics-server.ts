import type { Registry } from 'prom-client';
import { startBoundedHttpServer, type HttpLimits, type RunningHttpServer } from '../http/bounded-http-server.js';
import type { Logger } from '../log/logger.js';

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly log: Logger;
  readonly limits?: Partial<HttpLimits>;
}

/** One scrape: the exposition text and its content type. */
export interface Scrape {
  readonly contentType: string;
  readonly body: string;
}

export type RunningMetricsServer = RunningHttpServer;

/** What a single process serves: its own registry. (A cluster primary passes AggregatorRegistry.clusterMetrics() instead.) */
export function registryScrape(registry: Registry): () => Promise<Scrape> {
  return async () => ({ contentType: registry.contentType, body: await registry.metrics() });
}

/**
 * Serves `GET /metrics` over plain HTTP for Prometheus, on the bounded listener (404 for
 * other paths, 405 for other methods). `collect` decides what is served, so the same
 * server fits a single process or a cluster primary that aggregates its workers.
 */
export function startMetricsServer(opts: MetricsServerOptions, collect: () => Promise<Scrape>): Promise<RunningMetricsServer> {
  return startBoundedHttpServer({
    ...opts,
    routes: {
      '/metrics': async () => {
        try {
          const { contentType, body } = await collect();
          return { status: 200, headers: { 'content-type': contentType }, body };
        } catch (err) {
          opts.log.error({ err: String(err) }, 'metrics collection failed');
          return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'metrics collection failed\n' };
        }
      },
    },
  });
}
