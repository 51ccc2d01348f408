/**
 * `npm run bench [-- --quick]`: what authentication costs. Starts auth-svc and three
 * business-svc variants (token verification on, off in the benchmark's own build of business-svc
 * (scripts/bench/business-svc-without-verification.ts), and on without
 * the token cache) on loopback, drives each with worker threads, then business-svc with
 * WORKERS=1 and WORKERS=2 (GetNote throughput, WatchNotes fan-out latency), and prints one
 * Markdown table (medians of several rounds) on stdout; then GetNote with OpenTelemetry tracing
 * off, on for every call and on for 5 %; then the raw echo and GetNote with the
 * services on each Node line (`--node-lines 22,24,26`, provisioned from the npm registry;
 * `--only node-lines` measures just that); progress goes to stderr; results go to
 * bench/results/<commit>.json and bench/results/latest.json. Exit code 1 if any call failed.
 */
import { Metadata } from '@grpc/grpc-js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAuthClient, createNotesClient } from '@grpc-token-auth/sdk';
import { AuthServiceService, LoginRequest } from '../gen/auth/v1/auth_service.js';
import { DashboardServiceService, GetDashboardRequest } from '../gen/business/v1/dashboard_service.js';
import { GetNoteRequest, NotesServiceService } from '../gen/business/v1/notes_service.js';
import { median } from './bench/histogram.js';
import { findH2load, responseBytes, runH2load } from './bench/h2load.js';
import { LoadPool, type LoadResult, type LoadSpec } from './bench/load-pool.js';
import { measureFanout } from './bench/fanout.js';
import { checkTargets, formatNodeLines, formatReport, formatTracing, type BenchResults, type FleetResults, type LineResult, type Measured, type ReadRow, type TracingResults } from './bench/report.js';
import { startOtlpSink } from './bench/otlp-sink.js';
import { provisionNodeLines } from './bench/node-lines.js';
import { SERVICE_HEAP_FLAGS, type ServiceProcess } from './support/service-process.js';
import { measureStartup, memoryMb, startStack, stopEverything, VARIANTS, type Stack, type Variant } from './bench/stack.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    requests: { type: 'string' },
    workers: { type: 'string' },
    concurrency: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    /** Throughput runs: h2load (4 connections × 25 streams, from outside Node) when installed, else the Node load workers. */
    load: { type: 'string', default: findH2load() ? 'h2load' : 'workers' },
    /**
     * Node flags for the services (with =, as the value starts with a dash). Default: the heap
     * sizing of every default start path (npm start, the images), so memory is measured as run.
     */
    'service-node-args': { type: 'string', default: SERVICE_HEAP_FLAGS.join(' ') },
    out: { type: 'string', default: 'bench/results' },
    /** Node lines to compare (echo and GetNote on each, interleaved); `none` skips that part. */
    'node-lines': { type: 'string', default: '22,24,26' },
    /** `node-lines` / `tracing`: measure only that part (a few minutes) and print it. */
    only: { type: 'string' },
  },
});

const quick = args.quick;
const settings = {
  rounds: int(args.rounds, quick ? 3 : 5),
  seconds: Number(args.seconds ?? (quick ? 1 : 3)),
  warmupSeconds: quick ? 0.3 : 1,
  /** Authenticated calls driven to measure memory growth. */
  requests: int(args.requests, quick ? 50_000 : 1_000_000),
  workers: int(args.workers, 4),
  concurrency: int(args.concurrency, 100),
  logLevel: args['log-level'],
  serviceNodeArgs: args['service-node-args'].split(' ').filter(Boolean),
  scryptLogN: 15,
  loginConcurrency: 8,
  stormReadConcurrency: 12,
  startups: quick ? 1 : 3,
  loadGenerator: args.load === 'workers' ? 'workers' : 'h2load',
  /** WatchNotes fan-out: streams, and notes created one at a time this far apart. */
  fanout: { watchers: 20, writes: quick ? 100 : 300, gapMs: 10 },
};
if (settings.workers < 2) throw new Error('--workers must be at least 2 (the login storm needs its own worker)');

