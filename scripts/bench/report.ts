import type { LoadResult } from './load-pool.js';

/** Median over rounds of one measured configuration. */
export interface Measured {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rounds: readonly LoadResult[];
}

export interface ReadRow {
  readonly alg: string;
  readonly rpc: string;
  readonly auth: Measured;
  readonly noauth: Measured;
  readonly nocache: Measured;
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
  readonly readyMs: { readonly auth: number; readonly business: number };
  readonly targets: readonly Target[];
  readonly errors: Record<string, number>;
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
    const ratio = row.auth.rps / row.noauth.rps;
    const added = row.auth.p99Ms - row.noauth.p99Ms;
    targets.push({ name: `${row.alg} ${row.rpc} throughput`, goal: '≥ 97 % of no-auth', measured: pct(ratio), met: ratio >= 0.97 });
    targets.push({ name: `${row.alg} ${row.rpc} p99 added`, goal: '≤ 0.3 ms', measured: `${signed(added)} ms`, met: added <= 0.3 });
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
  targets.push({ name: 'auth-svc ready', goal: '< 1 s', measured: `${r.readyMs.auth.toFixed(0)} ms`, met: r.readyMs.auth < 1000 });
  targets.push({ name: 'business-svc ready', goal: '< 1 s', measured: `${r.readyMs.business.toFixed(0)} ms`, met: r.readyMs.business < 1000 });
  return targets;
}

/** The one table printed on stdout (Markdown, so it pastes into the README as is). */
export function formatReport(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(`Benchmark of ${r.commit} on ${r.date}`);
  lines.push(`Machine: ${Object.entries(r.machine).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`Settings: ${Object.entries(r.settings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push('');
  lines.push('| RPC | alg | auth req/s | no-auth req/s | ratio | p50 auth / no-auth ms | p99 auth / no-auth ms | p99 added ms | no-cache req/s (ratio) |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of r.reads) {
    lines.push(
      `| ${row.rpc} | ${row.alg} | ${rps(row.auth.rps)} | ${rps(row.noauth.rps)} | ${pct(row.auth.rps / row.noauth.rps)} | ` +
        `${ms(row.auth.p50Ms)} / ${ms(row.noauth.p50Ms)} | ${ms(row.auth.p99Ms)} / ${ms(row.noauth.p99Ms)} | ` +
        `${signed(row.auth.p99Ms - row.noauth.p99Ms)} | ${rps(row.nocache.rps)} (${pct(row.nocache.rps / row.noauth.rps)}) |`,
    );
  }
  lines.push(`| Login (scrypt log N ${r.login.scryptLogN}) | RS256 | ${rps(r.login.rps)} | | | ${ms(r.login.p50Ms)} | ${ms(r.login.p99Ms)} | | |`);
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
  lines.push(`Ready to serve (spawn → listening): auth-svc ${r.readyMs.auth.toFixed(0)} ms, business-svc ${r.readyMs.business.toFixed(0)} ms`);
  lines.push('');
  lines.push('| target | goal | measured | met |');
  lines.push('|---|---|---|---|');
  for (const t of r.targets) lines.push(`| ${t.name} | ${t.goal} | ${t.measured} | ${t.met ? 'yes' : 'NO'} |`);
  const errors = Object.entries(r.errors);
  if (errors.length > 0) lines.push('', `ERRORS (gRPC code × count): ${errors.map(([c, n]) => `${c} × ${n}`).join(', ')}`);
  return lines.join('\n');
}

const rps = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '–');
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '–');
const count = (v: number) => v.toLocaleString('en-US');
