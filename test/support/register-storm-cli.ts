import { status, type ServiceError } from '@grpc/grpc-js';
import { createAuthClient } from '@grpc-token-auth/sdk';

/**
 * A Register storm from a process of its own (so the test's timings measure the server, not
 * the attacker's event loop): `register-storm-cli <address> <concurrency> <ms>` keeps that many
 * Register calls in flight for that long, ignoring every retry hint, and prints the outcomes.
 */
const [address, concurrency, ms] = process.argv.slice(2);
const auth = createAuthClient(address!);
const outcomes: Record<string, number> = {};
let retryAfter: string | undefined;
const until = Date.now() + Number(ms);
const caller = async (worker: number) => {
  for (let i = 0; Date.now() < until; i++) {
    try {
      await auth.register({ email: `storm-${worker}-${i}@example.com`, password: 'register-storm-passphrase', displayName: 'S' });
      outcomes.OK = (outcomes.OK ?? 0) + 1;
    } catch (err) {
      const e = err as ServiceError;
      outcomes[status[e.code] ?? e.code] = (outcomes[status[e.code] ?? e.code] ?? 0) + 1;
      retryAfter ??= e.metadata?.get('retry-after-seconds')[0] as string | undefined;
    }
  }
};
await Promise.all(Array.from({ length: Number(concurrency) }, (_, w) => caller(w)));
auth.close();
process.stdout.write(`${JSON.stringify({ outcomes, retryAfter })}\n`);
