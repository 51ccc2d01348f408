/**
 * `npm start`: both services on their default ports with SQLite files under data/,
 * a demo user, and grpcurl lines to try. Ctrl-C stops both.
 */
import { status } from '@grpc/grpc-js';
import { createAuthClient } from '@grpc-token-auth/sdk';
import { BUSINESS_SVC_SCOPES, businessUpstreamEnv, provisionServiceClient } from './support/service-client-cli.js';
import { spawnService, type ServiceProcess } from './support/service-process.js';

const DEMO = { email: 'demo@example.com', password: 'correct-horse-battery', displayName: 'Demo User' };

const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };
const running: ServiceProcess[] = [];

async function main(): Promise<void> {
  running.push(await spawnService('auth-svc', { env, echo: true }));
  // business-svc's own identity at auth-svc: revocation stream and display names.
  const serviceClient = await provisionServiceClient('business-svc', BUSINESS_SVC_SCOPES, env);
  // business-svc fetches auth-svc's public keys to verify tokens.
  const businessEnv = { ...env, ...businessUpstreamEnv(serviceClient, `127.0.0.1:${running[0]!.port}`) };
  running.push(await spawnService('business-svc', { env: businessEnv, echo: true }));
  const [auth, business] = running as [ServiceProcess, ServiceProcess];

  const client = createAuthClient(`127.0.0.1:${auth.port}`);
  try {
    await client.register(DEMO);
  } catch (err) {
    if ((err as { code?: number }).code !== status.ALREADY_EXISTS) throw err;
  } finally {
    client.close();
  }

  const a = `127.0.0.1:${auth.port}`;
  const b = `127.0.0.1:${business.port}`;
  const login = `grpcurl -plaintext -d '{"email":"${DEMO.email}","password":"${DEMO.password}"}' ${a} auth.v1.AuthService/Login`;
  process.stdout.write(`
auth-svc     listening on ${a}
business-svc listening on ${b}
metrics      ${[auth, business].map((s) => (s.metricsPort ? `http://127.0.0.1:${s.metricsPort}/metrics` : 'off')).join('  ')}
discovery    ${auth.httpPort ? `http://127.0.0.1:${auth.httpPort}/.well-known/openid-configuration` : 'off'}
demo user    ${DEMO.email} / ${DEMO.password}   (development only)

Try it (needs grpcurl and jq, see the README's Quick start; grpcurl uses server reflection, no .proto files needed):
  grpcurl -plaintext ${a} list
  ${login}
  TOKEN=$(${login} | jq -r .accessToken)
  grpcurl -plaintext -H "authorization: Bearer $TOKEN" ${b} business.v1.DashboardService/GetDashboard
  grpcurl -plaintext -H "authorization: Bearer $TOKEN" -d '{"title":"hello"}' ${b} business.v1.NotesService/CreateNote
  grpcurl -plaintext -max-time 60 -H "authorization: Bearer $TOKEN" ${b} business.v1.NotesService/WatchNotes &   # changes from the moment it subscribes
  sleep 1   # let the watcher subscribe first
  grpcurl -plaintext -H "authorization: Bearer $TOKEN" -d '{"title":"watched"}' ${b} business.v1.NotesService/CreateNote
  grpcurl -plaintext -H "authorization: Bearer $TOKEN" ${a} auth.v1.AuthService/Logout   # ends the watcher: Unauthenticated, session has been revoked
  wait
  grpcurl -plaintext -H "authorization: Bearer $TOKEN" ${b} business.v1.DashboardService/GetDashboard   # now refused: session revoked

Press Ctrl-C to stop.
`);
}

async function stopAll(): Promise<void> {
  await Promise.all(running.map((s) => s.stop()));
  process.exit(0);
}

process.on('SIGINT', () => void stopAll());
process.on('SIGTERM', () => void stopAll());
// npm 11 exits on SIGTERM without passing it on: when the parent that started us goes away,
// stop the services too rather than leave them running.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stopAll();
}, 1000).unref();
main().catch(async (err: unknown) => {
  process.stderr.write(`start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  await Promise.all(running.map((s) => s.stop()));
  process.exit(1);
});
