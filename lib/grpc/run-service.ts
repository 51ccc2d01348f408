import { ConfigError } from '../config/env-reader.js';
import type { Logger } from '../log/logger.js';
import type { RunningServer } from './server.js';

export interface ServiceRun {
  readonly log: Logger;
  readonly server: RunningServer;
  readonly shutdownGraceMs: number;
  /** Releases what the service owns (databases, timers) after the server stopped. */
  readonly close: () => void | Promise<void>;
}

/**
 * Entry-point shell shared by both services: starts, announces readiness with the
 * bound port (tests and scripts/start read that line), and drains on SIGINT/SIGTERM.
 */
export async function runService(name: string, start: () => Promise<ServiceRun>): Promise<void> {
  let run: ServiceRun;
  try {
    run = await start();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const { log, server } = run;
  // Logged even at LOG_LEVEL=warn (benchmarks): scripts and tests wait for this line.
  log.child({}, { level: log.isLevelEnabled('info') ? log.level : 'info' }).info({ port: server.port, pid: process.pid }, 'listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server
      .shutdown(run.shutdownGraceMs)
      .then(() => run.close())
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
