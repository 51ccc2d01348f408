import { createSecretKey, randomUUID } from 'node:crypto';
import {
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ClientReadableStream,
  type ServiceDefinition,
  type ServerInterceptor,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import jwt from 'jsonwebtoken';
import { sharedSecretKey, StaticKeySet, tokenVerifier } from '../../dist/index.js';

/**
 * A plain grpc-js Server with an echo service, in the style of grpc-js's own interceptor tests:
 * messages are JSON, so no code generation is needed. `/test.Echo/Say` is unary, `/test.Echo/Watch`
 * a server stream.
 */
export interface Echo {
  readonly text: string;
}

export const SAY = '/test.Echo/Say';
export const WATCH = '/test.Echo/Watch';

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
};

export const ECHO_SERVICE: ServiceDefinition = {
  say: { path: SAY, requestStream: false, responseStream: false, requestSerialize: json.serialize, requestDeserialize: json.deserialize, responseSerialize: json.serialize, responseDeserialize: json.deserialize },
  watch: { path: WATCH, requestStream: false, responseStream: true, requestSerialize: json.serialize, requestDeserialize: json.deserialize, responseSerialize: json.serialize, responseDeserialize: json.deserialize },
};

/** Encodes an Echo as the wire would (for live streams' byte budgets). */
export const EchoMessage = { encode: (m: Echo) => ({ finish: () => new Uint8Array(json.serialize(m)) }) };

export interface RunningEcho {
  readonly address: string;
  readonly client: EchoClient;
  stop(): Promise<void>;
}

export async function startEcho(interceptors: ServerInterceptor[], implementation: UntypedServiceImplementation, options: Record<string, number> = {}): Promise<RunningEcho> {
  const server = new Server({ interceptors, ...options });
  server.addService(ECHO_SERVICE, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  const address = `127.0.0.1:${port}`;
  const client = new EchoClient(address);
  return {
    address,
    client,
    stop: () =>
      new Promise<void>((resolve) => {
        client.close();
        server.forceShutdown();
        resolve();
      }),
  };
}

export class EchoClient {
  private readonly client: Client;

  constructor(address: string) {
    this.client = new Client(address, credentials.createInsecure());
  }

  say(text: string, metadata = new Metadata(), deadline?: number): Promise<{ reply: Echo; trailers: Metadata }> {
    return new Promise((resolve, reject) => {
      let trailers = new Metadata();
      const call = this.client.makeUnaryRequest(SAY, json.serialize, json.deserialize as (b: Buffer) => Echo, { text }, metadata, deadline ? { deadline } : {}, (err, reply) =>
        err ? reject(err) : resolve({ reply: reply!, trailers }),
      );
      call.on('status', (s) => (trailers = s.metadata));
    });
  }

  watch(text: string, metadata = new Metadata()): ClientReadableStream<Echo> {
    return this.client.makeServerStreamRequest(WATCH, json.serialize, json.deserialize as (b: Buffer) => Echo, { text }, metadata);
  }

  close(): void {
    this.client.close();
  }
}

/** Resolves with the error a call failed with (fails the test if it succeeded). */
export async function failure(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected the call to fail');
}

/** Every message of a stream and the status it ended with. */
export function drain(stream: ClientReadableStream<Echo>): Promise<{ messages: Echo[]; error: ServiceError | undefined }> {
  const messages: Echo[] = [];
  return new Promise((resolve) => {
    stream.on('data', (m: Echo) => messages.push(m));
    stream.on('error', (error: ServiceError) => resolve({ messages, error }));
    stream.on('end', () => resolve({ messages, error: undefined }));
  });
}

export const ISSUER = 'kit-tests';
export const AUDIENCE = 'kit-tests';
const SECRET = 'kit-test-shared-secret-0123456789abcdef';

/** Verifies the tokens `token()` signs. */
export const verify = tokenVerifier({ keys: new StaticKeySet([sharedSecretKey(SECRET)]), issuer: ISSUER, audience: AUDIENCE, clockSkewSeconds: 0 });

/** A signed user token, as auth-svc issues them. */
export function token(subject = 'alice', opts: { sessionId?: string; expiresInSeconds?: number; typ?: 'user' | 'service'; scope?: string } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    sub: subject,
    jti: randomUUID(),
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + (opts.expiresInSeconds ?? 300),
    typ: opts.typ ?? 'user',
    roles: [],
  };
  if (opts.sessionId) claims.sid = opts.sessionId;
  if (opts.scope) claims.scope = opts.scope;
  return jwt.sign(claims, createSecretKey(Buffer.from(SECRET, 'utf8')), { algorithm: 'HS256', keyid: sharedSecretKey(SECRET).kid });
}

export function bearer(value: string, extra: Record<string, string> = {}): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${value}`);
  for (const [k, v] of Object.entries(extra)) metadata.set(k, v);
  return metadata;
}
