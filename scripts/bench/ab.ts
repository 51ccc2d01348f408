/**
 * `node dist/scripts/bench/ab.js --variants '<json>' [--rounds 7] [--seconds 3]`: authenticated
 * GetNote throughput and server CPU per call of business-svc variants against the raw grpc-js
 * echo, rounds interleaved (round 0 warms up),
 * for before/after comparisons of one change on a shared machine (same-run ratios). Each variant:
 * `{ "name": "...", "env": {...}, "nodeArgs": [...], "dist": "/path/to/another/dist" }` (all but
 * name optional; `dist` runs another build, e.g. a copy of dist/ from before the change).
 * `--load h2load` (the default when it is installed) drives 4 connections × 25 streams with
 * h2load, as issue 14 measures; `--load workers` uses this repository's Node load workers.
 * `--cpu-prof-dir DIR` profiles the echo and every variant (DIR/<name>/*.cpuprofile) and prints
 * the calls each one served, so profile time can be read as µs per call.
 */
import { Metadata } from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAuthClient, createNotesClient } from '@grpc-token-auth/sdk';
import { GetNoteRequest, NotesServiceService } from '../../gen/business/v1/notes_service.js';
import { BUSINESS_SVC_SCOPES, businessUpstreamEnv, provisionServiceClient } from '../support/service-client-cli.js';
import { SERVICE_HEAP_FLAGS, spawnService, type ServiceProcess } from '../support/service-process.js';
import { median } from './histogram.js';
import { findH2load, responseBytes, runH2load } from './h2load.js';
import { LoadPool, type LoadResult } from './load-pool.js';
import { cpuMs, largestMemoryMb } from './stack.js';

interface VariantSpec {
  readonly name: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly nodeArgs?: string[];
  readonly dist?: string;
}

const { values: args } = parseArgs({
  options: {
    variants: { type: 'string', default: '[{"name":"current"}]' },
    rounds: { type: 'string', default: '7' },
    seconds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '100' },
    'log-level': { type: 'string', default: 'warn' },
    load: { type: 'string', default: findH2load() ? 'h2load' : 'workers' },
    'cpu-prof-dir': { type: 'string' },
  },
});
const variants = JSON.parse(args.variants) as VariantSpec[];
const rounds = Number(args.rounds);
const seconds = Number(args.seconds);
const profileArgs = (name: string, nodeArgs: readonly string[] = SERVICE_HEAP_FLAGS) =>
  args['cpu-prof-dir'] ? [...nodeArgs, '--cpu-prof', `--cpu-prof-dir=${join(args['cpu-prof-dir'], name)}`] : nodeArgs;
