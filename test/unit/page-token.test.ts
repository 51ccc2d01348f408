import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { decodePageToken, encodePageToken } from '../../business-svc/handlers/page-token.js';
import { GrpcError } from '../../lib/grpc/errors.js';

const b64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

function expectInvalidPageToken(token: string): void {
  let thrown: unknown;
  try {
    const decoded = decodePageToken(token);
    thrown = new Error(`expected an error, decoded ${JSON.stringify(decoded)}`);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).to.be.instanceOf(GrpcError);
  const err = thrown as GrpcError;
  expect(err.code).to.equal(status.INVALID_ARGUMENT);
  expect(err.details).to.match(/^page_token: /);
  expect(err.message).to.equal(err.details);
}

describe('page tokens', () => {
  it('round-trips a cursor', () => {
    const cursor = { seq: 1234 };
    expect(decodePageToken(encodePageToken(cursor))).to.deep.equal(cursor);
  });

  it('round-trips edge values', () => {
    for (const seq of [1, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      expect(decodePageToken(encodePageToken({ seq }))).to.deep.equal({ seq });
    }
  });

  it('encodes to URL-safe text with no padding', () => {
    for (const seq of [1, 99, 123_456_789]) expect(encodePageToken({ seq })).to.match(/^[A-Za-z0-9_-]+$/);
  });

  it('gives different positions different tokens', () => {
    expect(encodePageToken({ seq: 10 })).to.not.equal(encodePageToken({ seq: 11 }));
  });

  it('decodes the empty token to undefined (first page)', () => {
    expect(decodePageToken('')).to.equal(undefined);
  });

  describe('refuses tokens it did not produce with INVALID_ARGUMENT naming page_token', () => {
    const cases: Record<string, string> = {
      'plain text': 'not a token',
      'base64url of non-JSON': b64url('hello world'),
      'a JSON object': b64url('{"seq":5}'),
      'a bare JSON number': b64url('5'),
      'JSON null': b64url('null'),
      'an empty array': b64url('[]'),
      'a two-element array': b64url('[5,6]'),
      'a string position': b64url('["5"]'),
      'a fractional position': b64url('[1.5]'),
      'a zero position': b64url('[0]'),
      'a negative position': b64url('[-5]'),
      'an unsafe integer position': b64url(`[${2 ** 53}]`),
      'a null position': b64url('[null]'),
    };
    for (const [what, token] of Object.entries(cases)) {
      it(`refuses ${what}`, () => expectInvalidPageToken(token));
    }

    it('refuses a token whose first character was tampered with', () => {
      const token = encodePageToken({ seq: 123_456 });
      expectInvalidPageToken((token[0] === 'A' ? 'B' : 'A') + token.slice(1));
    });

    it('refuses a truncated token', () => {
      const token = encodePageToken({ seq: 123_456 });
      expectInvalidPageToken(token.slice(0, -3));
    });
  });
});
