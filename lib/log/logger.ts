import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';
import { tracingRequested } from '../tracing/tracing-env.js';

export type { Logger };

/**
 * JSON logs, one object per line. Redaction is a second line of defence: code never
 * passes passwords or tokens to the logger in the first place.
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'secret', '*.secret'],
      censor: '[redacted]',
    },
    // With tracing on (OTEL_*), a line written inside a call's span names it; off, no per-line work.
    ...(tracingRequested() ? { mixin: traceIds } : {}),
  };
  // Admin commands log to stderr, so their stdout stays the answer. Services write stdout
  // asynchronously: under load lines written while a write is pending go out together (one
  // syscall, not one per RPC); idle, each line goes out at once; pino flushes what is left at exit.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

/**
 * Readiness lines (`listening`, `metrics listening`): logged at info even when the level is
 * higher (benchmarks run at warn), because scripts and tests wait for them.
 */
export function announce(log: Logger, fields: object, message: string): void {
  (log.isLevelEnabled('info') ? log : log.child({}, { level: 'info' })).info(fields, message);
}

/**
 * `trace_id`/`span_id` of the span active where the line is written (W3C hex, as exported). A new
 * object each time: pino merges the line's own fields into what a mixin returns.
 */
function traceIds(): object {
  const ids = trace.getActiveSpan()?.spanContext();
  return ids && isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}