const BASE_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  NODE_ENV: 'development',
  // Per-RPC info logs would measure pino and the pipe to this process, not authentication.
  LOG_LEVEL: settings.logLevel,
  PASSWORD_SCRYPT_LOG_N: String(settings.scryptLogN),
  // Long enough for the whole run: an expiring token would fail calls mid-benchmark.
  ACCESS_TOKEN_TTL_SECONDS: '86400',
  // The fan-out run writes notes as one user far faster than the per-user write rate allows.
  NOTE_WRITES_PER_SECOND: '10000',
  NOTE_WRITE_BURST: '100000',
};
const USER = { email: 'bench@example.com', password: 'load-test-passphrase-0123456789', displayName: 'Bench User' };
const READS = [
  { rpc: 'GetDashboard', path: DashboardServiceService.getDashboard.path, request: () => GetDashboardRequest.encode({}).finish() },
  { rpc: 'GetNote', path: NotesServiceService.getNote.path, request: (id: string) => GetNoteRequest.encode({ id }).finish() },
] as const;

const errors: Record<string, number> = {};
/** The machine is shared: its load is recorded with the results (and with every step on stderr). */
const LOAD_AT_START = Number(os.loadavg()[0]!.toFixed(2));
const pool = new LoadPool(settings.workers);

async function main(): Promise<void> {
  const started = performance.now();
  if (args.only === 'node-lines') {
    const nodeLines = await measureNodeLines();
    await pool.close();
    process.stdout.write(`${formatNodeLines(nodeLines).join('\n')}\n`);
    status(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`, true);
    return;
  }
  if (args.only === 'tracing') {
    const tracing = await measureTracing();
    await pool.close();
    process.stdout.write(`${formatTracing(tracing)}\n`);
    status(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`, true);
    return;
  }
  if (args.only !== undefined) throw new Error(`--only takes "node-lines" or "tracing", got "${args.only}"`);
  status('measuring start-up times');
  const startup = await measureStartup(BASE_ENV, settings.startups);
  const readyMs = {
    authFirst: median(startup.authFirst),
    auth: median(startup.auth),
    businessFirst: median(startup.businessFirst),
    business: median(startup.business),
  };
  const reads: ReadRow[] = [];
  let rest: Pick<BenchResults, 'login' | 'storm' | 'memory'> | undefined;
  for (const alg of ['RS256', 'HS256'] as const) {
    status(`${alg}: starting auth-svc and business-svc (${VARIANTS.join(', ')})`);
    const { stack, tokens } = await startUserStack({ ...BASE_ENV, JWT_ALGORITHM: alg });
    try {
      const noteIds = await createNotes(stack, tokens[0]!);
      reads.push(...(await measureReads(alg, stack, tokens, noteIds)));
      // Login, storm and memory once, on the default algorithm.
      if (alg === 'RS256') rest = await measureRest(stack, tokens, noteIds.auth);
    } finally {
      await stack.stop();
    }
  }
  const fleet = await measureFleet();
  const tracing = await measureTracing();
  const nodeLines = await measureNodeLines();
  await pool.close();

  const partial = { commit: commit(), date: new Date().toISOString(), machine: machine(), settings: describe(), reads, ...rest!, fleet, tracing, nodeLines, readyMs, errors };
  const results: BenchResults = { ...partial, targets: checkTargets(partial) };
  const file = save(results);
  status(`done in ${((performance.now() - started) / 1000).toFixed(0)} s; results in ${file} and ${join(args.out, 'latest.json')}\n`);
  process.stdout.write(`${formatReport(results)}\n`);
  if (Object.keys(errors).length > 0) process.exitCode = 1;
}

/** Accounts for the login load, so that concurrent logins are for different people. */
async function registerLoginUsers(authAddress: string, n: number): Promise<{ email: string; password: string }[]> {
  const client = createAuthClient(authAddress);
  try {
    const users = Array.from({ length: n }, (_, i) => ({ email: `login-${i}@example.com`, password: USER.password }));
    for (const u of users) await client.register({ ...u, displayName: 'Login load' });
    return users;
  } finally {
    client.close();
  }
}

/** One token per load worker: same user, separate logins (sessions), like several clients. */
async function registerAndLogin(authAddress: string, n: number): Promise<{ userId: string; tokens: string[] }> {
  const client = createAuthClient(authAddress);
  try {
    const { userId } = await client.register(USER);
    const tokens: string[] = [];
    for (let i = 0; i < n; i++) tokens.push((await client.login(USER)).accessToken);
    return { userId, tokens };
  } finally {
    client.close();
  }
}

/** A note to read on each variant (each has its own database). */
async function createNotes<V extends string>(stack: Stack<V>, token: string): Promise<Record<V, string>> {
  const ids = {} as Record<V, string>;
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  for (const v of Object.keys(stack.business) as V[]) {
    const client = createNotesClient(`127.0.0.1:${stack.business[v].port}`);
    try {
      const res = await client.createNote({ title: 'bench', body: 'x'.repeat(200) }, { metadata });
      ids[v] = res.note!.id;
    } finally {
      client.close();
    }
  }
  return ids;
}

