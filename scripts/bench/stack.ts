import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSINESS_SVC_SCOPES, businessUpstreamEnv, provisionServiceClient } from '../support/service-client-cli.js';
import { spawnService, type ServiceName, type ServiceProcess } from '../support/service-process.js';

/** The business-svc variants compared: same build and config but for one switch. */
export const VARIANTS = ['auth', 'noauth', 'nocache'] as const;
export type Variant = (typeof VARIANTS)[number];

export const VARIANT_ENV: Record<Variant, NodeJS.ProcessEnv> = {
  auth: {},
  noauth: {}, // the benchmark's own build without verification (+ BENCH_SUBJECT), see VARIANT_ENTRY
  nocache: { TOKEN_CACHE_MAX_ENTRIES: '0' },
};

/** Which entry each variant runs: `noauth` is business-svc with its verifier replaced, built here. */
const VARIANT_ENTRY: Record<string, ServiceName> = { noauth: 'bench-business-without-verification' };

export interface Stack<V extends string = Variant> {
  readonly auth: ServiceProcess;
  /** The bare grpc-js echo server every figure is also given as a ratio to (same node flags). */
  readonly echo: ServiceProcess;
  readonly business: Record<V, ServiceProcess>;
  stop(): Promise<void>;
}

const running = new Set<ServiceProcess>();
const tempDirs = new Set<string>();
/** Several business-svc processes run at once, so their metrics (and auth-svc's HTTP) listeners take free ports. */
const EPHEMERAL_SIDE_PORTS = { AUTH_METRICS_PORT: '0', BUSINESS_METRICS_PORT: '0', AUTH_HTTP_PORT: '0' };

/**
 * auth-svc plus one business-svc per variant (`variants`: each one's extra environment), on
 * 127.0.0.1 ephemeral ports, with SQLite files in a temp dir, and the raw grpc-js echo
 * baseline. Only one process is loaded at a time; the others idle. `prepare` runs once auth-svc is up (register the benchmark user)
 * and returns that user's id.
 */
