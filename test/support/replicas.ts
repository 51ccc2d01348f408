import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { spawnService, type ServiceProcess } from '../../scripts/support/service-process.js';
import { testEnv, type RunningSystem } from './system.js';
import { businessUpstreamEnv } from '../../scripts/support/service-client-cli.js';

/**
 * `count` more business-svc processes next to `sys.business`, configured the same way
 * (same auth-svc, same service client), each on its own port and database file.
 * The caller stops them.
 */
export function startBusinessReplicas(sys: RunningSystem, count: number, extra: NodeJS.ProcessEnv = {}): Promise<ServiceProcess[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      spawnService('business-svc', {
        env: {
          ...businessUpstreamEnv(sys.serviceClient, sys.authAddress),
          ...testEnv(sys.dataDir, extra),
          BUSINESS_DB_PATH: join(sys.dataDir, `business-replica-${i + 1}.db`),
          AUTH_ADDRESS: sys.authAddress,
        },
      }),
    ),
  );
}

/** Resolves once the process's output pipes are closed, so `output` holds every line it wrote. */
export async function outputComplete(proc: ServiceProcess): Promise<readonly string[]> {
  await Promise.all([proc.child.stdout, proc.child.stderr].map((s) => (s ? finished(s).catch(() => undefined) : undefined)));
  return proc.output;
}

/** Times (ms since epoch) of the `rpc` log lines a service wrote for `method`. */
export function rpcLogTimes(output: readonly string[], method: string): number[] {
  const times: number[] = [];
  for (const line of output) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; method?: string; time?: number };
    if (entry.msg === 'rpc' && entry.method === method && entry.time !== undefined) times.push(entry.time);
  }
  return times;
}
