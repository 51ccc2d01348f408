/**
 * Same-run microbenchmark of the per-call histogram path, kept as the record of a decision
 * (issue 21: a micro-optimisation stays only if it saves ≥ 3 % of a call's server CPU, ~50–100
 * µs): prom-client's Histogram, which grpc_server_handling_seconds uses, against the hand-written
 * one it replaced (a label set resolved once into bucket counts; its observe path is below).
 *
 *   npm run build && node dist/scripts/measure-histogram.js
 *
 * Prints ns per observation (median of alternating rounds) and the difference as a share of a
 * 50 µs call. Runs ~3 s on one core. Measured 2026-12-04 (Node 26, shared 2-core machine): 39–61
 * ns hand-written, 520–730 ns prom-client — 0.5–0.7 µs per call, 1.0–1.3 % of 50 µs.
 */
import { Histogram, Registry } from 'prom-client';
import { RPC_SECONDS_BUCKETS } from '../lib/metrics/rpc-metrics.js';

const OBSERVATIONS = 1_000_000;
const ROUNDS = 7;
const labels = { grpc_type: 'unary', grpc_service: 'business.v1.DashboardService', grpc_method: 'GetDashboard' };
// Latencies spread over the buckets, as a server's calls would be.
const values = Float64Array.from({ length: 4096 }, (_, i) => 0.0002 * Math.exp((i % 97) / 12));

/** The replaced LeanHistogram's per-call work: a bucket search and three additions. */
function handWritten(bounds: readonly number[]): (value: number) => void {
  const counts = new Float64Array(bounds.length + 1);
  let sum = 0;
  let count = 0;
  return (value) => {
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    counts[i]!++;
    sum += value;
    count++;
  };
}

const prom = new Histogram({ name: 'prom_seconds', help: 'prom', labelNames: ['grpc_type', 'grpc_service', 'grpc_method'], buckets: RPC_SECONDS_BUCKETS, registers: [new Registry()] });
const promChild = prom.labels(labels);
const lean = handWritten(RPC_SECONDS_BUCKETS);

const candidates: Record<string, (v: number) => void> = {
  'hand-written (was LeanHistogram)': lean,
  'prom-client labels(…) child': (v) => promChild.observe(v),
  'prom-client observe(labels, v)': (v) => prom.observe(labels, v),
};

function nsPerObservation(observe: (v: number) => void): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OBSERVATIONS; i++) observe(values[i & 4095]!);
  return Number(process.hrtime.bigint() - started) / OBSERVATIONS;
}

const results = new Map<string, number[]>(Object.keys(candidates).map((k) => [k, []]));
for (const observe of Object.values(candidates)) nsPerObservation(observe); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, observe] of Object.entries(candidates)) results.get(name)!.push(nsPerObservation(observe));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseline = median(results.get('hand-written (was LeanHistogram)')!);
for (const [name, xs] of results) {
  const ns = median(xs);
  console.log(`${name.padEnd(34)} ${ns.toFixed(1).padStart(7)} ns/observation  (+${(ns - baseline).toFixed(1)} ns = ${(((ns - baseline) / 50_000) * 100).toFixed(2)} % of a 50 µs call)`);
}
