/** Messages between the bench (main thread) and its load workers. */
export interface LoadJob {
  readonly type: 'run';
  readonly address: string;
  /** Full method path, e.g. `/business.v1.NotesService/GetNote`. */
  readonly path: string;
  /** Requests, serialized once by the main thread (workers neither encode nor decode), sent in turn. */
  readonly requests: readonly Uint8Array[];
  readonly token: string | undefined;
  /** Calls kept in flight by this worker. */
  readonly concurrency: number;
  /** Calls started before this are not measured. */
  readonly warmupMs: number;
  /** Measured window; also the hard time bound (with warm-up). */
  readonly durationMs: number;
  /** Stop after this many calls, whatever the time. */
  readonly maxCalls: number;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly ok: number; readonly failed: number }
  | {
      readonly type: 'done';
      readonly ok: number;
      /** gRPC status code → count, for calls that did not end OK. */
      readonly errors: Record<string, number>;
      /** Measured window actually covered, ms. */
      readonly elapsedMs: number;
      readonly histogram: Uint32Array;
    };
