import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../log/logger.js';

/** What a route answers; the server adds only `content-length` (and drops the body for HEAD). */
export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a route may read of a request: nothing a client could make large (headers are size-capped). */
export interface HttpRequestView {
  readonly headers: IncomingHttpHeaders;
  /** The address and port the client connected to (what it typed, without a proxy in between). */
  readonly local: { readonly address: string; readonly port: number };
}

export type HttpRoute = (req: HttpRequestView) => HttpReply | Promise<HttpReply>;

/**
 * Limits on what one client can make the listener hold. Defaults suit read-only
 * endpoints answered from memory (metrics, discovery, JWKS); tests shrink them.
 */
export interface HttpLimits {
  /** Request line plus headers, bytes (larger: 431). */
  readonly maxHeaderBytes: number;
  /** Time to receive the headers (slowloris). */
  readonly headersTimeoutMs: number;
  /** Time to receive the whole request. */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Any connection with no traffic for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Open connections in total; more are closed at once. */
  readonly maxConnections: number;
  /** Open connections from one client address; more are closed at once. */
  readonly maxConnectionsPerAddress: number;
  /** Requests served on one keep-alive connection before it is closed. */
  readonly maxRequestsPerConnection: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxHeaderBytes: 8 * 1024,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  maxConnections: 256,
  maxConnectionsPerAddress: 32,
  maxRequestsPerConnection: 100,
};

export interface BoundedHttpServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly log: Logger;
  /** Exact paths (query strings ignored); each answers GET and HEAD only. */
  readonly routes: Readonly<Record<string, HttpRoute>>;
  readonly limits?: Partial<HttpLimits>;
}

export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

/**
 * A small read-only HTTP listener (node:http): exact-path GET/HEAD routes, 404 for other
 * paths, 405 for other methods, 413 for requests that carry a body, and limits on time,
 * header size and connections so a hostile client cannot hold resources without bound.
 * Route failures answer 500 without echoing the error.
 */
export async function startBoundedHttpServer(opts: BoundedHttpServerOptions): Promise<RunningHttpServer> {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...opts.limits };
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often the two timeouts above are enforced (Node's default, 30 s, would stretch them).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  });
  server.maxConnections = limits.maxConnections;
  server.maxRequestsPerSocket = limits.maxRequestsPerConnection;
  server.setTimeout(limits.idleTimeoutMs, (socket) => socket.destroy());
  limitConnectionsPerAddress(server, limits.maxConnectionsPerAddress);

  server.on('request', (req, res) => {
    const route = Object.hasOwn(opts.routes, pathOf(req.url)) ? opts.routes[pathOf(req.url)] : undefined;
    const send = (reply: HttpReply, close = false) => {
      // A 304 must not claim a length other than the 200's (RFC 9110 §8.6), so it claims none.
      const length = reply.status === 304 ? {} : { 'content-length': String(Buffer.byteLength(reply.body)) };
      const head = { ...reply.headers, ...length, ...(close ? { connection: 'close' } : {}) };
      res.writeHead(reply.status, head).end(req.method === 'HEAD' ? undefined : reply.body);
    };
    if (!route) return send({ status: 404, headers: TEXT, body: 'not found\n' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send({ status: 405, headers: { ...TEXT, allow: 'GET, HEAD' }, body: 'method not allowed\n' });
    }
    // GET has no body: refuse one rather than read (or drain) whatever a client streams.
    if (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0) {
      return send({ status: 413, headers: TEXT, body: 'a request body is not accepted\n' }, true);
    }
    const local = { address: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0 };
    Promise.resolve()
      .then(() => route({ headers: req.headers, local }))
      .then(
        (reply) => send(reply),
        (err: unknown) => {
          opts.log.error({ err: String(err), path: pathOf(req.url) }, 'http route failed');
          send({ status: 500, headers: TEXT, body: 'internal error\n' });
        },
      );
  });
  // Malformed requests and oversized headers: answer (431/400) and close; never crash.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const code = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${code}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  const port = await listen(server, opts.host, opts.port);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive clients would otherwise hold shutdown
      }),
  };
}

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

/** Closes connections beyond `max` from one remote address (one client cannot take every slot). */
function limitConnectionsPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
