/**
 * `node dist/scripts/bench/compare.js <before.json> [after.json]`: the read rows of two
 * benchmark results side by side (after defaults to bench/results/latest.json).
 */
import { readFileSync } from 'node:fs';
import type { BenchResults } from './report.js';

const [beforePath, afterPath = 'bench/results/latest.json'] = process.argv.slice(2);
if (!beforePath) {
  process.stderr.write('usage: node dist/scripts/bench/compare.js <before.json> [after.json]\n');
  process.exit(2);
}
const load = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
const before = load(beforePath);
const after = load(afterPath);

const change = (a: number, b: number) => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)} %`;
const lines = [
  `before ${before.commit} (${before.settings.mode}, ${before.date})  →  after ${after.commit} (${after.settings.mode}, ${after.date})`,
  '',
  '| RPC | alg | variant | req/s before → after | change | p99 ms (1 in flight) before → after |',
  '|---|---|---|---:|---:|---:|',
];
for (const row of after.reads) {
  const old = before.reads.find((r) => r.alg === row.alg && r.rpc === row.rpc);
  if (!old) continue;
  for (const v of ['auth', 'noauth', 'nocache'] as const) {
    const [a, b] = [old.throughput[v], row.throughput[v]];
    lines.push(
      `| ${row.rpc} | ${row.alg} | ${v} | ${Math.round(a.rps)} → ${Math.round(b.rps)} | ${change(a.rps, b.rps)} | ` +
        `${old.latency[v].p99Ms.toFixed(2)} → ${row.latency[v].p99Ms.toFixed(2)} |`,
    );
  }
}
const [mb, ma] = [before.memory, after.memory];
lines.push('', `business-svc peak RSS ${mb.businessPeakMb.toFixed(0)} → ${ma.businessPeakMb.toFixed(0)} MB; auth-svc ${mb.authPeakMb.toFixed(0)} → ${ma.authPeakMb.toFixed(0)} MB`);
lines.push(`Login ${before.login.rps.toFixed(1)} → ${after.login.rps.toFixed(1)} req/s`);
process.stdout.write(`${lines.join('\n')}\n`);
