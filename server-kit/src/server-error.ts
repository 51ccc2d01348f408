import { Metadata, status } from '@grpc/grpc-js';

/**
 * The one error whose status reaches the caller: throw it from a handler (through the kit's
 * handler adapters) to end the call with this code, message and trailers. Anything else a
 * handler throws, a downstream call's ClientError included, is answered INTERNAL and logged,
 * so a failure two services away never hands its status or trailers (an
 * `auth-failure-reason: revoked` among them) to your caller by accident. To pass a downstream
 * status on, say so: `throw new ServerError(err.code, err.details)`.
 */
export class ServerError extends Error {
  override readonly name = 'ServerError';

  constructor(
    readonly code: status,
    readonly details: string,
    /** Sent as trailing metadata, e.g. a retry hint. */
    readonly trailers: Readonly<Record<string, string>> = {},
  ) {
    super(details);
  }

  /** What grpc-js sends for it: code, details and the trailers as metadata. */
  toStatus(): { code: status; details: string; metadata: Metadata } {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(this.trailers)) metadata.set(key, value);
    return { code: this.code, details: this.details, metadata };
  }
}
