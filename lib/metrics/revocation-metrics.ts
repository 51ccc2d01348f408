import { Counter, Gauge, type Registry } from 'prom-client';

/** What a RevocationWatcher reports, as the callbacks it takes. */
export interface RevocationStreamEvents {
  readonly connected: () => void;
  readonly disconnected: () => void;
}

/** business-svc side: is the revocation stream from auth-svc in sync, and how often was it lost. */
export function revocationStreamMetrics(registry: Registry): RevocationStreamEvents {
  const connected = new Gauge({
    name: 'revocation_stream_connected',
    help: '1 while the revocation stream from auth-svc is in sync (snapshot received), else 0.',
    registers: [registry],
    // Cluster primary: 1 only if every worker is in sync.
    aggregator: 'min',
  });
  const reconnects = new Counter({
    name: 'revocation_stream_reconnects_total',
    help: 'Times the revocation stream was lost and a reconnection was scheduled.',
    registers: [registry],
  });
  connected.set(0);
  return {
    connected: () => connected.set(1),
    disconnected: () => (connected.set(0), reconnects.inc()),
  };
}

/** Sessions currently refused as revoked (both services keep such a list). */
export function exposeRevokedSessions(registry: Registry, list: { readonly size: number }): void {
  const gauge = new Gauge({
    name: 'revoked_sessions',
    help: 'Revoked sessions whose tokens could still be unexpired, as known to this process.',
    registers: [registry],
    aggregator: 'max',
    collect() {
      gauge.set(list.size);
    },
  });
}

/** auth-svc side: open WatchRevocations subscriptions (one per connected business-svc process). */
export function exposeRevocationSubscribers(registry: Registry, streams: { readonly size: number }): void {
  const gauge = new Gauge({
    name: 'revocation_subscribers',
    help: 'Open WatchRevocations streams.',
    registers: [registry],
    collect() {
      gauge.set(streams.size);
    },
  });
}
