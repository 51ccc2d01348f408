import { credentials, Metadata, status } from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { HealthCheckResponse_ServingStatus, HealthClient } from '../../gen/grpc/health/v1/health.js';
import type { RawOutcome } from './raw-http2.js';

/** The heap settings the images run with (deploy/Dockerfile), so floods meet the same limits. */
export const IMAGE_NODE_OPTIONS = '--max-old-space-size=256 --max-semi-space-size=12';

/** Resident memory of a process, MB (Linux /proc). */
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}

/** Samples a process's RSS every 50 ms until stopped; returns the peak. */
export function watchPeakRss(pid: number): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // process gone: the test's liveness assertion reports it
    }
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** One grpc.health.v1 Check on a fresh channel: the status and how long it took. */
export async function healthCheck(address: string, service = ''): Promise<{ status: string; ms: number }> {
  const client = new HealthClient(address, credentials.createInsecure());
  const started = performance.now();
  try {
    const res = await new Promise<{ status: HealthCheckResponse_ServingStatus }>((resolve, reject) =>
      client.check({ service }, new Metadata(), { deadline: Date.now() + 5000 }, (err, r) => (err ? reject(err) : resolve(r))),
    );
    return { status: HealthCheckResponse_ServingStatus[res.status] ?? String(res.status), ms: performance.now() - started };
  } finally {
    client.close();
  }
}

/** Tallies raw outcomes by grpc status name, or `RST <code>` for resets. */
export function tally(outcomes: readonly RawOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.code !== undefined ? (status[o.code] ?? String(o.code)) : `RST ${o.rstCode}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Runs probe-cli.ts (a legitimate unary call from another process); resolves with its latency, ms. */
export function probeFromAnotherProcess(address: string, path: string, token?: string): Promise<number> {
  const cli = fileURLToPath(new URL('./probe-cli.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, address, path, ...(token ? [token] : [])], { timeout: 15_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`probe failed: ${stderr.trim() || err.message}`)) : resolve(Number(stdout.trim())),
    );
  });
}
