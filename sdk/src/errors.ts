import { Metadata, status } from '@grpc/grpc-js';

/**
 * The one error every SDK call rejects with: the gRPC status `code` (compare with the
 * re-exported `status` enum), the server's `details`, and its trailing `metadata`
 * (e.g. `retry-after-seconds` on RESOURCE_EXHAUSTED).
 */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly metadata: Metadata;
  /** Full method path (`/business.v1.NotesService/ListNotes`); empty for failures outside a call. */
  readonly method: string;

  constructor(
    readonly code: status,
    readonly details: string,
    opts: { readonly method?: string; readonly metadata?: Metadata } = {},
  ) {
    super(`${status[code] ?? code}: ${details}`);
    this.method = opts.method ?? '';
    this.metadata = opts.metadata ?? new Metadata();
  }

  /** A grpc-js ServiceError (or anything thrown on the way) as a ClientError. */
  static from(err: unknown, method = ''): ClientError {
    if (err instanceof ClientError) return err;
    const e = err as { code?: unknown; details?: unknown; metadata?: unknown } | null;
    const code = typeof e?.code === 'number' && e.code in status ? (e.code as status) : status.UNKNOWN;
    const details = typeof e?.details === 'string' ? e.details : err instanceof Error ? err.message : String(err);
    return new ClientError(code, details, { method, metadata: e?.metadata instanceof Metadata ? e.metadata : undefined });
  }
}

/**
 * Trailer the server kit adds to every call it refuses, naming the reason (`revoked`,
 * `expired`, …), so clients can act on it without parsing the message.
 */
export const REFUSAL_REASON_KEY = 'auth-failure-reason';
