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
