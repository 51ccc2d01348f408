import { Client, Metadata, status, type CallOptions as GrpcCallOptions, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { ClientError } from './errors.js';

/** What ts-proto emits for each message (`MessageFns<T>`), as far as the SDK uses it. */
export interface MessageType<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: never): T;
}

/** One method of a ts-proto generic service definition (`outputServices=generic-definitions`). */
export interface MethodDefinition {
  readonly name: string;
  readonly requestType: MessageType<unknown>;
  readonly responseType: MessageType<unknown>;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  /** The method's options in the proto; `idempotencyLevel` decides whether the SDK may retry it. */
  readonly options?: { readonly idempotencyLevel?: string | undefined } | undefined;
}

export interface ServiceDefinition {
  readonly fullName: string;
  readonly methods: Readonly<Record<string, MethodDefinition>>;
}

type Builtin = Date | Function | Uint8Array | string | number | boolean | bigint | undefined | null;

/** A request with any field left out: proto3 defaults are filled in (`fromPartial`). */
export type DeepPartial<T> = T extends Builtin
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepPartial<U>[]
    : T extends object
      ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
      : Partial<T>;

export interface CallOptions {
  /** Absolute deadline (a Date or epoch ms). */
  readonly deadline?: Date | number | undefined;
  /** Deadline relative to now, ms (used when `deadline` is not given). */
  readonly timeoutMs?: number | undefined;
  /** Cancels the call: it rejects (or the stream throws) with CANCELLED. */
  readonly signal?: AbortSignal | undefined;
  readonly metadata?: Metadata | undefined;
  /** Passed to grpc-js as they are, e.g. `parent` and `propagate_flags` (see the server kit's onBehalfOf). */
  readonly callOptions?: Partial<GrpcCallOptions> | undefined;
}

/** A server stream: iterate with `for await`; leaving the loop early cancels the call. */
export interface ServerStream<T> extends AsyncIterable<T> {
  /** The server's response headers: the subscription is in place. Rejects if the call fails first. */
  readonly headers: Promise<Metadata>;
  cancel(): void;
}

type RequestOf<M> = M extends { requestType: { decode(input: Uint8Array): infer T } } ? T : never;
type ResponseOf<M> = M extends { responseType: { decode(input: Uint8Array): infer T } } ? T : never;

type MethodCall<M> = M extends { responseStream: true }
  ? (request: DeepPartial<RequestOf<M>>, options?: CallOptions) => ServerStream<ResponseOf<M>>
  : (request: DeepPartial<RequestOf<M>>, options?: CallOptions) => Promise<ResponseOf<M>>;

/**
 * A promise client for every unary and server-streaming method of a service, typed from
 * its generated definition. Client-streaming methods (none in our contracts) are left out.
 */
export type PromiseClient<S extends ServiceDefinition> = {
  readonly [K in keyof S['methods'] as S['methods'][K] extends { requestStream: true } ? never : K]: MethodCall<S['methods'][K]>;
} & {
  /** Closes the channel; calls in flight fail with CANCELLED or UNAVAILABLE. */
  close(): void;
};

/** Messages a slow stream reader may have queued before the SDK stops reading from the network. */
const STREAM_HIGH_WATER = 64;

/** Builds the promise client of `service` on a grpc-js channel (`client` is closed by `close()`). */
export function promiseClient<S extends ServiceDefinition>(service: S, client: Client): PromiseClient<S> {
  const methods: Record<string, unknown> = { close: () => client.close() };
  for (const [key, method] of Object.entries(service.methods)) {
    if (key === 'close') throw new TypeError(`${service.fullName} has a method named close, which the SDK client reserves`);
    if (method.requestStream) continue;
    const path = `/${service.fullName}/${method.name}`;
    const serialize = (value: unknown) => Buffer.from(method.requestType.encode(value).finish());
    const deserialize = (bytes: Buffer) => method.responseType.decode(bytes);
    const message = (request: unknown) => method.requestType.fromPartial(request as never);
    methods[key] = method.responseStream
      ? (request: unknown, options: CallOptions = {}) => {
          const call = client.makeServerStreamRequest(path, serialize, deserialize, message(request), metadataOf(options), grpcOptions(options));
          return streamOf(call, path, options.signal);
        }
      : (request: unknown, options: CallOptions = {}) =>
          new Promise((resolve, reject) => {
            if (options.signal?.aborted) return reject(cancelled(path));
            const onAbort = () => call.cancel();
            const call = client.makeUnaryRequest(path, serialize, deserialize, message(request), metadataOf(options), grpcOptions(options), (err: ServiceError | null, res?: unknown) => {
              options.signal?.removeEventListener('abort', onAbort);
              if (err) reject(ClientError.from(err, path));
              else resolve(res);
            });
            options.signal?.addEventListener('abort', onAbort, { once: true });
          });
  }
  return methods as PromiseClient<S>;
}

function metadataOf(options: CallOptions): Metadata {
  return options.metadata?.clone() ?? new Metadata();
}

function grpcOptions(options: CallOptions): Partial<GrpcCallOptions> {
  const deadline = options.deadline ?? (options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs);
  return deadline === undefined ? { ...options.callOptions } : { ...options.callOptions, deadline };
}

function cancelled(method: string): ClientError {
  return new ClientError(status.CANCELLED, 'cancelled before the call started', { method });
}

/** Adapts a grpc-js readable stream to an async iterable, pausing the network read while the reader lags. */
function streamOf<T>(call: ClientReadableStream<T>, method: string, signal: AbortSignal | undefined): ServerStream<T> {
  const queue: T[] = [];
  let failure: ClientError | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  let gotHeaders!: (headers: Metadata) => void;
  let noHeaders!: (err: ClientError) => void;
  const headers = new Promise<Metadata>((resolve, reject) => ((gotHeaders = resolve), (noHeaders = reject)));
  headers.catch(() => {}); // the failure is also thrown to the reader
  call.once('metadata', gotHeaders);
  const onAbort = () => call.cancel();
  const finish = () => {
    ended = true;
    signal?.removeEventListener('abort', onAbort);
    notify();
  };
  call.on('data', (message: T) => {
    queue.push(message);
    if (queue.length >= STREAM_HIGH_WATER) call.pause();
    notify();
  });
  // Always listened to, so an error after the reader left can never become an uncaught 'error' event.
  call.on('error', (err: unknown) => {
    failure ??= ClientError.from(err, method);
    noHeaders(failure);
    finish();
  });
  call.on('end', finish);
  if (signal?.aborted) call.cancel();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const iterator: AsyncIterator<T> = {
    async next() {
      for (;;) {
        if (queue.length > 0) {
          const value = queue.shift()!;
          if (queue.length === STREAM_HIGH_WATER / 2) call.resume();
          return { value, done: false };
        }
        if (failure) {
          const err = failure;
          failure = undefined;
          throw err;
        }
        if (ended) return { value: undefined, done: true };
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async return() {
      call.cancel();
      queue.length = 0;
      failure = undefined;
      ended = true;
      return { value: undefined, done: true };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator, headers, cancel: () => call.cancel() };
}
