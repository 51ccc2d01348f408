import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { connect as netConnect } from 'node:net';

/**
 * gRPC over a bare HTTP/2 session, for hostile tests: what a well-behaved client library will
 * not do (never read, send headers grpc-js refuses, undecodable bodies, a chosen source address).
 */
export function rawSession(port: number, opts: { readonly localAddress?: string } = {}): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`, {
      ...(opts.localAddress && { createConnection: () => netConnect({ host: '127.0.0.1', port, localAddress: opts.localAddress }) }),
    });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** A gRPC message frame: uncompressed flag, 4-byte length, the protobuf bytes. */
export function grpcFrame(message: Uint8Array = new Uint8Array()): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  Buffer.from(message).copy(frame, 5);
  return frame;
}

export function rawRequest(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}, body: Buffer = grpcFrame()): ClientHttp2Stream {
  const stream = session.request({
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...headers,
  });
  stream.on('error', () => undefined); // resets are what some tests provoke
  stream.end(body);
  return stream;
}

export interface RawOutcome {
  /** grpc-status from trailers (or trailers-only headers); undefined when the stream was reset. */
  readonly code: number | undefined;
  readonly details: string | undefined;
  /** RST_STREAM code when the server reset the stream. */
  readonly rstCode: number | undefined;
  readonly bytes: number;
}

/** Reads a call to its end: status, or the reset code. */
export function rawOutcome(stream: ClientHttp2Stream): Promise<RawOutcome> {
  return new Promise((resolve) => {
    let headers: IncomingHttpHeaders = {};
    let bytes = 0;
    stream.on('response', (h) => (headers = { ...headers, ...h }));
    stream.on('trailers', (t) => (headers = { ...headers, ...t }));
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('close', () => {
      const code = headers['grpc-status'] === undefined ? undefined : Number(headers['grpc-status']);
      const details = headers['grpc-message'] === undefined ? undefined : decodeURIComponent(String(headers['grpc-message']));
      const rstCode = code === undefined && stream.rstCode !== constants.NGHTTP2_NO_ERROR ? stream.rstCode : undefined;
      resolve({ code, details, rstCode, bytes });
    });
  });
}

/** A unary call on a raw session; resolves with its outcome. */
export function rawCall(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<RawOutcome> {
  return rawOutcome(rawRequest(session, path, headers, body));
}
