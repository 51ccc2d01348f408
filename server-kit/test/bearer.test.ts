import { expect } from 'chai';
import { StaticKeySet, verifyAccessToken } from '../dist/index.js';
import { bearerToken, MAX_AUTHORIZATION_LENGTH, parseBearer } from '../dist/internal.js';
import { failureOf, valueOf } from './fixtures.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

function reasonFor(values: readonly unknown[]): string {
  const failure = failureOf(parseBearer(values));
  expect(failure.status, 'parse failures are always UNAUTHENTICATED').to.equal('unauthenticated');
  return failure.reason;
}

describe('parseBearer', () => {
  it('returns the token of a well-formed "Bearer <jwt>" value', () => {
    expect(valueOf(parseBearer([`Bearer ${TOKEN}`]))).to.equal(TOKEN);
  });

  it('trims surrounding whitespace after the scheme', () => {
    expect(valueOf(parseBearer([`Bearer   ${TOKEN}  `]))).to.equal(TOKEN);
  });

  it('accepts a token with an empty signature segment (shape only; the verifier rejects it)', () => {
    expect(valueOf(parseBearer(['Bearer abc.def.']))).to.equal('abc.def.');
  });

  describe('scheme', () => {
    for (const scheme of ['bearer', 'BEARER', 'BeArEr', 'Bearer']) {
      it(`accepts the scheme spelled "${scheme}" (case-insensitive, RFC 7235)`, () => {
        expect(valueOf(parseBearer([`${scheme} ${TOKEN}`]))).to.equal(TOKEN);
      });
    }

    it('refuses Basic credentials as wrong_scheme', () => {
      expect(reasonFor(['Basic dXNlcjpwYXNzd29yZA=='])).to.equal('wrong_scheme');
    });

    it('refuses other schemes as wrong_scheme', () => {
      expect(reasonFor([`Token ${TOKEN}`])).to.equal('wrong_scheme');
      expect(reasonFor([`Bearer:${TOKEN}`])).to.equal('wrong_scheme');
      expect(reasonFor([`Bearer${TOKEN}`])).to.equal('wrong_scheme');
    });

    it('refuses a bare token with no scheme as wrong_scheme', () => {
      expect(reasonFor([TOKEN])).to.equal('wrong_scheme');
    });
  });

  describe('missing credentials', () => {
    it('reports missing for an empty metadata list', () => {
      const failure = failureOf(parseBearer([]));
      expect(failure.reason).to.equal('missing');
      expect(failure.message).to.contain('Bearer');
    });

    it('reports missing for "Bearer" with no token', () => {
      expect(reasonFor(['Bearer'])).to.equal('missing');
      expect(reasonFor(['bearer'])).to.equal('missing');
    });

    it('reports missing for "Bearer " followed only by whitespace', () => {
      expect(reasonFor(['Bearer '])).to.equal('missing');
      expect(reasonFor(['Bearer    '])).to.equal('missing');
    });
  });

  describe('malformed metadata', () => {
    it('refuses two authorization values', () => {
      const failure = failureOf(parseBearer([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]));
      expect(failure.reason).to.equal('malformed');
      expect(failure.message).to.contain('more than one');
    });

    it('refuses a binary (Buffer) value', () => {
      const failure = failureOf(parseBearer([Buffer.from(`Bearer ${TOKEN}`)]));
      expect(failure.reason).to.equal('malformed');
      expect(failure.message).to.contain('text');
    });

    it('refuses other non-string values', () => {
      expect(reasonFor([42])).to.equal('malformed');
      expect(reasonFor([null])).to.equal('malformed');
      expect(reasonFor([undefined])).to.equal('malformed');
      expect(reasonFor([{ toString: () => `Bearer ${TOKEN}` }])).to.equal('malformed');
    });
  });

  describe('size limit', () => {
    const prefix = 'Bearer aaaa.bbbb.';

    it('accepts a value of exactly MAX_AUTHORIZATION_LENGTH characters', () => {
      const value = prefix + 'c'.repeat(MAX_AUTHORIZATION_LENGTH - prefix.length);
      expect(value).to.have.length(MAX_AUTHORIZATION_LENGTH);
      expect(valueOf(parseBearer([value]))).to.equal(value.slice('Bearer '.length));
    });

    it('refuses a value one character over the limit as oversized', () => {
      const value = prefix + 'c'.repeat(MAX_AUTHORIZATION_LENGTH - prefix.length + 1);
      expect(reasonFor([value])).to.equal('oversized');
    });

    it('checks the size before the scheme', () => {
      expect(reasonFor(['Basic ' + 'x'.repeat(MAX_AUTHORIZATION_LENGTH)])).to.equal('oversized');
    });
  });

  describe('token shape', () => {
    const garbage: Record<string, string> = {
      'a single segment': 'abcdef',
      'two segments': 'abc.def',
      'four segments': 'abc.def.ghi.jkl',
      'an empty header segment': '.def.ghi',
      'an empty payload segment': 'abc..ghi',
      'standard base64 characters (+)': 'ab+c.def.ghi',
      'standard base64 characters (/)': 'abc.de/f.ghi',
      'base64 padding': 'abc=.def.ghi',
      'an embedded space': 'abc.def ghi.jkl',
      'non-ASCII characters': 'abc.déf.ghi',
      'only dots': '..',
    };
    for (const [what, token] of Object.entries(garbage)) {
      it(`refuses a token with ${what} as malformed`, () => {
        const failure = failureOf(parseBearer([`Bearer ${token}`]));
        expect(failure.reason).to.equal('malformed');
        expect(failure.message).to.equal('bearer token is not a JWT');
      });

      it(`on the interceptor's path, refuses a token with ${what} as malformed (bearerToken's cheap check or verifyAccessToken's full one)`, () => {
        const cheap = bearerToken([`Bearer ${token}`]);
        const failure = cheap.ok
          ? failureOf(verifyAccessToken(cheap.value, { keys: new StaticKeySet([]), issuer: 'i', audience: 'a', clockSkewSeconds: 0 }))
          : cheap.failure;
        expect([failure.reason, failure.message]).to.deep.equal(['malformed', 'bearer token is not a JWT']);
      });
    }
  });
});