/**
 * Per round, per RPC, per variant (the raw grpc-js echo first): a throughput run (~100 calls
 * in flight on every worker) and a latency run (one call in flight). Rounds interleave the
 * variants so drift on a shared machine hits all of them alike.
 */
async function measureReads(alg: string, stack: Stack, tokens: string[], noteIds: Record<Variant, string>): Promise<ReadRow[]> {
  const runs = new Map<string, LoadResult[]>();
  const measured = ['echo', ...VARIANTS] as const;
  const total = settings.rounds * READS.length * measured.length * 2;
  let n = 0;
  for (let round = 1; round <= settings.rounds; round++) {
    for (const read of READS) {
      for (const v of measured) {
        for (const kind of ['throughput', 'latency'] as const) {
          const label = `${alg} round ${round}/${settings.rounds} ${read.rpc} ${v} ${kind} [${++n}/${total}]`;
          const server = v === 'echo' ? stack.echo : stack.business[v];
          const spec = {
            address: `127.0.0.1:${server.port}`,
            path: read.path,
            // The echo answers with the request's bytes: send it what business-svc gets.
            requests: [read.request(noteIds[v === 'echo' ? 'auth' : v])],
            tokens,
            concurrency: kind === 'throughput' ? settings.concurrency : 1,
            durationMs: settings.seconds * 1000,
            warmupMs: settings.warmupSeconds * 1000,
            maxCalls: 10_000_000,
          };
          const result = kind === 'throughput' ? await throughput(label, spec, server.child.pid) : await load(label, spec);
          const key = `${read.rpc}/${v}/${kind}`;
          runs.set(key, [...(runs.get(key) ?? []), result]);
        }
      }
    }
  }
  return READS.map((read) => {
    const of = (kind: string) => {
      const m = (v: Variant | 'echo') => medianOf(runs.get(`${read.rpc}/${v}/${kind}`)!);
      return { echo: m('echo'), auth: m('auth'), noauth: m('noauth'), nocache: m('nocache') };
    };
    return { alg, rpc: read.rpc, throughput: of('throughput'), latency: of('latency') };
  });
}

async function measureRest(stack: Stack, tokens: string[], noteId: string): Promise<Pick<BenchResults, 'login' | 'storm' | 'memory'>> {
  const authAddress = `127.0.0.1:${stack.auth.port}`;
  const loginUsers = await registerLoginUsers(authAddress, settings.loginConcurrency * 4);
  const loginLoad = (label: string, workers: readonly [number, number]) =>
    load(label, {
      address: authAddress,
      path: AuthServiceService.login.path,
      // Distinct accounts: attempts for one account take turns by design (LoginGuard).
      requests: loginUsers.map((u) => LoginRequest.encode({ email: u.email, password: u.password, audience: '' }).finish()),
      tokens: [],
      concurrency: settings.loginConcurrency,
      durationMs: settings.seconds * 1000,
      warmupMs: settings.warmupSeconds * 1000,
      maxCalls: 1_000_000,
      workers,
    });
  const readLoad = (label: string) =>
    load(label, {
      address: `127.0.0.1:${stack.business.auth.port}`,
      path: NotesServiceService.getNote.path,
      requests: [GetNoteRequest.encode({ id: noteId }).finish()],
      tokens: tokens.slice(1),
      concurrency: settings.stormReadConcurrency,
      durationMs: settings.seconds * 1000,
      warmupMs: settings.warmupSeconds * 1000,
      maxCalls: 10_000_000,
      workers: [1, settings.workers - 1],
    });

  const logins: LoadResult[] = [];
  for (let r = 1; r <= settings.rounds; r++) logins.push(await loginLoad(`Login round ${r}/${settings.rounds}`, [0, 2]));

  const idle: LoadResult[] = [];
  const storm: LoadResult[] = [];
  const stormLogins: LoadResult[] = [];
  for (let r = 1; r <= settings.rounds; r++) {
    idle.push(await readLoad(`storm round ${r}/${settings.rounds}: GetNote idle`));
    const [reads, logs] = await Promise.all([readLoad(`storm round ${r}/${settings.rounds}: GetNote during logins`), loginLoad('', [0, 1])]);
    storm.push(reads);
    stormLogins.push(logs);
  }

  const many = (label: string, calls: number) =>
    load(label, {
      address: `127.0.0.1:${stack.business.auth.port}`,
      path: NotesServiceService.getNote.path,
      requests: [GetNoteRequest.encode({ id: noteId }).finish()],
      tokens,
      concurrency: settings.concurrency,
      // Bounded in time too: at least 200 req/s or it stops (and the shortfall shows).
      durationMs: (calls / 200) * 1000,
      warmupMs: 0,
      maxCalls: calls,
    });
  // Let the heaps reach their working size first: growth is what continues after that.
  await many('memory: warm-up', Math.max(20_000, settings.requests / 10));
  const before = { auth: memoryMb(stack.auth.child.pid!), business: memoryMb(stack.business.auth.child.pid!) };
  const growth = await many(`memory: ${settings.requests.toLocaleString('en-US')} authenticated GetNote`, settings.requests);
  const after = { auth: memoryMb(stack.auth.child.pid!), business: memoryMb(stack.business.auth.child.pid!) };

  return {
    login: { ...medianOf(logins), scryptLogN: settings.scryptLogN },
    storm: {
      idleP99Ms: median(idle.map((r) => r.p99Ms)),
      stormP99Ms: median(storm.map((r) => r.p99Ms)),
      loginRps: median(stormLogins.map((r) => r.rps)),
    },
    memory: {
      authRssMb: after.auth.rss,
      authPeakMb: after.auth.peak,
      businessRssMb: after.business.rss,
      businessPeakMb: after.business.peak,
      growthRequests: growth.ok,
      growthRps: growth.rps,
      businessGrowthMb: after.business.rss - before.business.rss,
      authGrowthMb: after.auth.rss - before.auth.rss,
    },
  };
}

