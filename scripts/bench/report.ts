import type { FanoutResult } from './fanout.js';
import type { LoadResult } from './load-pool.js';

/** Median over rounds of one measured configuration. */
export interface Measured {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median server CPU µs per call, when the rounds measured it. */
  readonly cpuUsPerCall?: number;
  readonly rounds: readonly LoadResult[];
}

/** `echo`: the raw grpc-js echo server (no interceptor, no I/O), the baseline of the same run. */
type Variants = { readonly echo: Measured; readonly auth: Measured; readonly noauth: Measured; readonly nocache: Measured };

export interface ReadRow {
  readonly alg: string;
  readonly rpc: string;
  /** ~100 calls in flight: requests/s (latency here is mostly queueing). */
  readonly throughput: Variants;
  /** One call in flight: what a single call pays. */
  readonly latency: Variants;
}

export interface BenchResults {
  readonly commit: string;
  readonly date: string;
  readonly machine: Record<string, string | number>;
  readonly settings: Record<string, string | number>;
  readonly reads: readonly ReadRow[];
  readonly login: Measured & { readonly scryptLogN: number };
  readonly storm: { readonly idleP99Ms: number; readonly stormP99Ms: number; readonly loginRps: number };
  readonly memory: {
    readonly authRssMb: number;
    readonly authPeakMb: number;
    readonly businessRssMb: number;
    readonly businessPeakMb: number;
    readonly growthRequests: number;
    readonly growthRps: number;
    readonly businessGrowthMb: number;
    readonly authGrowthMb: number;
  };
  /** business-svc as 1 and as 2 workers on one port (absent in results from before it was measured). */
  readonly fleet?: FleetResults;
  /** Authenticated GetNote with tracing off, on for every call, and on for 5 % (absent in older results). */
  readonly tracing?: TracingResults;
  /** The raw echo and authenticated GetNote under each Node line, rounds interleaved (absent in older results). */
  readonly nodeLines?: readonly LineResult[];
  /** Spawn → `listening`, median of several starts: first start (empty database) and restart. */
  readonly readyMs: { readonly authFirst: number; readonly auth: number; readonly businessFirst: number; readonly business: number };
  readonly targets: readonly Target[];
  readonly errors: Record<string, number>;
}

export interface FleetResults {
  /** Authenticated GetNote, ~100 calls in flight; ratio = WORKERS=2 ÷ WORKERS=1, same run; echo = one-process raw grpc-js. */
  readonly getNote: { readonly echo: Measured; readonly workers1: Measured; readonly workers2: Measured; readonly ratio: number };
  readonly fanout: { readonly workers1: FanoutResult; readonly workers2: FanoutResult };
}

export interface TracingResults {
  readonly echo: Measured;
  readonly off: Measured;
  /** Every call sampled and exported (OTLP/HTTP JSON to a local sink): the worst case. */
  readonly all: Measured;
  /** `parentbased_traceidratio` at 0.05. */
  readonly ratio5: Measured;
  readonly exported: { readonly requests: number; readonly bytes: number };
}

export interface LineResult {
  readonly line: string;
  readonly version: string;
  readonly echo: Measured;
  readonly getNote: Measured;
}

export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

/** The issue's targets, checked against the measured numbers. */
export function checkTargets(r: Omit<BenchResults, 'targets'>): Target[] {
  const targets: Target[] = [];
  for (const row of r.reads) {
    const ratio = row.throughput.auth.rps / row.throughput.noauth.rps;
    const added = row.latency.auth.p99Ms - row.latency.noauth.p99Ms;
    targets.push({ name: `${row.alg} ${row.rpc} throughput`, goal: '≥ 97 % of no-auth', measured: pct(ratio), met: ratio >= 0.97 });
    targets.push({ name: `${row.alg} ${row.rpc} p99 added`, goal: '≤ 0.3 ms', measured: `${signed(added)} ms`, met: added <= 0.3 });
    const vsEcho = row.throughput.auth.rps / row.throughput.echo.rps;
    if (row.rpc === 'GetNote') targets.push({ name: `${row.alg} GetNote vs raw echo`, goal: '≥ 0.80 ×', measured: times(vsEcho), met: vsEcho >= 0.8 });
  }
  if (r.fleet) {
    const g = r.fleet.getNote;
    const vsEcho = g.workers2.rps / g.echo.rps;
    const p99 = g.workers2.p99Ms / g.workers1.p99Ms;
    targets.push({ name: 'WORKERS=2 GetNote vs one-process raw echo', goal: '≥ 1.05 ×', measured: times(vsEcho), met: vsEcho >= 1.05 });
    targets.push({ name: 'WORKERS=2 p99 under load vs WORKERS=1', goal: '≤ 1.5 ×', measured: times(p99), met: p99 <= 1.5 });
  }
  for (const l of r.nodeLines ?? []) {
    const vsEcho = l.getNote.rps / l.echo.rps;
    targets.push({ name: `Node ${l.version}: RS256 GetNote vs raw echo`, goal: '≥ 0.80 ×', measured: times(vsEcho), met: vsEcho >= 0.8 });
  }
  const storm = r.storm.stormP99Ms / r.storm.idleP99Ms;
  targets.push({ name: 'reads p99 during login storm', goal: '≤ 2 × idle', measured: `${storm.toFixed(2)} ×`, met: storm <= 2 });
  const m = r.memory;
  targets.push({ name: 'auth-svc RSS', goal: '≤ 150 MB', measured: `${m.authPeakMb.toFixed(0)} MB peak`, met: m.authPeakMb <= 150 });
  targets.push({ name: 'business-svc RSS', goal: '≤ 150 MB', measured: `${m.businessPeakMb.toFixed(0)} MB peak`, met: m.businessPeakMb <= 150 });
  targets.push({
    name: `business-svc RSS growth over ${count(m.growthRequests)} requests`,
    goal: '≤ 10 MB',
    measured: `${signed(m.businessGrowthMb)} MB`,
    met: m.businessGrowthMb <= 10,
  });
  const ready = r.readyMs;
  for (const [name, first, again] of [['auth-svc', ready.authFirst, ready.auth], ['business-svc', ready.businessFirst, ready.business]] as const) {
    const worst = Math.max(first, again);
    targets.push({ name: `${name} ready`, goal: '< 1 s', measured: `${first.toFixed(0)} ms first start, ${again.toFixed(0)} ms restart`, met: worst < 1000 });
  }
  return targets;
}

