import { status, type ServiceError } from '@grpc/grpc-js';
import { createAuthClient, type AuthClient } from '@grpc-token-auth/sdk';

/** A client with a connection of its own (grpc-js shares them by default), so node:cluster hands each to the next worker. */
const OWN_CONNECTION = { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } };

/** Runs `call` on a fresh client (its own new connection) to `address`, closed afterwards; resolves with the status. */
export async function onNewConnection(address: string, call: (auth: AuthClient) => Promise<unknown>): Promise<status> {
  const auth = createAuthClient(address, OWN_CONNECTION);
  try {
    await call(auth);
    return status.OK;
  } catch (err) {
    const code = (err as ServiceError).code;
    if (code === undefined) throw err;
    return code;
  } finally {
    auth.close();
  }
}

/**
 * How many attempts got `counted` (e.g. UNAUTHENTICATED for a wrong password) before the first
 * RESOURCE_EXHAUSTED, one new connection per attempt, taking the addresses in turn. Any other status
 * fails; so does never being refused within `max` attempts (reported as `max`, not hidden).
 */
export async function attemptsBeforeRefusal(
  addresses: readonly string[],
  counted: status,
  attempt: (auth: AuthClient, i: number) => Promise<unknown>,
  max = 40,
): Promise<number> {
  for (let i = 0; i < max; i++) {
    const code = await onNewConnection(addresses[i % addresses.length]!, (auth) => attempt(auth, i));
    if (code === status.RESOURCE_EXHAUSTED) return i;
    if (code !== counted) throw new Error(`attempt ${i + 1}: ${status[code]}, expected ${status[counted]} or RESOURCE_EXHAUSTED`);
  }
  return max;
}

/** `count` attempts at once, each on its own new connection; resolves with how many ended with each status. */
export async function parallelAttempts(addresses: readonly string[], count: number, attempt: (auth: AuthClient) => Promise<unknown>): Promise<Record<string, number>> {
  const codes = await Promise.all(Array.from({ length: count }, (_, i) => onNewConnection(addresses[i % addresses.length]!, attempt)));
  const tally: Record<string, number> = {};
  for (const code of codes) tally[status[code]] = (tally[status[code]] ?? 0) + 1;
  return tally;
}
