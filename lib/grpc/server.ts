import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { createServerInterceptor, type Authenticate } from '@grpc-token-auth/server-kit';
import type { Logger } from '../log/logger.js';
import type { RpcMetrics } from '../metrics/rpc-metrics.js';
import { addReflection } from './reflection-service.js';

export interface ServiceRegistration {
  /** Fully-qualified protobuf name, e.g. `auth.v1.AuthService` (health and reflection use it). */
  readonly name: string;
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly services: readonly ServiceRegistration[];
  readonly authenticate: Authenticate;
  readonly log: Logger;
  readonly credentials?: ServerCredentials;
  /** Runs when shutdown starts, before draining: end long-lived streams here. */
  readonly beforeDrain?: () => void;
  /** Per-RPC metrics; undefined = off. */
  readonly metrics?: RpcMetrics;
}

export interface RunningServer {
  readonly port: number;
  /** Stops accepting calls, lets running calls finish for up to `graceMs`, then cancels the rest. */
  shutdown(graceMs: number): Promise<void>;
}

export async function startGrpcServer(opts: GrpcServerOptions): Promise<RunningServer> {
  const server = new Server({
    interceptors: [createServerInterceptor({ authenticate: opts.authenticate, log: opts.log, metrics: opts.metrics })],
    // Bounded request size: nothing in our contracts comes close to 1 MiB.
    'grpc.max_receive_message_length': 1024 * 1024,
  });
  for (const s of opts.services) server.addService(s.definition, s.implementation);

  const names = opts.services.map((s) => s.name);
  const healthNames = ['', ...names]; // '' is the whole server
  const health = new HealthImplementation(Object.fromEntries(healthNames.map((n) => [n, 'SERVING' as const])));
  health.addToServer(server);
  addReflection(server, names);

  const port = await bind(server, opts.host, opts.port, opts.credentials ?? ServerCredentials.createInsecure());

  return {
    port,
    shutdown: (graceMs) =>
      new Promise<void>((resolve) => {
        for (const n of healthNames) health.setStatus(n, 'NOT_SERVING');
        opts.beforeDrain?.();
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function bind(server: Server, host: string, port: number, creds: ServerCredentials): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, boundPort) => (err ? reject(err) : resolve(boundPort)));
  });
}
