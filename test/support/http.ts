import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One HTTP request to a listener on loopback (a fresh connection each time). */
export function httpRequest(port: number, path: string, opts: HttpRequestOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // Node's client sends a GET body without announcing it unless told its length.
    const headers = opts.body === undefined ? opts.headers : { 'content-length': String(Buffer.byteLength(opts.body)), ...opts.headers };
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * A raw TCP connection, for requests no well-behaved client would send. `halfOpen`: the client
 * does not close its side when the server closes its own (like a client that never reads).
 */
export function rawConnection(port: number, localAddress?: string, opts: { halfOpen?: boolean; host?: string } = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: opts.host ?? '127.0.0.1', localAddress, allowHalfOpen: opts.halfOpen ?? false }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with everything the server sent once it closes the connection (or after `withinMs`, with what came so far). */
export function untilClosed(socket: Socket, withinMs: number): Promise<{ closed: boolean; received: string; afterMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => resolve({ closed: false, received, afterMs: Date.now() - started }), withinMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, received, afterMs: Date.now() - started });
    });
  });
}
