import { createHash, createSecretKey } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import {
  ANY_USER,
  bindingFailure,
  certificateThumbprint,
  createAuthenticate,
  serviceWith,
  sharedSecretKey,
  StaticKeySet,
  verifyAccessToken,
  withActor,
  type PolicyTable,
  type VerifyOptions,
} from '../dist/index.js';
import { failureOf, servicePrincipal, userPrincipal, valueOf } from './fixtures.js';

const SECRET = 'unit-test-shared-secret-0123456789abcdef';
const KEY = sharedSecretKey(SECRET);
const NOW = 1_700_000_000;

function options(overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return { keys: new StaticKeySet([KEY]), issuer: 'auth-svc', audience: 'business-svc', clockSkewSeconds: 0, now: () => NOW, accessTokenProfile: true, ...overrides };
}

function sign(claims: Record<string, unknown>, typ: string | null = 'at+jwt'): string {
  const header = typ === null ? { alg: 'HS256' as const } : { alg: 'HS256' as const, typ };
  return jwt.sign(
    { sub: 'user-1', jti: 'j1', iss: 'auth-svc', aud: 'business-svc', iat: NOW - 1, exp: NOW + 300, typ: 'user', ...claims },
    createSecretKey(Buffer.from(SECRET)),
    { algorithm: 'HS256', keyid: KEY.kid, header },
  );
}

