import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { clientAddress, KeyedSlots } from '@grpc-token-auth/server-kit/internal';
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
  /** Request line plus headers as sent (names, values, separators, line ends), bytes (larger: 431). */
  readonly maxHeaderBytes: number;
  /** Header fields in one request (more: 431). */
  readonly maxHeaderCount: number;
  /** Time to receive the headers (slowloris); then the connection is answered 408 and closed, not left half-open. */
  readonly headersTimeoutMs: number;
  /** Time to receive the whole request. */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Any connection with no traffic for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Open connections in total; more are closed at once. */
  readonly maxConnections: number;
  /** Open connections from one client address (IPv6: one /64, see clientAddress); more are closed at once. */
  readonly maxConnectionsPerAddress: number;
  /**
   * The last this many of `maxConnections` go only to addresses holding no connection yet, so
   * the addresses that filled the rest cannot keep a newcomer out (a verifier fetching its keys).
   */
  readonly reservedConnections: number;
  /** Bits of an IPv6 address that make one client address (64: a subscriber's /64). */
  readonly ipv6PrefixLength: number;
  /** Requests served on one keep-alive connection before it is closed. */
  readonly maxRequestsPerConnection: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxHeaderBytes: 8 * 1024,
  maxHeaderCount: 64,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  maxConnections: 256,
  // 24 addresses at their cap fill the unreserved 192; the reserve then takes 64 more newcomers.
  maxConnectionsPerAddress: 8,
  reservedConnections: 64,
  ipv6PrefixLength: 64,
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
/** Longest wait for an error answer to reach a client that does not read, before the socket is destroyed anyway. */
const CLOSE_GRACE_MS = 1000;

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
  // Beyond this Node drops headers silently; one more than allowed is enough to tell "too many".
  server.maxHeadersCount = limits.maxHeaderCount + 1;
  server.maxRequestsPerSocket = limits.maxRequestsPerConnection;
  server.setTimeout(limits.idleTimeoutMs, (socket) => socket.destroy());
  limitConnections(server, limits);

  server.on('request', (req, res) => {
    // Node's own cap (maxHeaderSize) counts names and values only: 1,500 one-letter headers pass it.
    if (req.rawHeaders.length / 2 > limits.maxHeaderCount || headerBytes(req) > limits.maxHeaderBytes) {
      return void res.writeHead(431, { ...TEXT, connection: 'close' }).end('request header fields too large\n');
    }
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
  // Malformed requests, oversized headers, timeouts: answer (431/400/408) and close; never crash.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const code = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    // Closed outright once the answer is out: the server is half-open (allowHalfOpen), so a plain
    // end() would keep the slot until a client that never reads or closes hits the idle timer.
    socket.end(`HTTP/1.1 ${code}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy());
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
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

/** The request line and header block as sent: "METHOD url HTTP/x.y", then "name: value" lines, CRLFs included. */
function headerBytes(req: IncomingMessage): number {
  let bytes = (req.method ?? '').length + (req.url ?? '').length + 12; // " ", " HTTP/1.1", CRLF
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) bytes += raw[i]!.length + raw[i + 1]!.length + 4; // ": ", CRLF
  return bytes + 2; // the blank line
}

/**
 * Connection slots: at most `maxConnections`, `maxConnectionsPerAddress` per client address,
 * and above `maxConnections - reservedConnections` only for an address that holds none. More
 * are closed at accept.
 */
function limitConnections(server: Server, limits: HttpLimits): void {
  const slots = new KeyedSlots(limits.maxConnections, limits.maxConnectionsPerAddress);
  const unreserved = Math.max(0, limits.maxConnections - limits.reservedConnections);
  server.on('connection', (socket: Socket) => {
    const address = clientAddress(socket.remoteAddress ?? '', limits.ipv6PrefixLength);
    const perAddress = slots.held >= unreserved ? 1 : limits.maxConnectionsPerAddress;
    if (slots.tryAcquire(address, perAddress) !== 'ok') {
      socket.destroy();
      return;
    }
    socket.once('close', () => slots.release(address));
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
