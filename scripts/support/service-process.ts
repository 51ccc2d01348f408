import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Root of the build output (dist/), where each service's main.js lives. */
const DIST = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `bench-echo`: the benchmark's bare grpc-js baseline (scripts/bench/echo-server.ts);
 * `bench-business-without-verification`: business-svc with its verifier replaced, for the benchmark only.
 */
export type ServiceName = 'auth-svc' | 'business-svc' | 'bench-echo' | 'bench-business-without-verification';

const ENTRY: Record<ServiceName, string> = {
  'auth-svc': 'auth-svc/main.js',
  'business-svc': 'business-svc/main.js',
  'bench-echo': 'scripts/bench/echo-server.js',
  'bench-business-without-verification': 'scripts/bench/business-svc-without-verification.js',
};

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly port: number;
  /** Port of the `/metrics` listener, from its `metrics listening` line; undefined when metrics are off. */
  readonly metricsPort: number | undefined;
  /** Port of auth-svc's discovery/JWKS listener, from its `http listening` line; undefined when off. */
  readonly httpPort: number | undefined;
  readonly child: ChildProcess;
  /** Every line the service wrote (stdout and stderr), for inspection. */
  readonly output: string[];
  /** SIGTERM, then wait for exit (SIGKILL after `timeoutMs`). Resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/**
 * V8 heap sizing every default start path uses (`npm start`, `npm run auth-svc|business-svc`
 * in package.json, the images' NODE_OPTIONS; a unit test keeps the three equal). Without a cap
 * V8 sizes the heap from the machine's memory and keeps what it once used (254 MB resident after
 * 100 concurrent streams on a 24 GB machine); a bounded young generation keeps scavenges short.
 */
export const SERVICE_HEAP_FLAGS: readonly string[] = ['--max-old-space-size=256', '--max-semi-space-size=12'];

export interface SpawnOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Mirror the service's output on this process's stdout. */
  readonly echo?: boolean;
  readonly readyTimeoutMs?: number;
  /** Node flags, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). Default: SERVICE_HEAP_FLAGS. */
  readonly nodeArgs?: readonly string[];
  /** The node executable to run the service with (another Node line, for the benchmark). Default: this one. */
  readonly node?: string;
}

/** Starts a built service as a child process and resolves once it logs `listening` (metrics, if on, are up by then). */
export function spawnService(name: ServiceName, opts: SpawnOptions): Promise<ServiceProcess> {
  const child = spawn(opts.node ?? process.execPath, [...(opts.nodeArgs ?? SERVICE_HEAP_FLAGS), `${DIST}${ENTRY[name]}`], {
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`${name} not ready within ${opts.readyTimeoutMs ?? 15_000} ms:\n${output.join('\n')}`));
    }, opts.readyTimeoutMs ?? 15_000);

    let metricsPort: number | undefined;
    let httpPort: number | undefined;
    const onLine = (line: string) => {
      output.push(line);
      if (opts.echo) process.stdout.write(`[${name}] ${line}\n`);
      const announced = announcedPort(line);
      if (announced?.msg === 'metrics listening') metricsPort = announced.port;
      if (announced?.msg === 'http listening') httpPort ??= announced.port;
      if (announced?.msg === 'listening') {
        clearTimeout(timer);
        resolve({ name, port: announced.port, metricsPort, httpPort, child, output, stop });
      }
    };
    lines(child.stdout!, onLine);
    lines(child.stderr!, onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready:\n${output.join('\n')}`));
    });
  });
}

/** `listening` / `metrics listening` / `http listening` log lines: which listener and its bound port. */
function announcedPort(line: string): { msg: string; port: number } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return typeof entry.msg === 'string' && typeof entry.port === 'number' ? { msg: entry.msg, port: entry.port } : undefined;
  } catch {
    return undefined;
  }
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
}
