import type { Deadline } from '@grpc/grpc-js';

/**
 * The deadline for a downstream call made while serving a caller: our own cap, but
 * never later than the caller's deadline minus `reserveMs`, so there is still time to
 * answer the caller (possibly degraded) when the downstream call runs out.
 * Undefined when no useful time is left.
 */
export function downstreamDeadline(caller: Deadline, now: number, capMs: number, reserveMs: number): number | undefined {
  const callerMs = caller instanceof Date ? caller.getTime() : caller;
  const deadline = Math.min(now + capMs, callerMs - reserveMs);
  return deadline - now >= 1 ? deadline : undefined;
}
