import cluster, { type Worker } from 'node:cluster';
import { isChangeSignal } from '../changes/process-change-feed.js';
import type { Logger } from '../log/logger.js';

/** What a worker tells the primary once its server is bound. */
export interface WorkerReady {
  readonly type: 'ready';
  readonly port: number;
}

export function isWorkerReady(message: unknown): message is WorkerReady {
  return typeof message === 'object' && message !== null && (message as WorkerReady).type === 'ready';
}

export interface PrimaryOptions {
  readonly workers: number;
  readonly log: Logger;
  readonly shutdownGraceMs: number;
  /** Called once every worker is serving, with the shared port. */
  readonly onReady: (port: number) => void;
}

/** A crashed worker is replaced, but not faster than this (a crash loop must not spin). */
const RESTART_DELAY_MS = 1000;

/**
 * The primary of a service running as several worker processes on one port (node:cluster
 * hands each new connection to a worker in turn). It serves no calls itself: it forks
 * the workers, reports readiness once all are bound, relays workers' change signals to
 * their siblings, replaces a worker that dies, and on SIGTERM/SIGINT stops them all
 * (each drains as a single process would) before exiting.
 */
export function runPrimary(opts: PrimaryOptions): void {
  const { log } = opts;
  // Round robin from the primary (Node's default except on Windows), set before the first fork:
  // with few long-lived HTTP/2 connections, workers accepting from a shared socket themselves
  // (SCHED_NONE) can leave one worker most of them. Measured (2 workers, 4 connections): round
  // robin 0.89 x the raw echo, p99 68.6 ms; SCHED_NONE 0.81 x, p99 73.0 ms. NODE_CLUSTER_SCHED_POLICY still wins.
  if (!process.env.NODE_CLUSTER_SCHED_POLICY) cluster.schedulingPolicy = cluster.SCHED_RR;
  const ready = new Set<number>();
  let announced = false;
  let stopping = false;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (isChangeSignal(message)) return relay(worker, message);
      if (!isWorkerReady(message)) return;
      ready.add(worker.id);
      if (!announced && ready.size === opts.workers) {
        announced = true;
        opts.onReady(message.port);
      }
    });
    return worker;
  };

  // A worker's write, announced to its siblings (see ProcessChangeFeed).
  const relay = (from: Worker, message: unknown) => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker && worker !== from && worker.isConnected()) worker.send(message as object, undefined, () => {});
    }
  };

  cluster.on('exit', (worker, code, signal) => {
    ready.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log.info('stopped');
        process.exit(0);
      }
      return;
    }
    log.error({ worker: worker.process.pid, code, signal }, 'worker died; starting a replacement');
    setTimeout(fork, RESTART_DELAY_MS).unref();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'shutting down workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    // Workers force-cancel their calls after the grace period; this only guards against a hung one.
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, opts.shutdownGraceMs + 5000).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  for (let i = 0; i < opts.workers; i++) fork();
}
