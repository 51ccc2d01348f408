import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createAuthClient, type AuthClient } from '@grpc-token-auth/sdk';
import { RETRY_AFTER_TRAILER } from '../../auth-svc/throttle/login-guard.js';
import { expectStatus } from '../support/grpc.js';
import { startSystem, type RunningSystem } from '../support/system.js';

describe('login throttling (real processes)', () => {
  let sys: RunningSystem;
  let auth: AuthClient;
  const password = 'correct-horse-battery-staple';

  before(async () => {
    sys = await startSystem({ LOGIN_MAX_ACCOUNT_FAILURES: '3', LOGIN_MAX_ADDRESS_FAILURES: '30' });
    auth = createAuthClient(sys.authAddress);
    for (const name of ['victim', 'regular', 'burst']) {
      await auth.register({ email: `${name}@example.com`, password, displayName: name });
    }
  });
  after(async () => {
    auth?.close();
    await sys?.stop();
  });

  const login = (email: string, pw: string) => auth.login({ email, password: pw });
  const retryAfter = (err: ServiceError) => Number(err.metadata.get(RETRY_AFTER_TRAILER)[0]);

  it('delays an account after repeated failures, with RESOURCE_EXHAUSTED and a retry hint, then lets it in', async function () {
    this.timeout(15_000);
    for (let i = 0; i < 3; i++) await expectStatus(login('victim@example.com', 'wrong-password-guess'), status.UNAUTHENTICATED);
    // Even the right password waits: the password is not checked at all while throttled.
    const err = await expectStatus(login('victim@example.com', password), status.RESOURCE_EXHAUSTED, /too many failed sign-in attempts for this account; retry in 1 s/);
    expect(retryAfter(err)).to.equal(1);
    await new Promise((r) => setTimeout(r, retryAfter(err) * 1000 + 50));
    expect((await login('victim@example.com', password)).userId).to.be.a('string');
  });

  it('throttles guesses at unknown accounts too (no free enumeration)', async () => {
    for (let i = 0; i < 3; i++) await expectStatus(login('nobody@example.com', 'wrong-password-guess'), status.UNAUTHENTICATED);
    await expectStatus(login('nobody@example.com', 'wrong-password-guess'), status.RESOURCE_EXHAUSTED);
  });

  it('does not lock a user out from an address they signed in from before', async () => {
    await login('regular@example.com', password); // known-good address from now on
    for (let i = 0; i < 5; i++) await expectStatus(login('regular@example.com', 'wrong-password-guess'), status.UNAUTHENTICATED);
    expect((await login('regular@example.com', password)).userId).to.be.a('string');
  });

  it('does not let a parallel burst of guesses be hashed before the first failures count', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => login('burst@example.com', 'wrong-password-guess')));
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as ServiceError).code : status.OK));
    // Attempts take turns: no more wrong passwords are checked than the threshold (3) allows.
    expect(codes.filter((c) => c === status.UNAUTHENTICATED).length, 'password checks').to.equal(3);
    expect(codes.filter((c) => c === status.RESOURCE_EXHAUSTED).length).to.equal(7);
  });
});

describe('login throttling per client address (real processes)', () => {
  let sys: RunningSystem;
  let auth: AuthClient;

  before(async () => {
    sys = await startSystem({ LOGIN_MAX_ADDRESS_FAILURES: '5' });
    auth = createAuthClient(sys.authAddress);
  });
  after(async () => {
    auth?.close();
    await sys?.stop();
  });

  it('locks out an address spraying guesses over many accounts', async () => {
    for (let i = 0; i < 5; i++) {
      await expectStatus(auth.login({ email: `spray${i}@example.com`, password: 'password-spray-1' }), status.UNAUTHENTICATED);
    }
    const err = await expectStatus(
      auth.login({ email: 'fresh-account@example.com', password: 'password-spray-1' }),
      status.RESOURCE_EXHAUSTED,
      /for your address/,
    );
    expect(Number(err.metadata.get(RETRY_AFTER_TRAILER)[0])).to.be.within(59, 60);
  });
});
