/**
 * `node dist/scripts/health-check.js [host:port] [service]`: asks a server's
 * grpc.health.v1.Health/Check and exits 0 only for SERVING (container HEALTHCHECK; no
 * grpc_health_probe binary to download). Defaults: 127.0.0.1 and the port from
 * AUTH_PORT / BUSINESS_PORT, whichever is set, and the whole server ('').
 */
import { createClient } from '@grpc-token-auth/sdk';
import { HealthCheckResponse_ServingStatus, HealthDefinition } from '../gen/grpc/health/v1/health.js';

const TIMEOUT_MS = 3000;

const [addressArg, service = ''] = process.argv.slice(2);
const port = process.env.AUTH_PORT ?? process.env.BUSINESS_PORT;
const address = addressArg ?? (port ? `127.0.0.1:${port}` : undefined);
if (!address) {
  process.stderr.write('usage: health-check <host:port> [service]\n');
  process.exit(64);
}

const client = createClient(HealthDefinition, address);
try {
  const res = await client.check({ service }, { timeoutMs: TIMEOUT_MS });
  const serving = res.status === HealthCheckResponse_ServingStatus.SERVING;
  process.stdout.write(`${address} ${service || '(server)'}: ${HealthCheckResponse_ServingStatus[res.status]}\n`);
  process.exitCode = serving ? 0 : 1;
} catch (err) {
  process.stderr.write(`${address}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  client.close();
}
