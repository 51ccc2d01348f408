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
}

export interface H2loadResult {
  readonly rps: number;
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Calls that received less than a successful response's bytes (estimated from the DATA total). */
  readonly failed: number;
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
    const out = await run('h2load', [
      ...headers.flatMap((h) => ['-H', h]),
      '-d', body,
      '-c', String(spec.clients),
      '-m', String(spec.streams),
      '-t', '1',
      '-D', `${Math.round(spec.seconds * 1000)}ms`,
      '--warm-up-time', `${Math.round(spec.warmupSeconds * 1000)}ms`,
      '--log-file', log,
      `http://${spec.address}${spec.path}`,
    ]);
    const succeeded = Number(/(\d+) succeeded/.exec(out)?.[1] ?? NaN);
    const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out)?.[1] ?? NaN);
    const dataBytes = Number(/traffic: .*?\((\d+)\) data/.exec(out)?.[1] ?? NaN);
    if (!Number.isFinite(succeeded) || !Number.isFinite(rps) || !Number.isFinite(dataBytes)) {
      throw new Error(`unexpected h2load output:\n${out}`);
    }
    // Each line: start time (µs since epoch), HTTP status, time to the last byte (µs).
    const latency = new Uint32Array(BUCKETS);
    for (const line of readFileSync(log, 'utf8').split('\n')) if (line) latency[bucketOf(Number(line.split('\t')[2]))]!++;
    const perCall = succeeded > 0 ? dataBytes / succeeded : 0;
    const failed = perCall >= spec.okResponseBytes + 5 ? 0 : Math.round(succeeded * (1 - perCall / (spec.okResponseBytes + 5)));
    return { rps, calls: succeeded, p50Ms: quantileMs(latency, 0.5), p99Ms: quantileMs(latency, 0.99), failed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
