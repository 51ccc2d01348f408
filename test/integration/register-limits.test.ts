import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createAuthClient, type AuthClient } from '@grpc-token-auth/sdk';
import { percentile } from '../support/hostile.js';
import { startSystem, type RunningSystem } from '../support/system.js';

/** Closer to production's scrypt cost (15) than the suite's cheap 12, so hashing contention is real. */
const SCRYPT_LOG_N = '14';
const password = 'register-limits-passphrase';

function runStorm(address: string, concurrency: number, ms: number): Promise<{ outcomes: Record<string, number>; retryAfter?: string }> {
  const cli = fileURLToPath(new URL('../support/register-storm-cli.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, address, String(concurrency), String(ms)], { timeout: ms + 20_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`storm failed: ${stderr.trim() || err.message}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

describe('Register limits (real processes)', function () {
  this.timeout(60_000);

  describe('with the default limits', () => {
    let sys: RunningSystem;
    let auth: AuthClient;
    before(async () => {
      // The documented defaults, not the suite's raised ones.
      sys = await startSystem({ PASSWORD_SCRYPT_LOG_N: SCRYPT_LOG_N, REGISTER_PER_ADDRESS_PER_HOUR: '', REGISTER_BURST_PER_ADDRESS: '', REGISTER_PER_MINUTE: '' });
      auth = createAuthClient(sys.authAddress);
    });
    after(async () => {
      auth?.close();
      await sys?.stop();
    });

    it('a storm from one address creates at most its burst of accounts; the rest get RESOURCE_EXHAUSTED with a retry hint; Logins keep their pace', async () => {
      // Two accounts to sign in with, registered first (they use up 2 of the address's 5).
      for (const email of ['idle@example.com', 'busy@example.com']) await auth.register({ email, password, displayName: 'L' });
      const login = () => timed(() => auth.login({ email: 'busy@example.com', password }));
      const idle: number[] = [];
      for (let i = 0; i < 10; i++) idle.push(await login());

      // 100 Register calls in flight for as long as the busy Logins take, from another process.
      const storm = runStorm(sys.authAddress, 100, 3000);
      await new Promise((r) => setTimeout(r, 300));
      const busy: number[] = [];
      for (let i = 0; i < 10; i++) busy.push(await login());
      const { outcomes, retryAfter: retryHint } = await storm;

      expect(outcomes.OK ?? 0, 'accounts the storm created: the burst (5) less the 2 above').to.be.at.most(3);
      expect(Object.keys(outcomes).filter((k) => k !== 'OK')).to.deep.equal(['RESOURCE_EXHAUSTED']);
      expect(Number(retryHint)).to.be.greaterThan(0);
      const [idleP99, busyP99] = [percentile(idle, 99), percentile(busy, 99)];
      console.log(`      Login p99 idle ${idleP99.toFixed(1)} ms, during the storm ${busyP99.toFixed(1)} ms (${(busyP99 / idleP99).toFixed(2)}×); storm outcomes ${JSON.stringify(outcomes)}`);
      // Target ≤ 2× (measured in the closing note); the bound here only catches a collapse (was 6.4 s vs 66 ms).
      expect(busyP99).to.be.below(idleP99 * 4 + 50);
    });
  });

  describe('with room to register', () => {
    let sys: RunningSystem;
    let auth: AuthClient;
    before(async () => {
      sys = await startSystem({ PASSWORD_SCRYPT_LOG_N: SCRYPT_LOG_N });
      auth = createAuthClient(sys.authAddress);
    });
    after(async () => {
      auth?.close();
      await sys?.stop();
    });

    it('answers a taken email (ALREADY_EXISTS) in the same time as a new one: no cheap way to learn who has an account', async () => {
      const register = (email: string) => auth.register({ email, password, displayName: 'T' }, { metadata: new Metadata() });
      await register('taken@example.com');
      const fresh: number[] = [];
      const taken: number[] = [];
      for (let i = 0; i < 6; i++) {
        fresh.push(await timed(() => register(`fresh-${i}@example.com`)));
        taken.push(await timed(() => register('TAKEN@example.com').catch((e: ServiceError) => expect(e.code).to.equal(status.ALREADY_EXISTS))));
      }
      const ratio = percentile(taken, 50) / percentile(fresh, 50);
      console.log(`      Register median: new ${percentile(fresh, 50).toFixed(1)} ms, taken ${percentile(taken, 50).toFixed(1)} ms (${ratio.toFixed(2)}×)`);
      expect(ratio).to.be.within(0.6, 1.6); // was 0.02 (1.5 ms against 74 ms)
    });

    it('refuses an unknown email in the same time as a wrong password (a real derivation, no hash computed at start)', async () => {
      const login = (email: string) =>
        timed(() => auth.login({ email, password: 'not-the-password-at-all' }).catch((e: ServiceError) => expect(e.code).to.equal(status.UNAUTHENTICATED)));
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 6; i++) {
        await auth.register({ email: `known-${i}@example.com`, password, displayName: 'K' });
        known.push(await login(`known-${i}@example.com`));
        unknown.push(await login(`nobody-${i}@example.com`));
      }
      const ratio = percentile(unknown, 50) / percentile(known, 50);
      console.log(`      Login refusal median: wrong password ${percentile(known, 50).toFixed(1)} ms, unknown email ${percentile(unknown, 50).toFixed(1)} ms (${ratio.toFixed(2)}×)`);
      expect(ratio).to.be.within(0.6, 1.6);
    });
  });
});
