import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { decodeResumeToken, encodeResumeToken } from '../../business-svc/handlers/resume-token.js';
import { GrpcError } from '../../lib/grpc/errors.js';

const b64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
const LOG = '0123456789abcdef';

describe('WatchNotes resume tokens', () => {
  it('round-trip a position in a change log, position 0 (an empty log) included', () => {
    for (const seq of [0, 1, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      expect(decodeResumeToken(encodeResumeToken({ logId: LOG, seq }))).to.deep.equal({ logId: LOG, seq });
    }
    expect(encodeResumeToken({ logId: LOG, seq: 42 })).to.match(/^[A-Za-z0-9_-]+$/);
  });

  describe('refuse what they did not produce with INVALID_ARGUMENT naming resume_token', () => {
    const cases: Record<string, string> = {
      'plain text': 'not a token',
      'a page token': b64url('[5]'),
      'a JSON object': b64url(`{"logId":"${LOG}","seq":5}`),
      'a log id that is not 16 hex digits': b64url('["ABCDEF0123456789",5]'),
      'a string position': b64url(`["${LOG}","5"]`),
      'a negative position': b64url(`["${LOG}",-1]`),
      'a fractional position': b64url(`["${LOG}",1.5]`),
      'an unsafe integer position': b64url(`["${LOG}",${2 ** 53}]`),
      'an extra element': b64url(`["${LOG}",5,6]`),
    };
    for (const [what, token] of Object.entries(cases)) {
      it(`refuses ${what}`, () => {
        let thrown: unknown;
        try {
          decodeResumeToken(token);
        } catch (err) {
          thrown = err;
        }
        expect(thrown).to.be.instanceOf(GrpcError);
        expect((thrown as GrpcError).code).to.equal(status.INVALID_ARGUMENT);
        expect((thrown as GrpcError).details).to.match(/^resume_token: /);
      });
    }
  });
});
