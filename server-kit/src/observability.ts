import type { status } from '@grpc/grpc-js';
import type { FailureReason } from './auth-failure.js';

/** The logger the kit writes to: pino's shape (fields first, then the message), any such logger fits. */
export interface Logger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  isLevelEnabled(level: string): boolean;
}

/** Writes nothing: the default when no logger is given. */
export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  isLevelEnabled: () => false,
};

/** One method's pre-resolved series, so a call records without building label objects. */
export interface MethodMetrics {
  /** One finished call: its status code and how long it took, in seconds. */
  finished(code: status, seconds: number): void;
}

/** Per-RPC recording the server interceptor does, when given one (e.g. Prometheus series). */
export interface RpcMetrics {
  forMethod(method: string): MethodMetrics;
  rejected(reason: FailureReason): void;
}
