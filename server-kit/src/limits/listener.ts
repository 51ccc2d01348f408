import type { Server, ServerCredentials } from '@grpc/grpc-js';
import { createServer, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../observability/logger.js';
import { clientAddress } from './client-address.js';
import { KeyedSlots } from './keyed-slots.js';

export interface ConnectionLimits {
  /** Open connections in all / from one client address; more are closed at accept. */
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  /** A connection that has not sent a byte within this long is closed (slowloris). */
  readonly handshakeTimeoutMs: number;
}

export interface Listener {
  readonly port: number;
  /** Open connections, in all and per client address. */
  readonly connections: KeyedSlots;
  /** Stops accepting connections (open ones are drained by the gRPC server's shutdown). */
  close(): Promise<void>;
}

/** At most one "connection refused" warning per this many ms, so a flood cannot flood the log. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * We own the listening socket and hand accepted connections to grpc-js (its public connection
 * injector), because grpc-js has no connection limits of its own: over a limit a connection is
 * closed at accept, before any HTTP/2 state exists for it. Works under node:cluster like any
 * net.Server (the primary distributes connections).
 */
export function listenWithLimits(
  server: Server,
  credentials: ServerCredentials,
  address: { readonly host: string; readonly port: number },
  limits: ConnectionLimits,
  log: Logger = silentLogger,
): Promise<Listener> {
  const injector = server.createConnectionInjector(credentials);
  const connections = new KeyedSlots(limits.maxConnections, limits.maxConnectionsPerAddress);
  let refused = 0;
  let lastRefusalLog = -Infinity;

  const onConnection = (socket: Socket) => {
    const peer = clientAddress(socket.remoteAddress ?? 'unknown');
    const verdict = connections.tryAcquire(peer);
    if (verdict !== 'ok') {
      refused++;
      socket.destroy();
      if (Date.now() - lastRefusalLog >= REFUSAL_LOG_INTERVAL_MS) {
        lastRefusalLog = Date.now();
        log.warn({ limit: verdict === 'total' ? 'MAX_CONNECTIONS' : 'MAX_CONNECTIONS_PER_ADDRESS', refused }, 'connection refused: limit reached');
      }
      return;
    }
    socket.once('close', () => connections.release(peer));
    // A connection that never speaks (slowloris) is closed; reading bytesRead adds no listener.
    const handshake = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, limits.handshakeTimeoutMs);
    handshake.unref();
    socket.once('close', () => clearTimeout(handshake));
    // Resets from peers surface here; grpc-js handles the session's own errors.
    socket.on('error', () => undefined);
    injector.injectConnection(socket);
  };

  const net = createServer({ noDelay: true }, onConnection);
  return new Promise((resolve, reject) => {
    net.once('error', reject);
    net.listen({ host: address.host, port: address.port, exclusive: false }, () => {
      net.off('error', reject);
      net.on('error', (err) => log.error({ err: err.message }, 'listener error'));
      const bound = net.address();
      resolve({
        port: typeof bound === 'object' && bound ? bound.port : address.port,
        connections,
        close: () => new Promise<void>((done) => net.close(() => done())),
      });
    });
  });
}