const FLEET_VARIANTS = { workers1: { WORKERS: '1' }, workers2: { WORKERS: '2' } };

/**
 * business-svc as one process and as two workers on one port (SQLite, default algorithm):
 * authenticated GetNote throughput, rounds interleaved with the one-process raw echo, and
 * WatchNotes fan-out latency.
 * The load generator shares the machine's cores, so the ratio is a floor, not a forecast.
 */
async function measureFleet(): Promise<FleetResults> {
  status('fleet: starting auth-svc and business-svc with WORKERS=1 and WORKERS=2');
  // All the fan-out's watchers are one user: more than the per-user stream cap allows by default.
  const env = { ...BASE_ENV, MAX_LIVE_STREAMS_PER_PRINCIPAL: String(settings.fanout.watchers + 4) };
  const { stack, tokens } = await startUserStack(env, FLEET_VARIANTS);
  try {
    const noteIds = await createNotes(stack, tokens[0]!);
    const runs = { echo: [] as LoadResult[], workers1: [] as LoadResult[], workers2: [] as LoadResult[] };
    for (let round = 1; round <= settings.rounds; round++) {
      for (const v of ['echo', 'workers1', 'workers2'] as const) {
        const server = v === 'echo' ? stack.echo : stack.business[v];
        runs[v].push(
          await getNoteThroughput(`fleet round ${round}/${settings.rounds} GetNote ${v}`, server, noteIds[v === 'echo' ? 'workers1' : v], tokens),
        );
      }
    }
    const fanout = async (v: 'workers1' | 'workers2') => {
      status(`fleet: WatchNotes fan-out, ${v}, ${settings.fanout.watchers} watchers × ${settings.fanout.writes} writes`);
      const result = await measureFanout({ address: `127.0.0.1:${stack.business[v].port}`, token: tokens[0]!, ...settings.fanout });
      if (result.missing > 0) errors['fanout-missing'] = (errors['fanout-missing'] ?? 0) + result.missing;
      status(`fleet: fan-out ${v}: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`, true);
      return result;
    };
    const echo = medianOf(runs.echo);
    const workers1 = medianOf(runs.workers1);
    const workers2 = medianOf(runs.workers2);
    return {
      getNote: { echo, workers1, workers2, ratio: workers2.rps / workers1.rps },
      fanout: { workers1: await fanout('workers1'), workers2: await fanout('workers2') },
    };
  } finally {
    await stack.stop();
  }
}

/**
 * What tracing costs: business-svc with no OTEL_* variables (tracing off: nothing installed),
 * with every call sampled and exported over OTLP/HTTP JSON to a local sink (the worst case), and
 * with 5 % sampled; rounds interleaved with the raw echo.
 */
