import { createHash, createHmac, createSecretKey } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { MIN_SECRET_BYTES } from '../dist/internal.js';
import { sharedSecretKey, StaticKeySet, verifyAccessToken, type VerifyOptions } from '../dist/index.js';
import { failureOf, valueOf } from './fixtures.js';

const SECRET = 'unit-test-shared-secret-0123456789abcdef';
const OTHER_SECRET = 'a-completely-different-secret-0123456789';
const ISSUER = 'auth-svc';
const AUDIENCE = 'grpc-token-auth';
const NOW = 1_700_000_000;
const SKEW = 30;

const KEY = sharedSecretKey(SECRET);
const OTHER_KEY = sharedSecretKey(OTHER_SECRET);

function options(overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    keys: new StaticKeySet([KEY]),
    issuer: ISSUER,
    audience: AUDIENCE,
    clockSkewSeconds: SKEW,
    now: () => NOW,
    ...overrides,
  };
}

/** Claims a real user token carries (what TokenIssuer produces), at a fixed time. */
function baseClaims(): Record<string, unknown> {
  return {
    sub: 'user-42',
    jti: 'jti-0001',
    iss: ISSUER,
    aud: AUDIENCE,
    iat: NOW - 10,
    exp: NOW + 300,
    typ: 'user',
    roles: ['editor'],
  };
}

/** Signs with jsonwebtoken, like auth-svc does. */
function sign(claims: Record<string, unknown>, secret = SECRET, opts: jwt.SignOptions = { keyid: KEY.kid }): string {
  return jwt.sign(claims, createSecretKey(Buffer.from(secret, 'utf8')), { algorithm: 'HS256', ...opts });
}

const b64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');

/** A hand-made token: any header, any payload, HMAC-SHA256 over them with `secret` (or a given signature). */
function craft(header: unknown, payload: unknown, signature: string | { secret: string } = { secret: SECRET }): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  const sig =
    typeof signature === 'string'
      ? signature
      : createHmac('sha256', Buffer.from(signature.secret, 'utf8')).update(signingInput).digest('base64url');
  return `${signingInput}.${sig}`;
}

function reasonFor(token: string, opts: VerifyOptions = options()): string {
  const failure = failureOf(verifyAccessToken(token, opts));
  expect(failure.status, 'verification failures with keys are always UNAUTHENTICATED').to.equal('unauthenticated');
  return failure.reason;
}

describe('sharedSecretKey', () => {
  it('refuses a secret shorter than 32 bytes', () => {
    expect(MIN_SECRET_BYTES).to.equal(32);
    expect(() => sharedSecretKey('x'.repeat(31))).to.throw(Error, 'at least 32 bytes');
    expect(() => sharedSecretKey('')).to.throw(Error, 'at least 32 bytes');
  });

  it('counts UTF-8 bytes, not characters', () => {
    // 'é' is two bytes in UTF-8.
    expect(() => sharedSecretKey('é'.repeat(15) + 'a')).to.throw(Error, 'at least 32 bytes');
    expect(sharedSecretKey('é'.repeat(16)).key.symmetricKeySize).to.equal(32);
  });

  it('accepts exactly 32 bytes and builds an HS256 secret KeyObject', () => {
    const key = sharedSecretKey('k'.repeat(32));
    expect(key.alg).to.equal('HS256');
    expect(key.key.type).to.equal('secret');
    expect(key.key.export().toString('utf8')).to.equal('k'.repeat(32));
  });

  it('derives a stable kid from the secret', () => {
    expect(sharedSecretKey(SECRET).kid).to.equal(KEY.kid);
    expect(KEY.kid).to.match(/^hs256-[0-9a-f]{12}$/);
    const expected = 'hs256-' + createHash('sha256').update(SECRET).digest('hex').slice(0, 12);
    expect(KEY.kid).to.equal(expected);
  });

  it('gives different secrets different kids', () => {
    expect(OTHER_KEY.kid).to.not.equal(KEY.kid);
  });

  it('does not reveal the secret in the kid', () => {
    const secret = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const { kid } = sharedSecretKey(secret);
    expect(kid).to.not.contain(secret);
    expect(kid).to.not.contain(secret.slice(0, 8));
    expect(kid).to.not.contain(Buffer.from(secret).toString('hex').slice(0, 12));
    expect(kid).to.not.contain(Buffer.from(secret).toString('base64').slice(0, 8));
  });
});

