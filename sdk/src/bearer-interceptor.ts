import { InterceptingCall, Metadata, status, type Interceptor, type InterceptingListener, type StatusObject } from '@grpc/grpc-js';
import { ClientError } from './errors.js';

/** Puts `authorization: Bearer <token>` on `metadata` (a new one when left out) and returns it. */
export function withBearer(token: string, metadata: Metadata = new Metadata()): Metadata {
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** Supplies the token for the next call; may refresh it first. */
export type TokenSource = () => Promise<string> | string;

export interface BearerInterceptorOptions {
  /** Sees the status of every call that was sent (e.g. to notice a revoked session). */
  readonly onStatus?: ((result: StatusObject) => void) | undefined;
}

/**
 * Client interceptor that adds `authorization: Bearer <token>` to every call.
 * (Call credentials cannot be composed with plaintext channels in grpc-js, an
 * interceptor works on both.) If no token can be had, the call fails locally and
 * nothing is sent. While the token is awaited the call's own deadline and
 * cancellation still apply: grpc-js cannot report either for a call not yet started.
 */
export function bearerInterceptor(tokenSource: TokenSource, opts: BearerInterceptorOptions = {}): Interceptor {
  return (options, nextCall) => {
    const call = nextCall(options);
    let waiting: InterceptingListener | undefined;
    let timer: NodeJS.Timeout | undefined;
    /** Ends a call that was never sent, once. */
    const failLocally = (code: status, details: string) => {
      const listener = waiting;
      if (!listener) return;
      waiting = undefined;
      clearTimeout(timer);
      call.cancelWithStatus(code, details); // releases the unstarted call; its listener is not set, so nothing is reported twice
      listener.onReceiveStatus({ code, details, metadata: new Metadata() });
    };
    return new InterceptingCall(call, {
      start(metadata, listener, next) {
        waiting = listener;
        const ms = msUntil(options.deadline);
        if (ms !== Infinity) timer = setTimeout(() => failLocally(status.DEADLINE_EXCEEDED, 'deadline exceeded while waiting for an access token'), ms);
        Promise.resolve()
          .then(tokenSource)
          .then(
            (token) => {
              if (!waiting) return; // deadline passed or cancelled meanwhile
              waiting = undefined;
              clearTimeout(timer);
              withBearer(token, metadata);
              const onStatus = opts.onStatus;
              next(metadata, onStatus ? { onReceiveStatus: (result, nextStatus) => (onStatus(result), nextStatus(result)) } : listener);
            },
            (err: unknown) => {
              const e = ClientError.from(err);
              failLocally(e.code === status.UNKNOWN ? status.UNAUTHENTICATED : e.code, `could not obtain an access token: ${e.details}`);
            },
          );
      },
      cancel(next) {
        failLocally(status.CANCELLED, 'cancelled while waiting for an access token');
        next();
      },
    });
  };
}

function msUntil(deadline: Date | number | undefined): number {
  if (deadline === undefined) return Infinity;
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return at === Infinity ? Infinity : Math.max(0, at - Date.now());
}
