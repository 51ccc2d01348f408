import { expect } from 'chai';
import { ANY_USER, createAuthenticate, INFRASTRUCTURE_POLICIES, PUBLIC, StaticKeySet, unauthenticated, verifyAccessToken, type AuthResult, type PolicyTable, type Principal, type TokenVerifier } from '../dist/index.js';
import { failureOf, servicePrincipal, userPrincipal } from './fixtures.js';

const TOKEN = 'aaaa.bbbb.cccc';
const BEARER = [`Bearer ${TOKEN}`];

const POLICIES: PolicyTable = {
  ...INFRASTRUCTURE_POLICIES,
  '/test.v1.Svc/Ping': PUBLIC,
  '/test.v1.Svc/Me': ANY_USER,
  '/test.v1.Svc/Admin': { access: 'user', roles: ['admin'] },
  '/test.v1.Svc/Sync': { access: 'service', scope: 'notes:sync' },
};

/** A verifier that always answers `result` and records the tokens it was given. */
function fakeVerifier(result: AuthResult<Principal>): TokenVerifier & { calls: string[] } {
  const calls: string[] = [];
  const verify = (token: string) => {
    calls.push(token);
    return result;
  };
  return Object.assign(verify, { calls });
}

const ok = (principal: Principal): AuthResult<Principal> => ({ ok: true, value: principal });