describe('StaticKeySet', () => {
  it('finds keys by kid and returns undefined for unknown kids', () => {
    const set = new StaticKeySet([KEY, OTHER_KEY]);
    expect(set.find(KEY.kid)).to.equal(KEY);
    expect(set.find(OTHER_KEY.kid)).to.equal(OTHER_KEY);
    expect(set.find('hs256-000000000000')).to.equal(undefined);
    expect(set.find('__proto__')).to.equal(undefined);
  });
});

describe('verifyAccessToken', () => {
  describe('happy path', () => {
    it('turns a valid user token into a Principal', () => {
      const token = sign({ ...baseClaims(), roles: ['editor', 'admin'], sid: 'session-7' });
      expect(valueOf(verifyAccessToken(token, options()))).to.deep.equal({
        kind: 'user',
        subject: 'user-42',
        roles: ['editor', 'admin'],
        scopes: [],
        tokenId: 'jti-0001',
        sessionId: 'session-7',
        expiresAt: NOW + 300,
        audience: AUDIENCE,
        actor: undefined,
        certificateThumbprint: undefined,
        token,
      });
    });

    it('accepts a token signed with jsonwebtoken sign options (sub/jti/iss/aud as options)', () => {
      const token = sign({ typ: 'user', roles: [], iat: NOW, exp: NOW + 60 }, SECRET, {
        keyid: KEY.kid,
        subject: 'user-9',
        jwtid: 'jti-9',
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const principal = valueOf(verifyAccessToken(token, options()));
      expect(principal.subject).to.equal('user-9');
      expect(principal.tokenId).to.equal('jti-9');
      expect(principal.sessionId).to.equal(undefined);
    });

    it('accepts a hand-crafted token with a correct HMAC', () => {
      const token = craft({ alg: 'HS256', typ: 'JWT', kid: KEY.kid }, baseClaims());
      expect(valueOf(verifyAccessToken(token, options())).subject).to.equal('user-42');
    });

    it('defaults typ to user and roles to an empty list', () => {
      const { typ: _typ, roles: _roles, ...claims } = baseClaims();
      const principal = valueOf(verifyAccessToken(sign(claims), options()));
      expect(principal.kind).to.equal('user');
      expect(principal.roles).to.deep.equal([]);
    });

    it('parses the scope string of a service token into scopes', () => {
      const token = sign({ ...baseClaims(), sub: 'svc-reporting', typ: 'service', roles: undefined, scope: 'notes:read  notes:sync' });
      const principal = valueOf(verifyAccessToken(token, options()));
      expect(principal.kind).to.equal('service');
      expect(principal.subject).to.equal('svc-reporting');
      expect(principal.scopes).to.deep.equal(['notes:read', 'notes:sync']);
    });

    it('accepts an audience list that contains this audience', () => {
      const token = sign({ ...baseClaims(), aud: ['other-svc', AUDIENCE] });
      expect(valueOf(verifyAccessToken(token, options())).subject).to.equal('user-42');
    });

    it('accepts a key found among several', () => {
      const keys = new StaticKeySet([OTHER_KEY, KEY]);
      expect(valueOf(verifyAccessToken(sign(baseClaims()), options({ keys }))).subject).to.equal('user-42');
    });
  });

  describe('unsigned and algorithm attacks', () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      it(`refuses alg "${alg}" with an empty signature`, () => {
        const token = craft({ alg, typ: 'JWT', kid: KEY.kid }, baseClaims(), '');
        const failure = failureOf(verifyAccessToken(token, options()));
        expect(failure.reason).to.equal('unsupported_algorithm');
        expect(failure.message).to.contain('unsigned');
      });
    }

    it('refuses alg none even without a kid', () => {
      expect(reasonFor(craft({ alg: 'none' }, baseClaims(), ''))).to.equal('unsupported_algorithm');
    });

    it('refuses a header without alg', () => {
      expect(reasonFor(craft({ typ: 'JWT', kid: KEY.kid }, baseClaims()))).to.equal('unsupported_algorithm');
    });

    it('refuses a non-string alg', () => {
      expect(reasonFor(craft({ alg: ['HS256'], kid: KEY.kid }, baseClaims()))).to.equal('unsupported_algorithm');
    });

    it('refuses header alg RS256 when the key is HS256 (algorithm confusion)', () => {
      const failure = failureOf(verifyAccessToken(craft({ alg: 'RS256', kid: KEY.kid }, baseClaims()), options()));
      expect(failure.reason).to.equal('unsupported_algorithm');
      expect(failure.message).to.equal('token algorithm must be HS256');
    });

    it('refuses other algorithms than the key pins (HS512, lowercase hs256)', () => {
      const hs512 = sign(baseClaims(), SECRET, { keyid: KEY.kid, algorithm: 'HS512' });
      expect(reasonFor(hs512)).to.equal('unsupported_algorithm');
      expect(reasonFor(craft({ alg: 'hs256', kid: KEY.kid }, baseClaims()))).to.equal('unsupported_algorithm');
    });
  });

  describe('keys and signatures', () => {
    it('refuses a token signed with another secret under our kid as invalid_signature', () => {
      const forged = sign(baseClaims(), OTHER_SECRET, { keyid: KEY.kid });
      const failure = failureOf(verifyAccessToken(forged, options()));
      expect(failure.reason).to.equal('invalid_signature');
      expect(failure.message).to.equal('token signature is invalid');
    });

    it('refuses a token signed with another secret under its own kid as unknown_key', () => {
      const foreign = sign(baseClaims(), OTHER_SECRET, { keyid: OTHER_KEY.kid });
      const failure = failureOf(verifyAccessToken(foreign, options()));
      expect(failure.reason).to.equal('unknown_key');
      expect(failure.message).to.contain('unknown key');
    });

    it('refuses a token whose payload was changed after signing', () => {
      const [header, , signature] = sign(baseClaims()).split('.');
      const tampered = `${header}.${b64url({ ...baseClaims(), roles: ['admin'] })}.${signature}`;
      expect(reasonFor(tampered)).to.equal('invalid_signature');
    });

    it('refuses a signature that is a single bit off', () => {
      const token = sign(baseClaims());
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const bytes = Buffer.from(signature, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      expect(reasonFor(`${header}.${payload}.${bytes.toString('base64url')}`)).to.equal('invalid_signature');
    });

    it('refuses an HS256 token with an empty signature', () => {
      const [header, payload] = sign(baseClaims()).split('.');
      const failure = failureOf(verifyAccessToken(`${header}.${payload}.`, options()));
      // jsonwebtoken reports "jwt signature is required", which lands in the catch-all.
      expect(failure.reason).to.be.oneOf(['invalid_signature', 'malformed']);
    });

    it('refuses a token without kid as unknown_key', () => {
      const failure = failureOf(verifyAccessToken(sign(baseClaims(), SECRET, {}), options()));
      expect(failure.reason).to.equal('unknown_key');
      expect(failure.message).to.contain('(kid)');
    });

    it('refuses an empty or non-string kid as unknown_key', () => {
      expect(reasonFor(craft({ alg: 'HS256', kid: '' }, baseClaims()))).to.equal('unknown_key');
      expect(reasonFor(craft({ alg: 'HS256', kid: 7 }, baseClaims()))).to.equal('unknown_key');
    });

    it('refuses every token when the key set is empty, as UNAVAILABLE (not ready), not as a bad token', () => {
      const failure = failureOf(verifyAccessToken(sign(baseClaims()), options({ keys: new StaticKeySet([]) })));
      expect(failure).to.include({ status: 'unavailable', reason: 'no_keys' });
    });
  });

  describe('malformed tokens', () => {
    it('refuses a header that is not JSON', () => {
      const token = `${b64url('not json')}.${b64url(baseClaims())}.c2ln`;
      const failure = failureOf(verifyAccessToken(token, options()));
      expect(failure.reason).to.equal('malformed');
      expect(failure.message).to.equal('token header is not valid JSON');
    });

    it('refuses a header that is JSON but not an object', () => {
      expect(reasonFor(`${b64url('null')}.${b64url(baseClaims())}.c2ln`)).to.equal('malformed');
      expect(reasonFor(`${b64url('["HS256"]')}.${b64url(baseClaims())}.c2ln`)).to.equal('malformed');
      expect(reasonFor(`${b64url('"HS256"')}.${b64url(baseClaims())}.c2ln`)).to.equal('malformed');
    });

    it('refuses a correctly signed payload that is not JSON', () => {
      const failure = failureOf(verifyAccessToken(craft({ alg: 'HS256', kid: KEY.kid }, '{"sub": "user-42"'), options()));
      expect(failure.reason).to.equal('malformed');
      expect(failure.message).to.equal('token payload is not valid JSON');
    });

    it('refuses a correctly signed payload that is JSON but not an object', () => {
      for (const payload of ['"user-42"', '[1,2]', 'null', '42']) {
        expect(reasonFor(craft({ alg: 'HS256', kid: KEY.kid }, payload)), payload).to.equal('malformed');
      }
    });

    it('refuses a string without dots', () => {
      expect(reasonFor('garbage')).to.equal('malformed');
    });
  });

  describe('time', () => {
    it('accepts a token that expires after now', () => {
      const token = sign({ ...baseClaims(), exp: NOW + 1 });
      expect(valueOf(verifyAccessToken(token, options({ clockSkewSeconds: 0 }))).expiresAt).to.equal(NOW + 1);
    });

    it('refuses a token that expired, with no skew allowed', () => {
      const failure = failureOf(verifyAccessToken(sign({ ...baseClaims(), exp: NOW - 1 }), options({ clockSkewSeconds: 0 })));
      expect(failure.reason).to.equal('expired');
      expect(failure.message).to.equal('token expired');
    });

    it('refuses a token at its exact expiry second', () => {
      expect(reasonFor(sign({ ...baseClaims(), exp: NOW }), options({ clockSkewSeconds: 0 }))).to.equal('expired');
    });

    it('tolerates an expiry within the clock skew', () => {
      const token = sign({ ...baseClaims(), iat: NOW - 400, exp: NOW - (SKEW - 1) });
      expect(valueOf(verifyAccessToken(token, options())).expiresAt).to.equal(NOW - (SKEW - 1));
    });

    it('refuses an expiry beyond the clock skew', () => {
      const token = sign({ ...baseClaims(), iat: NOW - 400, exp: NOW - (SKEW + 1) });
      expect(reasonFor(token)).to.equal('expired');
    });

    it('uses the injected clock, not the wall clock', () => {
      // Expired long ago in real time, valid at NOW.
      const token = sign(baseClaims());
      expect(valueOf(verifyAccessToken(token, options())).subject).to.equal('user-42');
      // Valid in real time (far future), expired at the injected time.
      const later = sign({ ...baseClaims(), exp: 4_000_000_000 });
      expect(reasonFor(later, options({ now: () => 4_000_000_000 + SKEW }))).to.equal('expired');
    });

    it('refuses a token whose nbf is beyond the clock skew as not_yet_valid', () => {
      const failure = failureOf(verifyAccessToken(sign({ ...baseClaims(), nbf: NOW + SKEW + 30 }), options()));
      expect(failure.reason).to.equal('not_yet_valid');
      expect(failure.message).to.equal('token not yet valid');
    });

    it('tolerates an nbf within the clock skew', () => {
      const token = sign({ ...baseClaims(), nbf: NOW + SKEW - 1 });
      expect(valueOf(verifyAccessToken(token, options())).subject).to.equal('user-42');
    });
  });

  describe('issuer and audience', () => {
    it('refuses a token from another issuer', () => {
      const failure = failureOf(verifyAccessToken(sign({ ...baseClaims(), iss: 'evil-svc' }), options()));
      expect(failure.reason).to.equal('wrong_issuer');
      expect(failure.message).to.equal('token issuer is not trusted');
    });

    it('refuses a token without issuer', () => {
      const { iss: _iss, ...claims } = baseClaims();
      expect(reasonFor(sign(claims))).to.equal('wrong_issuer');
    });

    it('refuses a token for another audience', () => {
      const failure = failureOf(verifyAccessToken(sign({ ...baseClaims(), aud: 'other-svc' }), options()));
      expect(failure.reason).to.equal('wrong_audience');
      expect(failure.message).to.equal('token is not meant for this service');
    });

    it('refuses a token without audience', () => {
      const { aud: _aud, ...claims } = baseClaims();
      expect(reasonFor(sign(claims))).to.equal('wrong_audience');
    });
  });

  describe('claims', () => {
    function claimFailure(claims: Record<string, unknown>): string {
      const failure = failureOf(verifyAccessToken(sign(claims), options()));
      expect(failure.reason).to.equal('invalid_claims');
      return failure.message;
    }

    const without = (name: string): Record<string, unknown> => {
      const claims = baseClaims();
      delete claims[name];
      return claims;
    };

    it('refuses a token without sub', () => {
      expect(claimFailure(without('sub'))).to.equal('token claim "sub" is missing or invalid');
    });

    it('refuses an empty, non-string or over-long sub', () => {
      expect(claimFailure({ ...baseClaims(), sub: '' })).to.contain('"sub"');
      expect(claimFailure({ ...baseClaims(), sub: 42 })).to.contain('"sub"');
      expect(claimFailure({ ...baseClaims(), sub: 'u'.repeat(129) })).to.contain('"sub"');
      expect(valueOf(verifyAccessToken(sign({ ...baseClaims(), sub: 'u'.repeat(128) }), options())).subject).to.have.length(128);
    });

    it('refuses a token without jti', () => {
      expect(claimFailure(without('jti'))).to.equal('token claim "jti" is missing or invalid');
      expect(claimFailure({ ...baseClaims(), jti: '' })).to.contain('"jti"');
    });

    it('refuses a token without exp', () => {
      expect(claimFailure(without('exp'))).to.equal('token claim "exp" is missing or invalid');
    });

    it('refuses a hand-crafted token without iat', () => {
      const { iat: _iat, ...claims } = baseClaims();
      const token = craft({ alg: 'HS256', kid: KEY.kid }, claims);
      const failure = failureOf(verifyAccessToken(token, options()));
      expect(failure.reason).to.equal('invalid_claims');
      expect(failure.message).to.contain('"iat"');
    });

    it('refuses an unknown typ', () => {
      expect(claimFailure({ ...baseClaims(), typ: 'admin' })).to.contain('"typ"');
    });

    it('refuses roles that are not a list of strings', () => {
      expect(claimFailure({ ...baseClaims(), roles: 'admin' })).to.equal('token claim "roles" is missing or invalid');
      expect(claimFailure({ ...baseClaims(), roles: ['admin', 1] })).to.contain('"roles"');
      expect(claimFailure({ ...baseClaims(), roles: [null] })).to.contain('"roles"');
      expect(claimFailure({ ...baseClaims(), roles: { 0: 'admin', length: 1 } })).to.contain('"roles"');
    });

    it('refuses a non-string sid', () => {
      expect(claimFailure({ ...baseClaims(), sid: 7 })).to.contain('"sid"');
    });

    it('refuses a scope claim that is not a space-separated string', () => {
      // An array must not be coerced into the single scope "notes:read,notes:sync", nor 42 into "42".
      expect(claimFailure({ ...baseClaims(), typ: 'service', scope: ['notes:read', 'notes:sync'] })).to.equal(
        'token claim "scope" is missing or invalid',
      );
      expect(claimFailure({ ...baseClaims(), typ: 'service', scope: 42 })).to.contain('"scope"');
      expect(claimFailure({ ...baseClaims(), typ: 'service', scope: null })).to.contain('"scope"');
    });
  });
});
