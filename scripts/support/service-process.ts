import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Root of the build output (dist/), where each service's main.js lives. */
const DIST = fileURLToPath(new URL('../../', import.meta.url));

export type ServiceName = 'auth-svc' | 'business-svc';

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly port: number;
  readonly child: ChildProcess;
  /** Every line the service wrote (stdout and stderr), for inspection. */
  readonly output: string[];
  /** SIGTERM, then wait for exit (SIGKILL after `timeoutMs`). Resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Mirror the service's output on this process's stdout. */
  readonly echo?: boolean;
  readonly readyTimeoutMs?: number;
  /** Extra node flags, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  readonly nodeArgs?: readonly string[];
}

/** Starts a built service as a child process and resolves once it logs `listening`. */
export function spawnService(name: ServiceName, opts: SpawnOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), `${DIST}${name}/main.js`], {
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

    const onLine = (line: string) => {
      output.push(line);
      if (opts.echo) process.stdout.write(`[${name}] ${line}\n`);
      const port = listeningPort(line);
      if (port !== undefined) {
        clearTimeout(timer);
        resolve({ name, port, child, output, stop });
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

function listeningPort(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    return entry.msg === 'listening' ? entry.port : undefined;
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