async function measureTracing(): Promise<TracingResults> {
  status('tracing: starting business-svc with tracing off, on (every call) and on (5 %)');
  const sink = await startOtlpSink();
  const on = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'business-svc' };
  const variants = {
    off: {},
    all: on,
    ratio5: { ...on, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' },
  };
  const { stack, tokens } = await startUserStack(BASE_ENV, variants);
  try {
    const noteIds = await createNotes(stack, tokens[0]!);
    const runs = { echo: [] as LoadResult[], off: [] as LoadResult[], all: [] as LoadResult[], ratio5: [] as LoadResult[] };
    for (let round = 1; round <= settings.rounds; round++) {
      for (const v of ['echo', 'off', 'all', 'ratio5'] as const) {
        const server = v === 'echo' ? stack.echo : stack.business[v];
        runs[v].push(await getNoteThroughput(`tracing round ${round}/${settings.rounds} ${v}`, server, noteIds[v === 'echo' ? 'off' : v], tokens));
      }
    }
    return { echo: medianOf(runs.echo), off: medianOf(runs.off), all: medianOf(runs.all), ratio5: medianOf(runs.ratio5), exported: { ...sink.received } };
  } finally {
    await stack.stop();
    await sink.close();
  }
}

/**
 * The raw grpc-js echo and authenticated GetNote (RS256, the default) with the services on each
 * Node line: one stack per line, all started first, then rounds that interleave the lines so
 * drift on a shared machine hits every line alike. Only one process is loaded at a time.
 */
/**
 * startStack with the benchmark's user registered (on auth-svc, before business-svc starts) and
 * logged in once per load worker: the stack and that user's tokens.
 */
async function startUserStack<V extends string = Variant>(
  env: NodeJS.ProcessEnv,
  variants?: Record<V, NodeJS.ProcessEnv>,
  node?: string,
): Promise<{ stack: Stack<V>; tokens: string[] }> {
  let tokens: string[] = [];
  const stack = await startStack<V>(env, settings.serviceNodeArgs, async (authAddress) => {
    const user = await registerAndLogin(authAddress, settings.workers);
    tokens = user.tokens;
    return user.userId;
  }, variants, node);
  return { stack, tokens };
}

async function measureNodeLines(): Promise<LineResult[]> {
  const wanted = args['node-lines'] === 'none' ? [] : args['node-lines'].split(',').map((l) => l.trim()).filter(Boolean);
  if (wanted.length === 0) return [];
  status(`Node lines: provisioning ${wanted.join(', ')}`);
  const lines = provisionNodeLines(wanted);
  const stacks: { version: string; stack: Stack<'auth'>; tokens: string[]; noteId: string }[] = [];
  try {
    for (const l of lines) {
      status(`Node lines: starting auth-svc, business-svc and the echo on ${l.version}`);
      const { stack, tokens } = await startUserStack(BASE_ENV, { auth: {} }, l.node);
      stacks.push({ version: l.version, stack, tokens, noteId: (await createNotes(stack, tokens[0]!)).auth });
    }
    const runs = new Map<string, { echo: LoadResult[]; getNote: LoadResult[] }>(stacks.map((s) => [s.version, { echo: [], getNote: [] }]));
    for (let round = 1; round <= settings.rounds; round++) {
      for (const { version, stack, tokens, noteId } of stacks) {
        for (const v of ['echo', 'getNote'] as const) {
          const server = v === 'echo' ? stack.echo : stack.business.auth;
          runs.get(version)![v].push(
            await getNoteThroughput(`Node ${version} round ${round}/${settings.rounds} ${v}`, server, noteId, tokens),
          );
        }
      }
    }
    return stacks.map(({ version }) => {
      const r = runs.get(version)!;
      return { line: lines.find((l) => l.version === version)!.line, version, echo: medianOf(r.echo), getNote: medianOf(r.getNote) };
    });
  } finally {
    await Promise.all(stacks.map((s) => s.stack.stop()));
  }
}

/** Authenticated GetNote of one note (the echo answers it too), ~100 calls in flight, timed like every read. */
function getNoteThroughput(label: string, server: ServiceProcess, noteId: string, tokens: string[]): Promise<LoadResult> {
  const spec = {
    address: `127.0.0.1:${server.port}`,
    path: NotesServiceService.getNote.path,
    requests: [GetNoteRequest.encode({ id: noteId }).finish()],
    tokens,
    concurrency: settings.concurrency,
    durationMs: settings.seconds * 1000,
    warmupMs: settings.warmupSeconds * 1000,
    maxCalls: 10_000_000,
  };
  return throughput(label, spec, server.child.pid);
}

