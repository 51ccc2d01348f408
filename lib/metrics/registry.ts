import { collectDefaultMetrics, register, type Registry } from 'prom-client';

/**
 * The registry one service process records into: every series carries a `service`
 * label, plus prom-client's process metrics (CPU, memory, event-loop lag, GC).
 *
 * Defaults to prom-client's global registry on purpose: in cluster mode the primary's
 * `AggregatorRegistry.clusterMetrics()` asks each worker for exactly that registry.
 * Call once per process (default metrics may be registered only once per registry).
 */
export function createServiceRegistry(service: string, registry: Registry = register): Registry {
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
