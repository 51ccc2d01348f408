import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createAuthClient, type AuthClient } from '@grpc-token-auth/sdk';
import { expectStatus } from '../support/grpc.js';
import { startSystem, TEST_AUDIENCE, TEST_ISSUER, type RunningSystem } from '../support/system.js';

describe('auth-svc Register and Login (real process)', () => {
  let sys: RunningSystem;
  let auth: AuthClient;
  const password = 'a-perfectly-fine-passphrase';

  before(async () => {
    sys = await startSystem();
    auth = createAuthClient(sys.authAddress);
  });
  after(async () => {
    auth?.close();
    await sys?.stop();
  });

  const register = (email: string, pw = password, displayName = 'Alice') =>
    auth.register({ email, password: pw, displayName });
  const login = (email: string, pw: string) => auth.login({ email, password: pw });

  it('registers, then logs in with a signed JWT carrying the documented claims', async () => {
    const { userId } = await register('alice@example.com');
    expect(userId).to.match(/^[0-9a-f-]{36}$/);
    const res = await login('alice@example.com', password);
    expect(res.tokenType).to.equal('Bearer');
    expect(res.expiresIn).to.equal(300);
    expect(res.userId).to.equal(userId);
    const { header, payload } = jwt.decode(res.accessToken, { complete: true }) as jwt.Jwt & { payload: jwt.JwtPayload };
    expect(header.alg).to.equal('RS256');
    expect(header.kid).to.be.a('string');
    expect(payload.sub).to.equal(userId);
    expect(payload.iss).to.equal(TEST_ISSUER);
    expect(payload.aud).to.equal(TEST_AUDIENCE);
    expect(payload.exp! - payload.iat!).to.equal(300);
    expect(payload.jti).to.match(/^[0-9a-f-]{36}$/);
    expect(payload.roles).to.deep.equal(['user']);
  });

  it('treats email case-insensitively: login and duplicate detection', async () => {
    await register('Bob@Example.com');
    await login('bob@EXAMPLE.com', password);
    await expectStatus(register('BOB@example.COM'), status.ALREADY_EXISTS, /already registered/);
  });

  it('gives the same UNAUTHENTICATED answer for wrong password and unknown email', async () => {
    await register('carol@example.com');
    const wrong = await expectStatus(login('carol@example.com', 'not-the-password-1'), status.UNAUTHENTICATED);
    const unknown = await expectStatus(login('nobody@example.com', password), status.UNAUTHENTICATED);
    expect(wrong.details).to.equal(unknown.details);
    expect(wrong.details).to.equal('invalid email or password');
  });

  it('validates registration input with INVALID_ARGUMENT naming the field', async () => {
    await expectStatus(register('not-an-email'), status.INVALID_ARGUMENT, /^email: /);
    await expectStatus(register(''), status.INVALID_ARGUMENT, /^email: is required/);
    await expectStatus(register('x'.repeat(250) + '@example.com'), status.INVALID_ARGUMENT, /^email: must be at most 254/);
    await expectStatus(register('dan@example.com', 'short'), status.INVALID_ARGUMENT, /^password: must be at least 10/);
    await expectStatus(register('dan@example.com', 'password123'), status.INVALID_ARGUMENT, /^password: is too common/);
    await expectStatus(register('dan@example.com', 'x'.repeat(129)), status.INVALID_ARGUMENT, /^password: must be at most 128/);
    await expectStatus(register('dan@example.com', password, '   '), status.INVALID_ARGUMENT, /^display_name: is required/);
    await expectStatus(register('dan@example.com', password, 'n'.repeat(101)), status.INVALID_ARGUMENT, /^display_name: /);
    // Nothing was created by the refused attempts.
    await expectStatus(login('dan@example.com', password), status.UNAUTHENTICATED);
  });

  it('refuses empty login fields with INVALID_ARGUMENT and over-long ones as bad credentials', async () => {
    await expectStatus(login('', password), status.INVALID_ARGUMENT, /^email: is required/);
    await expectStatus(login('alice@example.com', ''), status.INVALID_ARGUMENT, /^password: is required/);
    await expectStatus(login('alice@example.com', 'p'.repeat(5000)), status.UNAUTHENTICATED);
  });

  it('lets exactly one of two concurrent registrations of an email win', async () => {
    const results = await Promise.allSettled([register('race@example.com'), register('RACE@example.com')]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((failed.reason as { code: number }).code).to.equal(status.ALREADY_EXISTS);
  });

  it('never writes a password or a token to its logs', async () => {
    const secretPassword = 'log-canary-passphrase-42';
    await register('dave@example.com', secretPassword);
    const { accessToken } = await login('dave@example.com', secretPassword);
    await expectStatus(login('dave@example.com', 'wrong-canary-passphrase'), status.UNAUTHENTICATED);
    await new Promise((r) => setTimeout(r, 100)); // let the last log lines arrive
    const logs = sys.auth.output.join('\n');
    expect(logs).to.include('/auth.v1.AuthService/Login'); // the log is there...
    expect(logs).not.to.include(secretPassword); // ...without secrets
    expect(logs).not.to.include('wrong-canary-passphrase');
    expect(logs).not.to.include(accessToken.split('.')[2]);
  });
});