/**
 * A throughput run: with h2load, `concurrency` streams over 4 connections, one request and the
 * first token (a failed call shows as missing response bytes and is tallied), and the server's
 * CPU per call (its whole process tree, from /proc); else `load`.
 */
async function throughput(label: string, spec: LoadSpec, serverPid: number | undefined): Promise<LoadResult> {
  if (settings.loadGenerator === 'workers') return load(label, spec);
  const request = spec.requests[0]!;
  const token = spec.tokens[0];
  const okResponseBytes = await responseBytes(spec.address, spec.path, request, token);
  const r = await runH2load({
    address: spec.address,
    path: spec.path,
    request,
    token,
    clients: 4,
    streams: Math.ceil(spec.concurrency / 4),
    seconds: spec.durationMs / 1000,
    warmupSeconds: spec.warmupMs / 1000,
    okResponseBytes,
    serverPid,
  });
  const result: LoadResult = {
    ok: r.calls - r.failed,
    errors: r.failed ? { 'h2load: calls without a full response': r.failed } : {},
    rps: r.rps,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    cpuUsPerCall: r.cpuUsPerCall,
  };
  for (const [code, count] of Object.entries(result.errors)) errors[code] = (errors[code] ?? 0) + count;
  const cpu = result.cpuUsPerCall === undefined ? '' : `, ${result.cpuUsPerCall.toFixed(1)} µs CPU/call`;
  status(`${label} (h2load): ${Math.round(result.rps)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms${cpu}, load average ${os.loadavg()[0]!.toFixed(2)}`, true);
  return result;
}

/** One load run with progress on stderr. Errors are tallied. */
async function load(label: string, spec: LoadSpec): Promise<LoadResult> {
  const result = await pool.run(spec, (ok, failed) =>
    label ? status(`${label}: ${ok.toLocaleString('en-US')} ok${failed ? `, ${failed} FAILED` : ''}`) : undefined,
  );
  for (const [code, count] of Object.entries(result.errors)) errors[code] = (errors[code] ?? 0) + count;
  if (label) {
    const line = `${label}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`;
    status(`${line}, load average ${os.loadavg()[0]!.toFixed(2)}`, true);
  }
  return result;
}

function medianOf(rounds: readonly LoadResult[]): Measured {
  const cpu = rounds.flatMap((r) => (r.cpuUsPerCall === undefined ? [] : [r.cpuUsPerCall]));
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    ...(cpu.length > 0 && { cpuUsPerCall: median(cpu) }),
    rounds,
  };
}

function save(results: BenchResults): string {
  mkdirSync(args.out, { recursive: true });
  const json = `${JSON.stringify(results, (k, v: unknown) => (k === 'rounds' && Array.isArray(v) ? v.map(roundSummary) : v), 2)}\n`;
  const file = join(args.out, `${results.commit.replace(/[^\w.-]/g, '_')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(args.out, 'latest.json'), json);
  return file;
}

function roundSummary(r: LoadResult) {
  return { rps: Math.round(r.rps), p50Ms: r.p50Ms, p99Ms: r.p99Ms, ok: r.ok, ...(r.cpuUsPerCall !== undefined && { cpuUsPerCall: Math.round(r.cpuUsPerCall * 10) / 10 }) };
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return `run-${Date.now()}`;
  }
}

function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpu: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage1mAtStart: LOAD_AT_START,
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

function describe(): Record<string, string | number> {
  return {
    mode: quick ? 'quick' : 'full',
    rounds: settings.rounds,
    secondsPerRound: settings.seconds,
    loadWorkers: settings.workers,
    throughputLoadGenerator: settings.loadGenerator === 'h2load' ? 'h2load, 4 connections' : `${settings.workers} Node worker threads`,
    concurrentCalls: settings.concurrency,
    serviceLogLevel: settings.logLevel,
    serviceNodeArgs: settings.serviceNodeArgs.join(' ') || 'none',
    growthRequests: settings.requests,
    nodeLines: args['node-lines'],
  };
}

let lastWasProgress = false;
/** Progress on stderr: rewritten in place on a terminal, one line per finished step otherwise. */
function status(text: string, final = false): void {
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
  } else if (final || !lastWasProgress) {
    process.stderr.write(`${text}\n`);
  }
  lastWasProgress = !final;
}

function int(raw: string | undefined, fallback: number): number {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${raw}"`);
  return n;
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([stopEverything(), pool.close()]);
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));
main().catch(async (err: unknown) => {
  process.stderr.write(`\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await shutdown(1);
});
