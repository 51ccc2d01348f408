import { Worker } from 'node:worker_threads';
import { BUCKETS, merge, quantileMs } from './histogram.js';
import type { LoadJob, WorkerMessage } from './load-protocol.js';

export interface LoadResult {
  readonly ok: number;
  readonly errors: Record<string, number>;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Server CPU µs per call (h2load runs given the server's pid). */
  readonly cpuUsPerCall?: number;
}

export type LoadSpec = Omit<LoadJob, 'type' | 'concurrency' | 'maxCalls' | 'token' | 'requests'> & {
  /** Sent in turn; when there are at least as many as workers, each worker gets its own share. */
  readonly requests: readonly Uint8Array[];
  /** Bearer tokens, one per worker in turn (none: unauthenticated calls). */
  readonly tokens: readonly string[];
  /** Total calls in flight, split across the workers used. */
  readonly concurrency: number;
  readonly maxCalls: number;
  /** Which of the pool's workers drive this load: [first, count] (default all). */
  readonly workers?: readonly [number, number];
};

/** Worker threads that generate load, so the generator uses more than one core. */
export class LoadPool {
  private readonly workers: Worker[];

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => new Worker(new URL('./load-worker.js', import.meta.url)));
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Runs one load on the chosen workers; `onProgress` gets the counts so far. Loads run
   * at the same time must use disjoint workers (a worker's progress goes to every listener).
   */
  async run(spec: LoadSpec, onProgress: (ok: number, failed: number) => void = () => {}): Promise<LoadResult> {
    const [first, count] = spec.workers ?? [0, this.workers.length];
    const chosen = this.workers.slice(first, first + Math.min(count, spec.concurrency));
    const n = chosen.length;
    if (n === 0) throw new Error(`no workers in [${first}, ${count}] of a pool of ${this.workers.length}`);
    const progress = new Array<{ ok: number; failed: number }>(n).fill({ ok: 0, failed: 0 });
    const done = await Promise.all(
      chosen.map(
        (worker, i) =>
          new Promise<Extract<WorkerMessage, { type: 'done' }>>((resolve, reject) => {
            const onMessage = (msg: WorkerMessage) => {
              if (msg.type === 'progress') {
                progress[i] = msg;
                onProgress(
                  progress.reduce((s, p) => s + p.ok, 0),
                  progress.reduce((s, p) => s + p.failed, 0),
                );
                return;
              }
              worker.off('message', onMessage);
              worker.off('error', reject);
              resolve(msg);
            };
            worker.on('message', onMessage);
            worker.once('error', reject);
            const { tokens, workers: _, requests, ...common } = spec;
            const job: LoadJob = {
              ...common,
              type: 'run',
              requests: requests.length >= n ? requests.filter((__, k) => k % n === i) : requests,
              token: tokens.length > 0 ? tokens[i % tokens.length] : undefined,
              concurrency: Math.floor(spec.concurrency / n) + (i < spec.concurrency % n ? 1 : 0),
              maxCalls: Math.floor(spec.maxCalls / n) + (i < spec.maxCalls % n ? 1 : 0),
            };
            worker.postMessage(job);
          }),
      ),
    );
    const histogram = new Uint32Array(BUCKETS);
    const errors: Record<string, number> = {};
    let ok = 0;
    let rps = 0;
    for (const d of done) {
      merge(histogram, d.histogram);
      ok += d.ok;
      rps += (d.ok * 1000) / d.elapsedMs;
      for (const [code, count] of Object.entries(d.errors)) errors[code] = (errors[code] ?? 0) + count;
    }
    return { ok, errors, rps, p50Ms: quantileMs(histogram, 0.5), p99Ms: quantileMs(histogram, 0.99) };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
