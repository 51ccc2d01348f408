import { status, type Server } from '@grpc/grpc-js';
import { addToKeyedSet } from '../collections/keyed-sets.js';
import { HealthCheckResponse_ServingStatus as Serving, HealthService, type HealthServer } from '../../gen/grpc/health/v1/health.js';

/** More services than this in one List answer is refused, as grpc-health-check and grpc-go do. */
const MAX_LISTED = 100;

/**
 * `grpc.health.v1.Health` (Check, Watch, List) on the generated code in gen/. The
 * grpc-health-check package does the same but parses health.proto at start with
 * @grpc/proto-loader and protobufjs: ~1.9 MB of heap that every mark-compact walks.
 * Watch streams get a message when a status changes (the protocol's rule), not on every
 * `set`. Unauthenticated Watch streams are capped by the interceptor like any public stream.
 */
export class HealthStatuses {
  private readonly statuses = new Map<string, Serving>();
  private readonly watchers = new Map<string, Set<(s: Serving) => void>>();

  constructor(names: readonly string[], initial: Serving) {
    for (const name of names) this.statuses.set(name, initial);
  }

  set(name: string, serving: Serving): void {
    if (this.statuses.get(name) === serving) return;
    this.statuses.set(name, serving);
    for (const watcher of this.watchers.get(name) ?? []) watcher(serving);
  }

  addToServer(server: Server): void {
    const implementation: HealthServer = {
      check: (call, callback) => {
        const serving = this.statuses.get(call.request.service);
        if (serving === undefined) callback({ code: status.NOT_FOUND, details: `Health status unknown for service ${call.request.service}` });
        else callback(null, { status: serving });
      },
      watch: (call) => {
        const name = call.request.service;
        const watcher = (serving: Serving) => call.write({ status: serving });
        const forget = addToKeyedSet(this.watchers, name, watcher);
        call.on('cancelled', forget);
        call.on('close', forget);
        call.on('error', () => undefined); // the client went away
        watcher(this.statuses.get(name) ?? Serving.SERVICE_UNKNOWN);
      },
      list: (_call, callback) => {
        if (this.statuses.size > MAX_LISTED) {
          callback({ code: status.RESOURCE_EXHAUSTED, details: 'Too many services to list.' });
          return;
        }
        const statuses: Record<string, { status: Serving }> = {};
        for (const [name, serving] of this.statuses) statuses[name] = { status: serving };
        callback(null, { statuses });
      },
    };
    server.addService(HealthService, implementation);
  }
}
