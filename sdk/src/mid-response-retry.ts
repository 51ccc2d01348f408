import {
  InterceptingCall,
  status,
  type Interceptor,
  type InterceptorOptions,
  type InterceptingListener,
  type Metadata,
  type NextCall,
  type StatusObject,
} from '@grpc/grpc-js';
import { IDEMPOTENT_METHODS } from './idempotent-methods.js';

/** grpc-js does not export this interface; it is what `nextCall` returns. */
type InterceptingCallInterface = ReturnType<NextCall>;

/** Extra attempts after a replica died mid-response. */
export const MID_RESPONSE_RETRIES = 2;

/**
 * Covers the one case grpc-js's retry policy cannot: a replica that sent response headers
 * and then died. grpc-js commits a call once headers arrive and never retries it after,
 * so such a call fails with UNAVAILABLE although another replica would answer it. For
 * the unary `methods` only (paths; by default those our protos mark idempotent), this runs it again (same metadata, message and
 * deadline; the response of the failed attempt is discarded). Failures without headers
 * are left to the retry policy, so attempts do not multiply.
 */
export function midResponseRetryInterceptor(methods: readonly string[] = IDEMPOTENT_METHODS, retries = MID_RESPONSE_RETRIES): Interceptor {
  const retried = new Set(methods);
  return (options, nextCall) => {
    const method = options.method_definition;
    if (!retried.has(method.path) || method.requestStream || method.responseStream) return new InterceptingCall(nextCall(options));
    return new InterceptingCall(new RetryingUnaryCall(options, nextCall, retries));
  };
}

class RetryingUnaryCall implements InterceptingCallInterface {
  private current: InterceptingCallInterface;
  private metadata: Metadata | undefined;
  private listener: Partial<InterceptingListener> | undefined;
  private message: { value: unknown } | undefined;
  private halfClosed = false;
  private cancelled = false;

  constructor(
    private readonly options: InterceptorOptions,
    private readonly nextCall: NextCall,
    private retriesLeft: number,
  ) {
    this.current = nextCall(options);
  }

  start(metadata: Metadata, listener?: Partial<InterceptingListener>): void {
    this.metadata = metadata.clone(); // the next attempt sends the same headers
    this.listener = listener;
    this.attempt(this.current, metadata);
  }

  private attempt(call: InterceptingCallInterface, metadata: Metadata): void {
    // Held back until the attempt's outcome is known, so the caller sees one attempt only.
    let headers: Metadata | undefined;
    let response: { value: unknown } | undefined;
    call.start(metadata, {
      onReceiveMetadata: (md) => (headers = md),
      onReceiveMessage: (value) => (response = { value }),
      onReceiveStatus: (result: StatusObject) => {
        if (result.code === status.UNAVAILABLE && headers && this.retriesLeft > 0 && !this.cancelled) {
          this.retriesLeft--;
          this.retry();
          return;
        }
        if (headers) this.listener?.onReceiveMetadata?.(headers);
        if (response) this.listener?.onReceiveMessage?.(response.value);
        this.listener?.onReceiveStatus?.(result);
      },
    });
  }

  private retry(): void {
    this.current = this.nextCall(this.options);
    this.attempt(this.current, this.metadata!.clone());
    if (this.message) this.current.sendMessage(this.message.value);
    if (this.halfClosed) this.current.halfClose();
  }

  sendMessageWithContext(context: Parameters<InterceptingCallInterface['sendMessageWithContext']>[0], message: unknown): void {
    this.message = { value: message };
    this.current.sendMessageWithContext(context, message);
  }

  sendMessage(message: unknown): void {
    this.message = { value: message };
    this.current.sendMessage(message);
  }

  halfClose(): void {
    this.halfClosed = true;
    this.current.halfClose();
  }

  startRead(): void {
    this.current.startRead();
  }

  cancelWithStatus(code: status, details: string): void {
    this.cancelled = true;
    this.current.cancelWithStatus(code, details);
  }

  getPeer(): string {
    return this.current.getPeer();
  }

  getAuthContext(): ReturnType<InterceptingCallInterface['getAuthContext']> {
    return this.current.getAuthContext();
  }
}
