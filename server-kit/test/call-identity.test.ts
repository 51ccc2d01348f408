import { Metadata, status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { attachPrincipal } from '../dist/call-identity.js';
import { requirePrincipal } from '../dist/index.js';
import { userPrincipal } from './fixtures.js';

describe('call identity', () => {
  it('hands the attached principal to the handler', () => {
    const metadata = new Metadata();
    const principal = userPrincipal();
    attachPrincipal(metadata, principal);
    expect(requirePrincipal({ metadata })).to.equal(principal);
  });

  it('fails closed (INTERNAL) when the interceptor attached nothing, whatever the client sent', () => {
    const metadata = new Metadata();
    for (const key of ['principal', 'verified-principal', 'x-principal']) metadata.set(key, 'admin');
    expect(() => requirePrincipal({ metadata })).to.throw().with.property('code', status.INTERNAL);
  });

  it('does not carry the principal into a copy of the metadata', () => {
    const metadata = new Metadata();
    attachPrincipal(metadata, userPrincipal());
    expect(() => requirePrincipal({ metadata: metadata.clone() })).to.throw().with.property('code', status.INTERNAL);
  });
});