export async function startStack<V extends string = Variant>(
  baseEnv: NodeJS.ProcessEnv,
  nodeArgs: readonly string[],
  prepare: (authAddress: string) => Promise<string>,
  variants: Record<V, NodeJS.ProcessEnv> = VARIANT_ENV as Record<V, NodeJS.ProcessEnv>,
  node?: string,
): Promise<Stack<V>> {
  const dir = mkdtempSync(join(tmpdir(), 'grpc-bench-'));
  tempDirs.add(dir);
  // Metrics on (ephemeral ports: several business-svc variants run at once), so the cost of recording is measured.
  const env = { ...baseEnv, AUTH_HOST: '127.0.0.1', AUTH_PORT: '0', BUSINESS_HOST: '127.0.0.1', BUSINESS_PORT: '0', ...EPHEMERAL_SIDE_PORTS };

  // The benchmark registers its accounts from one address, faster than the per-address default allows.
  const authEnv = { ...env, AUTH_DB_PATH: join(dir, 'auth.db'), REGISTER_BURST_PER_ADDRESS: '1000', REGISTER_PER_MINUTE: '1000' };
  const auth = track(await spawnService('auth-svc', { env: authEnv, nodeArgs, node }));
  // As deployed: business-svc has its service client (revocation stream, display names).
  const client = await provisionServiceClient('business-svc', BUSINESS_SVC_SCOPES, authEnv);
  // With verification off, calls run as the same user as with it on (same notes, same directory entry).
  const subject = await prepare(`127.0.0.1:${auth.port}`);
  const echo = track(await spawnService('bench-echo', { env: { PATH: baseEnv.PATH }, nodeArgs, node }));
  const business = {} as Record<V, ServiceProcess>;
  for (const v of Object.keys(variants) as V[]) {
    business[v] = track(
      await spawnService(VARIANT_ENTRY[v] ?? 'business-svc', {
        env: { ...env, ...variants[v], ...businessUpstreamEnv(client, `127.0.0.1:${auth.port}`), BENCH_SUBJECT: subject, BUSINESS_DB_PATH: join(dir, `business-${v}.db`) },
        nodeArgs,
        node,
      }),
    );
  }

  return {
    auth,
    echo,
    business,
    stop: async () => {
      const all: ServiceProcess[] = [auth, echo, ...Object.values<ServiceProcess>(business)];
      await Promise.all(all.map((s) => s.stop()));
      for (const s of all) running.delete(s);
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

export interface StartupTimes {
  readonly authFirst: number[];
  readonly auth: number[];
  readonly businessFirst: number[];
  readonly business: number[];
}

/**
 * Spawn → `listening` of each service, `times` times: a first start on an empty database
 * (auth-svc generates its signing key then) and a restart on the same files.
 */
export async function measureStartup(baseEnv: NodeJS.ProcessEnv, times: number): Promise<StartupTimes> {
  const out: StartupTimes = { authFirst: [], auth: [], businessFirst: [], business: [] };
  for (let i = 0; i < times; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'grpc-bench-start-'));
    tempDirs.add(dir);
    const env = { ...baseEnv, AUTH_PORT: '0', BUSINESS_PORT: '0', ...EPHEMERAL_SIDE_PORTS, AUTH_DB_PATH: join(dir, 'auth.db'), BUSINESS_DB_PATH: join(dir, 'business.db') };
    let client: { id: string; secret: string } | undefined;
    for (const [authTimes, businessTimes] of [[out.authFirst, out.businessFirst], [out.auth, out.business]] as const) {
      const t0 = performance.now();
      const auth = track(await spawnService('auth-svc', { env }));
      authTimes.push(performance.now() - t0);
      client ??= await provisionServiceClient('business-svc', BUSINESS_SVC_SCOPES, env);
      const t1 = performance.now();
      // Ready includes the first key fetch and the revocation snapshot.
      const business = track(
        await spawnService('business-svc', {
          env: { ...env, ...businessUpstreamEnv(client, `127.0.0.1:${auth.port}`) },
        }),
      );
      businessTimes.push(performance.now() - t1);
      for (const s of [business, auth]) {
        await s.stop();
        running.delete(s);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
  return out;
}

function track(s: ServiceProcess): ServiceProcess {
  running.add(s);
  return s;
}

/** Stops every service still running (exit, Ctrl-C) and removes temp dirs. */
export async function stopEverything(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop('SIGTERM', 3000)));
  running.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

/** Resident and peak resident memory of a process, in MB, from /proc (Linux). */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** The largest resident and peak resident memory among a process and its descendants (a WORKERS cluster's workers), in MB. */
export function largestMemoryMb(pid: number): { rss: number; peak: number } {
  let rss = 0;
  let peak = 0;
  for (const p of processTree(pid)) {
    try {
      const m = memoryMb(p);
      rss = Math.max(rss, m.rss);
      peak = Math.max(peak, m.peak);
    } catch {
      // exited meanwhile
    }
  }
  return { rss, peak };
}

/**
 * CPU time (user + system, ms) used so far by a process and its descendants (a WORKERS cluster),
 * from /proc (Linux). CPU per call is what a variant costs whatever else shares the cores, where
 * throughput on a busy machine varies from round to round.
 */
export function cpuMs(pid: number): number {
  const stats = procStats();
  let total = 0;
  for (const p of processTree(pid, stats)) total += stats.get(p)?.ms ?? 0;
  return total;
}

/** ppid and CPU ms (user + system) of every process, from /proc. */
function procStats(): Map<number, { ppid: number; ms: number }> {
  const stats = new Map<number, { ppid: number; ms: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may contain spaces): state ppid ... utime(14) stime(15).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(f[1]), ms: ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS });
    } catch {
      // exited meanwhile
    }
  }
  return stats;
}

/** A process and all its descendants. */
function processTree(pid: number, stats = procStats()): number[] {
  const tree: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const p = pending.pop()!;
    tree.push(p);
    for (const [child, s] of stats) if (s.ppid === p) pending.push(child);
  }
  return tree;
}
/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;
