/**
 * h2load (Debian package `nghttp2-client`) as the load generator for unary gRPC calls: a C
 * client that costs the shared cores far less per call than Node workers do, so the server's
 * own cost shows. h2load counts a gRPC error as a success (it is HTTP 200 with `grpc-status` in
 * the trailers), so each run checks the DATA bytes it received: a refused call carries none.
 */
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUCKETS, bucketOf, quantileMs } from './histogram.js';
import { cpuMs } from './stack.js';

export interface H2loadSpec {
  readonly address: string;
  /** Full method path, e.g. `/business.v1.NotesService/GetNote`. */
  readonly path: string;
  /** The protobuf-encoded request message (the gRPC 5-byte prefix is added here). */
  readonly request: Uint8Array;
  readonly token?: string;
  readonly clients: number;
  /** Concurrent streams per client connection. */
  readonly streams: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /**
   * Encoded size of a successful response message: a run in which calls received fewer DATA
   * bytes than that on average had failures, and is reported as such.
   */
  readonly okResponseBytes: number;
  /** The server's pid: its CPU time (the whole process tree) over the measured run is reported per call. */
  readonly serverPid?: number;
}

export interface H2loadResult {
  readonly rps: number;
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Calls that received less than a successful response's bytes (estimated from the DATA total). */
  readonly failed: number;
  /** Server CPU µs per call over the measured run (with `serverPid`): steadier than req/s on a shared machine. */
  readonly cpuUsPerCall?: number;
}

/** The h2load binary, or undefined when it is not installed. */
export function findH2load(): string | undefined {
  try {
    execFileSync('h2load', ['--version'], { stdio: 'ignore' });
    return 'h2load';
  } catch {
    return undefined;
  }
}

/** Encoded size of the response to one call (made with grpc-js, so an error fails here, not silently in h2load). */
export async function responseBytes(address: string, path: string, request: Uint8Array, token?: string): Promise<number> {
  const client = new Client(address, credentials.createInsecure());
  const metadata = new Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  const identity = (b: Buffer) => b;
  try {
    return await new Promise<number>((resolve, reject) =>
      client.makeUnaryRequest(path, identity, identity, Buffer.from(request), metadata, (err, res) => (err ? reject(err) : resolve(res!.length))),
    );
  } finally {
    client.close();
  }
}

export async function runH2load(spec: H2loadSpec): Promise<H2loadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'h2load-'));
  try {
    const body = join(dir, 'body');
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(spec.request.length, 1);
    writeFileSync(body, Buffer.concat([prefix, spec.request]));
    const log = join(dir, 'log');
    const headers = ['content-type: application/grpc', 'te: trailers', ...(spec.token ? [`authorization: Bearer ${spec.token}`] : [])];
    const h2load = (length: string[], extra: string[] = []) =>
      run('h2load', [
        ...headers.flatMap((h) => ['-H', h]),
        ...['-d', body, '-c', String(spec.clients), '-m', String(spec.streams), '-t', '1'],
        ...length,
        ...extra,
        `http://${spec.address}${spec.path}`,
      ]);
    // h2load's DATA byte total includes its --warm-up-time, its call counts do not: the warm-up is
    // a run of its own. Its rate sizes the measured run as a number of calls, so every call
    // measured is complete and the byte total holds exactly theirs.
    let length = ['-D', `${Math.round(spec.seconds * 1000)}ms`];
    if (spec.warmupSeconds > 0) {
      const warm = parse(await h2load(['-D', `${Math.round(spec.warmupSeconds * 1000)}ms`]));
      length = ['-n', String(Math.max(spec.clients * spec.streams * 10, Math.round(warm.rps * spec.seconds)))];
    }
    const cpuBefore = spec.serverPid === undefined ? 0 : cpuMs(spec.serverPid);
    const out = parse(await h2load(length, ['--log-file', log]));
    const cpuUsPerCall = spec.serverPid === undefined || out.succeeded === 0 ? undefined : ((cpuMs(spec.serverPid) - cpuBefore) * 1000) / out.succeeded;
    // Each line: start time (µs since epoch), HTTP status, time to the last byte (µs).
    const latency = new Uint32Array(BUCKETS);
    for (const line of readFileSync(log, 'utf8').split('\n')) if (line) latency[bucketOf(Number(line.split('\t')[2]))]!++;
    // A refused call is HTTP 200 with no DATA: each missing answer's bytes is one failed call.
    // (A timed run may count a few answers of calls still in flight at its end, at most one per stream.)
    const answer = spec.okResponseBytes + 5;
    const short = Math.ceil(Math.max(0, out.succeeded * answer - out.dataBytes) / answer);
    const inFlight = length[0] === '-D' ? spec.clients * spec.streams : 0;
    if (out.dataBytes > (out.succeeded + inFlight) * answer) throw new Error(`h2load received more DATA than ${out.succeeded} answers:\n${out.text}`);
    const failed = short + out.unsuccessful + (out.succeeded === 0 ? 1 : 0);
    return { rps: out.rps, calls: out.succeeded, p50Ms: quantileMs(latency, 0.5), p99Ms: quantileMs(latency, 0.99), failed, cpuUsPerCall };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures of one h2load run; `unsuccessful`: calls h2load itself saw fail (HTTP errors, resets, timeouts). */
function parse(text: string): { rps: number; succeeded: number; unsuccessful: number; dataBytes: number; text: string } {
  const counts = /(\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(text);
  const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(text)?.[1] ?? NaN);
  const dataBytes = Number(/traffic: .*?\((\d+)\) data/.exec(text)?.[1] ?? NaN);
  if (!counts || !Number.isFinite(rps) || !Number.isFinite(dataBytes)) throw new Error(`unexpected h2load output:\n${text}`);
  const [succeeded, failed, errored, timeout] = counts.slice(1).map(Number) as [number, number, number, number];
  return { rps, succeeded, unsuccessful: failed + errored + timeout, dataBytes, text };
}

function run(cmd: string, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`h2load exited ${code}:\n${out}`))));
  });
}
