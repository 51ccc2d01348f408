import type { EnvReader } from './env-reader.js';

export interface ListenConfig {
  readonly host: string;
  readonly port: number;
}

/** `<PREFIX>_HOST` / `<PREFIX>_PORT`; loopback by default so a dev machine exposes nothing. */
export function readListenConfig(env: EnvReader, prefix: string, defaultPort: number): ListenConfig {
  return {
    host: env.string(`${prefix}_HOST`, '127.0.0.1'),
    port: env.int(`${prefix}_PORT`, defaultPort, 0, 65535),
  };
}