/** `echo / a / b (echo ÷ a)` in server µs CPU per call, or empty when the runs did not measure it (Node load workers). */
function cpuColumn(echo: Measured, a: Measured, b: Measured): string {
  if (echo.cpuUsPerCall === undefined || a.cpuUsPerCall === undefined || b.cpuUsPerCall === undefined) return '';
  const us = (m: Measured) => m.cpuUsPerCall!.toFixed(1);
  return `${us(echo)} / ${us(a)} / ${us(b)} (${(echo.cpuUsPerCall / a.cpuUsPerCall).toFixed(2)})`;
}

/** The one table printed on stdout (Markdown, so it pastes into the README as is). */
export function formatReport(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(`Benchmark of ${r.commit} on ${r.date}`);
  lines.push(`Machine: ${Object.entries(r.machine).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`Settings: ${Object.entries(r.settings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push('');
  lines.push(
    '| RPC | alg | req/s raw echo | req/s auth (× echo) | req/s no-auth (× echo) | auth ÷ no-auth | req/s no cache (× echo) | ' +
      'p50 ms echo / auth / no-auth | p99 ms echo / auth / no-auth | p99 added ms | p99 ms under load echo / auth / no-auth | ' +
      'server µs CPU/call echo / auth / no-auth (echo ÷ auth) |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of r.reads) {
    const t = row.throughput;
    const l = row.latency;
    const x = (m: Measured) => `${rps(m.rps)} (${times(m.rps / t.echo.rps)})`;
    lines.push(
      `| ${row.rpc} | ${row.alg} | ${rps(t.echo.rps)} | ${x(t.auth)} | ${x(t.noauth)} | ${pct(t.auth.rps / t.noauth.rps)} | ${x(t.nocache)} | ` +
        `${ms(l.echo.p50Ms)} / ${ms(l.auth.p50Ms)} / ${ms(l.noauth.p50Ms)} | ${ms(l.echo.p99Ms)} / ${ms(l.auth.p99Ms)} / ${ms(l.noauth.p99Ms)} | ` +
        `${signed(l.auth.p99Ms - l.noauth.p99Ms)} | ${ms(t.echo.p99Ms)} / ${ms(t.auth.p99Ms)} / ${ms(t.noauth.p99Ms)} | ${cpuColumn(t.echo, t.auth, t.noauth)} |`,
    );
  }
  lines.push(
    `| Login (scrypt log N ${r.login.scryptLogN}) | RS256 | | ${rps(r.login.rps)} | | | | ${ms(r.login.p50Ms)} | ${ms(r.login.p99Ms)} | | | |`,
  );
  lines.push('');
  lines.push(
    `Login storm (${rps(r.storm.loginRps)} logins/s): authenticated GetNote p99 ${ms(r.storm.stormP99Ms)} ms vs ${ms(r.storm.idleP99Ms)} ms idle ` +
      `(${(r.storm.stormP99Ms / r.storm.idleP99Ms).toFixed(2)} ×)`,
  );
  const m = r.memory;
  lines.push(
    `Memory: auth-svc ${m.authRssMb.toFixed(0)} MB RSS (peak ${m.authPeakMb.toFixed(0)}), business-svc ${m.businessRssMb.toFixed(0)} MB RSS ` +
      `(peak ${m.businessPeakMb.toFixed(0)}); over ${count(m.growthRequests)} authenticated GetNote at ${rps(m.growthRps)} req/s: ` +
      `business-svc ${signed(m.businessGrowthMb)} MB, auth-svc ${signed(m.authGrowthMb)} MB`,
  );
  if (r.fleet) {
    const { getNote: g, fanout: f } = r.fleet;
    lines.push(
      `Fleet (business-svc on SQLite, one host): authenticated GetNote, raw echo ${rps(g.echo.rps)} req/s (p99 ${ms(g.echo.p99Ms)} ms), ` +
        `WORKERS=1 ${rps(g.workers1.rps)} req/s (${times(g.workers1.rps / g.echo.rps)} echo, p99 ${ms(g.workers1.p99Ms)} ms), ` +
        `WORKERS=2 ${rps(g.workers2.rps)} req/s (${times(g.workers2.rps / g.echo.rps)} echo, p99 ${ms(g.workers2.p99Ms)} ms; ` +
        `${g.ratio.toFixed(2)} × WORKERS=1, load generator on the same cores); WatchNotes fan-out, write → each of ${f.workers1.watchers} watchers ` +
        `(${f.workers1.writes} writes): WORKERS=1 p50 ${ms(f.workers1.p50Ms)} / p99 ${ms(f.workers1.p99Ms)} ms, ` +
        `WORKERS=2 p50 ${ms(f.workers2.p50Ms)} / p99 ${ms(f.workers2.p99Ms)} ms` +
        (g.echo.cpuUsPerCall === undefined ? '' : `; server µs CPU/call echo / WORKERS=1 / WORKERS=2 (all processes): ${cpuColumn(g.echo, g.workers1, g.workers2)}`),
    );
  }
  if (r.tracing) lines.push(formatTracing(r.tracing));
  if (r.nodeLines && r.nodeLines.length > 0) lines.push('', ...formatNodeLines(r.nodeLines), '');
  const ready = r.readyMs;
  lines.push(
    `Ready to serve (spawn → listening, median): auth-svc ${ready.authFirst.toFixed(0)} ms first start (generates its signing key), ` +
      `${ready.auth.toFixed(0)} ms restart; business-svc ${ready.businessFirst.toFixed(0)} ms first start, ${ready.business.toFixed(0)} ms restart ` +
      '(both include fetching the public keys)',
  );
  lines.push('');
  lines.push('| target | goal | measured | met |');
  lines.push('|---|---|---|---|');
  for (const t of r.targets) lines.push(`| ${t.name} | ${t.goal} | ${t.measured} | ${t.met ? 'yes' : 'NO'} |`);
  const errors = Object.entries(r.errors);
  if (errors.length > 0) lines.push('', `ERRORS (gRPC code × count): ${errors.map(([c, n]) => `${c} × ${n}`).join(', ')}`);
  return lines.join('\n');
}

export function formatTracing(t: TracingResults): string {
  const x = (m: Measured) => `${rps(m.rps)} req/s (${times(m.rps / t.off.rps)} off${m.cpuUsPerCall === undefined ? '' : `, ${m.cpuUsPerCall.toFixed(1)} µs CPU/call`})`;
  const cpuOff = t.off.cpuUsPerCall === undefined ? '' : `, ${t.off.cpuUsPerCall.toFixed(1)} µs CPU/call`;
  return (
    `Tracing (OpenTelemetry, business-svc, authenticated GetNote; raw echo ${rps(t.echo.rps)} req/s): off ${rps(t.off.rps)} req/s${cpuOff}; ` +
    `every call sampled and exported ${x(t.all)}; 5 % sampled ${x(t.ratio5)}; ${count(t.exported.requests)} export requests, ${(t.exported.bytes / 2 ** 20).toFixed(1)} MB`
  );
}

/** One row per Node line; the fastest line's echo is the 1.00 of the last column. */
export function formatNodeLines(rows: readonly LineResult[]): string[] {
  const fastest = Math.max(...rows.map((l) => l.echo.rps));
  const out = [
    '| Node | req/s raw echo | req/s GetNote, RS256 (× echo) | server µs CPU/call echo / GetNote | echo × fastest line |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const l of rows) {
    const cpu = l.echo.cpuUsPerCall === undefined || l.getNote.cpuUsPerCall === undefined ? '' : `${l.echo.cpuUsPerCall.toFixed(1)} / ${l.getNote.cpuUsPerCall.toFixed(1)}`;
    out.push(`| ${l.version} | ${rps(l.echo.rps)} | ${rps(l.getNote.rps)} (${times(l.getNote.rps / l.echo.rps)}) | ${cpu} | ${times(l.echo.rps / fastest)} |`);
  }
  return out;
}

const rps = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '–');
const times = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ×` : '–');
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '–');
const count = (v: number) => v.toLocaleString('en-US');