const USER = { email: 'ab@example.com', password: 'load-test-passphrase-0123456789', displayName: 'AB' };

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'grpc-ab-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    LOG_LEVEL: args['log-level'],
    PASSWORD_SCRYPT_LOG_N: '14',
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    AUTH_HOST: '127.0.0.1',
    AUTH_PORT: '0',
    BUSINESS_HOST: '127.0.0.1',
    BUSINESS_PORT: '0',
    AUTH_METRICS_PORT: '0',
    BUSINESS_METRICS_PORT: '0',
    AUTH_HTTP_PORT: '0',
    AUTH_DB_PATH: join(dir, 'auth.db'),
  };
  const pool = args.load === 'workers' ? new LoadPool(4) : undefined;
  const procs: ServiceProcess[] = [];
  try {
    const auth = await spawnService('auth-svc', { env });
    procs.push(auth);
    const client = await provisionServiceClient('business-svc', BUSINESS_SVC_SCOPES, env);
    const authClient = createAuthClient(`127.0.0.1:${auth.port}`);
    const { userId } = await authClient.register(USER);
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) tokens.push((await authClient.login(USER)).accessToken);
    authClient.close();

    const echo = await spawnService('bench-echo', { env: { PATH: env.PATH }, nodeArgs: profileArgs('echo') });
    procs.push(echo);
    const targets: { name: string; proc: ServiceProcess; noteId: string }[] = [];
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${tokens[0]}`);
    for (const [i, v] of variants.entries()) {
      const spawn = v.dist
        ? ((await import(join(v.dist, 'scripts/support/service-process.js'))) as { spawnService: typeof spawnService }).spawnService
        : spawnService;
      const proc = await spawn('business-svc', {
        env: { ...env, ...businessUpstreamEnv(client, `127.0.0.1:${auth.port}`), BENCH_SUBJECT: userId, BUSINESS_DB_PATH: join(dir, `b${i}.db`), ...v.env },
        nodeArgs: profileArgs(v.name, v.nodeArgs),
      });
      procs.push(proc);
      const notes = createNotesClient(`127.0.0.1:${proc.port}`);
      const res = await notes.createNote({ title: 'bench', body: 'x'.repeat(200) }, { metadata });
      notes.close();
      targets.push({ name: v.name, proc, noteId: res.note!.id });
    }
    const noteId = targets[0]!.noteId;
    const all = [{ name: 'echo', proc: echo, noteId }, ...targets];
    // A full answer's size, for h2load's failure check (one call each, made with grpc-js).
    const okBytes = new Map<string, number>();
    for (const t of all) {
      okBytes.set(t.name, await responseBytes(`127.0.0.1:${t.proc.port}`, NotesServiceService.getNote.path, GetNoteRequest.encode({ id: t.noteId }).finish(), tokens[0]));
    }
    const runs = new Map<string, Pick<LoadResult, 'rps' | 'p99Ms'>[]>(all.map((t) => [t.name, []]));
    const cpu = new Map<string, number[]>(all.map((t) => [t.name, []]));
    const served = new Map<string, number>(all.map((t) => [t.name, 0]));
    for (let r = 0; r <= rounds; r++) {
      for (const t of all) {
        const cpuBefore = cpuMs(t.proc.child.pid!);
        const request = GetNoteRequest.encode({ id: t.noteId }).finish();
        const address = `127.0.0.1:${t.proc.port}`;
        const result: Pick<LoadResult, 'ok' | 'rps' | 'p99Ms'> & { failed: number } = pool
          ? await pool
              .run({
                address,
                path: NotesServiceService.getNote.path,
                requests: [request],
                tokens,
                concurrency: Number(args.concurrency),
                durationMs: seconds * 1000,
                // No warm-up window inside a run (round 0 is the warm-up): every call counts, so CPU ÷ calls is per call.
                warmupMs: 0,
                maxCalls: 10_000_000,
              })
              .then((x) => ({ ...x, failed: Object.values(x.errors).reduce((a, b) => a + b, 0) }))
          : await runH2load({
              address,
              path: NotesServiceService.getNote.path,
              request,
              token: tokens[0],
              clients: 4,
              streams: Math.ceil(Number(args.concurrency) / 4),
              seconds,
              warmupSeconds: 0,
              okResponseBytes: okBytes.get(t.name)!,
            }).then((x) => ({ ...x, ok: x.calls - x.failed }));
        const usPerCall = ((cpuMs(t.proc.child.pid!) - cpuBefore) * 1000) / Math.max(1, result.ok);
        const failed = result.failed;
        served.set(t.name, served.get(t.name)! + result.ok);
        if (r > 0) {
          runs.get(t.name)!.push(result);
          cpu.get(t.name)!.push(usPerCall);
        }
        process.stderr.write(
          `round ${r}${r === 0 ? ' (warm-up)' : ''} ${t.name}: ${Math.round(result.rps)} req/s, ${usPerCall.toFixed(1)} µs CPU/call, p99 ${result.p99Ms.toFixed(2)} ms` +
            `${failed ? ` FAILED ${failed}` : ''} (load ${os.loadavg()[0]!.toFixed(2)})\n`,
        );
      }
    }
    const echoRps = median(runs.get('echo')!.map((x) => x.rps));
    const echoCpu = median(cpu.get('echo')!);
    const lines = [
      '| variant | req/s (median) | × echo | per-round × echo | µs CPU/call | echo ÷ this (CPU) | p99 ms | RSS MB (peak), largest process |',
      '|---|---:|---:|---|---:|---:|---:|---:|',
    ];
    for (const t of all) {
      const rs = runs.get(t.name)!;
      const perRound = rs.map((x, k) => (x.rps / runs.get('echo')![k]!.rps).toFixed(2)).join(' ');
      const mem = largestMemoryMb(t.proc.child.pid!);
      const rps = median(rs.map((x) => x.rps));
      const us = median(cpu.get(t.name)!);
      lines.push(
        `| ${t.name} | ${Math.round(rps)} | ${(rps / echoRps).toFixed(3)} | ${perRound} | ${us.toFixed(1)} | ${(echoCpu / us).toFixed(3)} | ` +
          `${median(rs.map((x) => x.p99Ms)).toFixed(2)} | ${mem.rss.toFixed(0)} (${mem.peak.toFixed(0)}) |`,
      );
    }
    if (args['cpu-prof-dir']) lines.push('', `calls served (warm-up included): ${all.map((t) => `${t.name} ${served.get(t.name)}`).join(', ')}`);
    process.stdout.write(`${lines.join('\n')}\nload average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
