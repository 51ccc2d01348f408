import { Metadata, status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { ClientError } from '@grpc-token-auth/sdk';

describe('ClientError.from', () => {
  it('keeps a grpc-js ServiceError’s code, details and trailers, and names the method', () => {
    const trailers = new Metadata();
    trailers.set('retry-after-seconds', '30');
    const err = ClientError.from(Object.assign(new Error('8 RESOURCE_EXHAUSTED: slow down'), { code: status.RESOURCE_EXHAUSTED, details: 'slow down', metadata: trailers }), '/auth.v1.AuthService/Login');
    expect(err).to.be.instanceOf(ClientError).and.instanceOf(Error);
    expect([err.code, err.details, err.method, err.message]).to.deep.equal([status.RESOURCE_EXHAUSTED, 'slow down', '/auth.v1.AuthService/Login', 'RESOURCE_EXHAUSTED: slow down']);
    expect(err.metadata.get('retry-after-seconds')).to.deep.equal(['30']);
  });

  it('turns anything else thrown on the way into UNKNOWN with its message, never a bogus code', () => {
    expect([ClientError.from(new Error('boom')).code, ClientError.from(new Error('boom')).details]).to.deep.equal([status.UNKNOWN, 'boom']);
    expect(ClientError.from({ code: 999, details: 'odd' }).code).to.equal(status.UNKNOWN);
    expect(ClientError.from({ code: 'UNAVAILABLE' }).code).to.equal(status.UNKNOWN);
    expect(ClientError.from(null).details).to.equal('null');
    expect(ClientError.from('text').metadata).to.be.instanceOf(Metadata);
  });

  it('returns a ClientError as it is', () => {
    const err = new ClientError(status.NOT_FOUND, 'note not found', { method: '/business.v1.NotesService/GetNote' });
    expect(ClientError.from(err, '/other')).to.equal(err);
  });
});