describe('createAuthenticate', () => {
  it('denies a method missing from the policy table without calling the verifier', () => {
    const verify = fakeVerifier(ok(userPrincipal()));
    const failure = failureOf(createAuthenticate(POLICIES, verify)('/test.v1.Svc/Unknown', BEARER));
    expect(failure.status).to.equal('permission_denied');
    expect(failure.reason).to.equal('no_policy');
    expect(verify.calls).to.have.length(0);
  });

  it('does not resolve methods through the prototype chain', () => {
    const verify = fakeVerifier(ok(userPrincipal()));
    const authenticate = createAuthenticate(POLICIES, verify);
    for (const path of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(failureOf(authenticate(path, BEARER)).reason, path).to.equal('no_policy');
    }
    expect(verify.calls).to.have.length(0);
  });

  it('lets anyone call a public method, ignoring even garbage authorization, without calling the verifier', () => {
    const verify = fakeVerifier(ok(userPrincipal()));
    const authenticate = createAuthenticate(POLICIES, verify);
    for (const authorization of [[], ['garbage'], ['Basic Zm9vOmJhcg=='], ['Bearer x', 'Bearer y'], [Buffer.from('z')]]) {
      expect(authenticate('/test.v1.Svc/Ping', authorization)).to.deep.equal({ ok: true, principal: undefined });
    }
    expect(authenticate('/grpc.health.v1.Health/Check', ['Bearer expired.token.here'])).to.deep.equal({
      ok: true,
      principal: undefined,
    });
    expect(verify.calls).to.have.length(0);
  });

  it('refuses a user method without authorization as unauthenticated/missing', () => {
    const verify = fakeVerifier(ok(userPrincipal()));
    const failure = failureOf(createAuthenticate(POLICIES, verify)('/test.v1.Svc/Me', []));
    expect(failure.status).to.equal('unauthenticated');
    expect(failure.reason).to.equal('missing');
    expect(verify.calls).to.have.length(0);
  });

  it('refuses a wrong scheme before verification', () => {
    const verify = fakeVerifier(ok(userPrincipal()));
    const authenticate = createAuthenticate(POLICIES, verify);
    expect(failureOf(authenticate('/test.v1.Svc/Me', [`Basic ${TOKEN}`])).reason).to.equal('wrong_scheme');
    expect(verify.calls).to.have.length(0);
  });

  it('refuses a value that is not three segments before verification', () => {
    const verify = fakeVerifier(ok(userPrincipal()));
    const authenticate = createAuthenticate(POLICIES, verify);
    for (const value of ['not-a-jwt', 'a.b', 'a.b.c.d', '.b.c', 'a..c', 'a.b c.d']) {
      expect(failureOf(authenticate('/test.v1.Svc/Me', [`Bearer ${value}`])).reason, value).to.equal('malformed');
    }
    expect(verify.calls).to.have.length(0);
  });

  it("leaves the full character check to the verifier, so a cached token skips it", () => {
    const verify = fakeVerifier(ok(userPrincipal()));
    createAuthenticate(POLICIES, verify)('/test.v1.Svc/Me', ['Bearer ab+c.def.ghi']);
    expect(verify.calls).to.deep.equal(['ab+c.def.ghi']);
    // The real verifier refuses it; bearer.test.ts checks every shape.
    const real = createAuthenticate(POLICIES, (t) => verifyAccessToken(t, { keys: new StaticKeySet([]), issuer: 'i', audience: 'a', clockSkewSeconds: 0 }));
    const failure = failureOf(real('/test.v1.Svc/Me', ['Bearer ab+c.def.ghi']));
    expect([failure.reason, failure.message]).to.deep.equal(['malformed', 'bearer token is not a JWT']);
  });

  it('passes the bare token (without the scheme) to the verifier exactly once', () => {
    const verify = fakeVerifier(ok(userPrincipal()));
    createAuthenticate(POLICIES, verify)('/test.v1.Svc/Me', [`bearer ${TOKEN}`]);
    expect(verify.calls).to.deep.equal([TOKEN]);
  });

  it('propagates the verifier failure unchanged', () => {
    const failure = unauthenticated('expired', 'token expired');
    const verify = fakeVerifier({ ok: false, failure });
    const decision = createAuthenticate(POLICIES, verify)('/test.v1.Svc/Me', BEARER);
    expect(decision).to.deep.equal({ ok: false, failure });
    expect(verify.calls).to.have.length(1);
  });

  it('returns the verified principal on success', () => {
    const principal = userPrincipal({ subject: 'user-7', roles: ['editor'] });
    const decision = createAuthenticate(POLICIES, fakeVerifier(ok(principal)))('/test.v1.Svc/Me', BEARER);
    expect(decision.ok).to.equal(true);
    expect(decision.ok && decision.principal).to.equal(principal);
  });

  it('refuses a user without the required role as permission_denied', () => {
    const verify = fakeVerifier(ok(userPrincipal({ roles: ['editor'] })));
    const failure = failureOf(createAuthenticate(POLICIES, verify)('/test.v1.Svc/Admin', BEARER));
    expect(failure.status).to.equal('permission_denied');
    expect(failure.reason).to.equal('forbidden');
    expect(failure.message).to.contain('admin');
    expect(verify.calls).to.have.length(1);
  });

  it('lets a user holding the required role through', () => {
    const principal = userPrincipal({ roles: ['admin'] });
    const decision = createAuthenticate(POLICIES, fakeVerifier(ok(principal)))('/test.v1.Svc/Admin', BEARER);
    expect(decision).to.deep.equal({ ok: true, principal });
  });

  it('applies service policies: scope required, users refused', () => {
    const withScope = servicePrincipal({ scopes: ['notes:sync'] });
    expect(createAuthenticate(POLICIES, fakeVerifier(ok(withScope)))('/test.v1.Svc/Sync', BEARER)).to.deep.equal({
      ok: true,
      principal: withScope,
    });
    const withoutScope = servicePrincipal({ scopes: ['notes:read'] });
    expect(failureOf(createAuthenticate(POLICIES, fakeVerifier(ok(withoutScope)))('/test.v1.Svc/Sync', BEARER)).status).to.equal(
      'permission_denied',
    );
    const user = userPrincipal({ scopes: ['notes:sync'] });
    expect(failureOf(createAuthenticate(POLICIES, fakeVerifier(ok(user)))('/test.v1.Svc/Sync', BEARER)).status).to.equal(
      'permission_denied',
    );
  });
});
