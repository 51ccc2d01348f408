import { InterceptingCall, Metadata, status, type Interceptor } from '@grpc/grpc-js';

/** Supplies the token for the next call; may refresh it first. */
export type TokenSource = () => Promise<string> | string;

/**
 * Client interceptor that adds `authorization: Bearer <token>` to every call.
 * (Call credentials cannot be composed with plaintext channels in grpc-js, an
 * interceptor works on both.) If no token can be had, the call fails locally with
 * UNAUTHENTICATED and nothing is sent.
 */
export function bearerInterceptor(tokenSource: TokenSource): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        Promise.resolve()
          .then(tokenSource)
          .then(
            (token) => {
              metadata.set('authorization', `Bearer ${token}`);
              next(metadata, listener);
            },
            (err: unknown) => {
              const details = `could not obtain an access token: ${err instanceof Error ? err.message : String(err)}`;
              listener.onReceiveStatus({ code: codeOf(err), details, metadata: new Metadata() });
            },
          );
      },
    });
}

function codeOf(err: unknown): status {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && code in status ? code : status.UNAUTHENTICATED;
}
