import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SCOPES } from '@grpc-token-auth/server-kit';

const CLI = fileURLToPath(new URL('../service-clients.js', import.meta.url));

export interface ProvisionedClient {
  readonly id: string;
  readonly secret: string;
}

/** business-svc's settings for reaching auth-svc as itself (keys, revocation stream, display names). */
export function businessUpstreamEnv(client: ProvisionedClient, authAddress: string): NodeJS.ProcessEnv {
  return { SERVICE_CLIENT_ID: client.id, SERVICE_CLIENT_SECRET: client.secret, AUTH_ADDRESS: authAddress };
}

/** What business-svc needs from auth-svc: the revocation stream and display names. */
export const BUSINESS_SVC_SCOPES = [SCOPES.revocationsWatch, SCOPES.usersRead];

/** Runs `service-clients` (the real admin command) against auth-svc's database. */
export function serviceClientsCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { env }, (err, stdout, stderr) =>
      err ? reject(new Error(`service-clients ${args[0]} failed: ${stderr.trim() || err.message}`)) : resolve(stdout),
    );
  });
}

/**
 * A client with a fresh secret: created on first use, its secret rotated when it exists
 * already (secrets are shown only once, so a restart needs a new one).
 */
export async function provisionServiceClient(name: string, scopes: readonly string[], env: NodeJS.ProcessEnv): Promise<ProvisionedClient> {
  let out: string;
  try {
    out = await serviceClientsCli(['create', name, '--scopes', scopes.join(','), '--json'], env);
  } catch (err) {
    if (!String(err).includes('already exists')) throw err;
    out = await serviceClientsCli(['rotate-secret', name, '--json'], env);
  }
  const parsed = JSON.parse(out) as { id: string; secret: string };
  return { id: parsed.id, secret: parsed.secret };
}
