/**
 * One load-generator thread: its own gRPC channel (HTTP/2 connection), `concurrency`
 * unary calls in flight, latency into a fixed histogram. Only OK statuses count.
 */
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { parentPort } from 'node:worker_threads';
import { BUCKETS, bucketOf } from './histogram.js';
import type { LoadJob, WorkerMessage } from './load-protocol.js';

const port = parentPort!;
const clients = new Map<string, Client>();
const identity = (b: Buffer) => b;
const PROGRESS_EVERY_MS = 500;

function clientFor(address: string): Client {
  let client = clients.get(address);
  if (!client) {
    client = new Client(address, credentials.createInsecure());
    clients.set(address, client);
  }
  return client;
}

function run(job: LoadJob): Promise<WorkerMessage> {
  const client = clientFor(job.address);
  const metadata = new Metadata();
  if (job.token) metadata.set('authorization', `Bearer ${job.token}`);
  const requests = job.requests.map((r) => Buffer.from(r));
  const histogram = new Uint32Array(BUCKETS);
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let started = 0;
  let inFlight = 0;
  const t0 = performance.now();
  const measureFrom = t0 + job.warmupMs;
  const stopAt = measureFrom + job.durationMs;
  let lastEnd = measureFrom;

  return new Promise((resolve) => {
    const progress = setInterval(() => port.postMessage({ type: 'progress', ok, failed } satisfies WorkerMessage), PROGRESS_EVERY_MS);
    const finish = () => {
      clearInterval(progress);
      resolve({ type: 'done', ok, errors, elapsedMs: Math.max(1, lastEnd - measureFrom), histogram });
    };
    const fire = () => {
      const start = performance.now();
      if (start >= stopAt || started >= job.maxCalls) {
        if (inFlight === 0) finish();
        return;
      }
      const request = requests[started % requests.length]!;
      started++;
      inFlight++;
      client.makeUnaryRequest(job.path, identity, identity, request, metadata, (err: ServiceError | null) => {
        inFlight--;
        const end = performance.now();
        if (err) {
          // Errors always count, warm-up included: any error fails the run.
          failed++;
          errors[err.code] = (errors[err.code] ?? 0) + 1;
        } else if (start >= measureFrom) {
          ok++;
          lastEnd = end;
          histogram[bucketOf((end - start) * 1000)]!++;
        }
        fire();
      });
    };
    for (let i = 0; i < job.concurrency; i++) fire();
  });
}

port.on('message', (msg: LoadJob) => {
  void run(msg).then((done) => port.postMessage(done, [(done as { histogram: Uint32Array }).histogram.buffer as ArrayBuffer]));
});