describe('tokens bound to a use', () => {
  describe('audience and the access-token profile (RFC 8707, RFC 9068)', () => {
    it('accepts an at+jwt token for this service and names its audience', () => {
      expect(valueOf(verifyAccessToken(sign({}), options())).audience).to.equal('business-svc');
      expect(valueOf(verifyAccessToken(sign({}, 'application/at+jwt'), options())).audience).to.equal('business-svc');
    });

    it('refuses a token for another service', () => {
      expect(failureOf(verifyAccessToken(sign({ aud: 'reports-svc' }), options())).reason).to.equal('wrong_audience');
    });

    it('refuses a token of the issuer that is not an access token (the default typ JWT, or another)', () => {
      for (const typ of [null, 'JWT', 'id+jwt', 'at+jwt2']) {
        const failure = failureOf(verifyAccessToken(sign({}, typ), options()));
        expect(failure.reason, String(typ)).to.equal('invalid_claims');
        expect(failure.message).to.match(/at\+jwt/);
      }
    });

    it('refuses several audiences under the profile, and accepts them without it (another issuer)', () => {
      const token = sign({ aud: ['business-svc', 'reports-svc'] });
      expect(failureOf(verifyAccessToken(token, options())).message).to.match(/"aud"/);
      expect(valueOf(verifyAccessToken(token, options({ accessTokenProfile: false }))).audience).to.equal('business-svc');
    });

    it('with a list of audiences, accepts any of them and says which', () => {
      const p = valueOf(verifyAccessToken(sign({ aud: 'auth-svc' }), options({ audience: ['business-svc', 'auth-svc'] })));
      expect(p.audience).to.equal('auth-svc');
    });
  });

  describe('actor (RFC 8693 act)', () => {
    it('reads the acting service, nested for chains', () => {
      const p = valueOf(verifyAccessToken(sign({ act: { sub: 'client-b', act: { sub: 'client-a' } } }), options()));
      expect(p.actor).to.deep.equal({ subject: 'client-b', actor: { subject: 'client-a', actor: undefined } });
    });

    it('refuses a malformed or absurdly deep act claim', () => {
      let deep: Record<string, unknown> = { sub: 'x' };
      for (let i = 0; i < 6; i++) deep = { sub: `x${i}`, act: deep };
      for (const act of ['client-a', { sub: '' }, { sub: 7 }, [{ sub: 'a' }], { sub: 'a', act: 'b' }, deep]) {
        expect(failureOf(verifyAccessToken(sign({ act }), options())).message, JSON.stringify(act)).to.match(/"act"/);
      }
    });
  });

  describe('certificate binding (RFC 8705)', () => {
    const certA = Buffer.from('certificate A, DER bytes');
    const certB = Buffer.from('certificate B, DER bytes');

    it('the thumbprint is base64url SHA-256 of the DER', () => {
      expect(certificateThumbprint(certA)).to.equal(createHash('sha256').update(certA).digest('base64url'));
    });

    it('reads cnf.x5t#S256 and refuses any other shape', () => {
      const x5t = certificateThumbprint(certA);
      expect(valueOf(verifyAccessToken(sign({ cnf: { 'x5t#S256': x5t } }), options())).certificateThumbprint).to.equal(x5t);
      for (const cnf of [{}, { jkt: 'abc' }, { 'x5t#S256': 'short' }, 'x', null]) {
        expect(failureOf(verifyAccessToken(sign({ cnf }), options())).message, JSON.stringify(cnf)).to.match(/"cnf"/);
      }
    });

    it('accepts a bound token only with its certificate', () => {
      const bound = servicePrincipal({ certificateThumbprint: certificateThumbprint(certA) });
      expect(bindingFailure(bound, () => certA, false)).to.equal(undefined);
      expect(bindingFailure(bound, () => certB, false)?.reason).to.equal('token_binding');
      expect(bindingFailure(bound, () => undefined, false)?.reason).to.equal('token_binding');
      expect(bindingFailure(bound, undefined, false)?.message).to.match(/mutual TLS/);
    });

    it('unbound tokens pass unless binding is required for service tokens', () => {
      expect(bindingFailure(servicePrincipal(), undefined, false)).to.equal(undefined);
      expect(bindingFailure(servicePrincipal(), () => certA, true)?.reason).to.equal('token_binding');
      expect(bindingFailure(userPrincipal(), undefined, true)).to.equal(undefined);
    });

    it('createAuthenticate refuses a bound token over a connection with another certificate, before authorization', () => {
      const policies: PolicyTable = { '/t.S/Sync': serviceWith('sync') };
      const principal = servicePrincipal({ scopes: ['sync'], certificateThumbprint: certificateThumbprint(certA) });
      const authenticate = createAuthenticate(policies, () => ({ ok: true, value: principal }));
      expect(authenticate('/t.S/Sync', ['Bearer a.b.c'], () => certA)).to.deep.include({ ok: true });
      const refused = failureOf(authenticate('/t.S/Sync', ['Bearer a.b.c'], () => certB));
      expect(refused).to.include({ status: 'unauthenticated', reason: 'token_binding' });
      const required = createAuthenticate(policies, () => ({ ok: true, value: servicePrincipal({ scopes: ['sync'] }) }), { requireBoundServiceTokens: true });
      expect(failureOf(required('/t.S/Sync', ['Bearer a.b.c'], () => certA)).reason).to.equal('token_binding');
    });
  });

  describe('policies about actors', () => {
    const viaService = userPrincipal({ actor: { subject: 'client-b', actor: undefined } });
    const direct = userPrincipal();
    const policies: PolicyTable = {
      '/t.S/Direct': withActor(ANY_USER, 'forbidden'),
      '/t.S/Delegated': withActor(ANY_USER, 'required'),
      '/t.S/Either': ANY_USER,
    };
    const run = (path: string, p: typeof direct) => createAuthenticate(policies, () => ({ ok: true, value: p }))(path, ['Bearer a.b.c']);

    it('forbidden: only the user themselves', () => {
      expect(run('/t.S/Direct', direct).ok).to.equal(true);
      expect(failureOf(run('/t.S/Direct', viaService))).to.include({ status: 'permission_denied', reason: 'forbidden' });
    });

    it('required: only a service acting for the user', () => {
      expect(run('/t.S/Delegated', viaService).ok).to.equal(true);
      expect(failureOf(run('/t.S/Delegated', direct))).to.include({ status: 'permission_denied', reason: 'forbidden' });
    });

    it('left out: either', () => {
      expect(run('/t.S/Either', direct).ok).to.equal(true);
      expect(run('/t.S/Either', viaService).ok).to.equal(true);
    });
  });
});
