import type { PeerCertificate } from 'node:tls';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { expect } from 'chai';
import { IP_SNI_PLACEHOLDER, tlsChannelFor, tlsCredentials } from '../dist/tls.js';

type IdentityCheck = (host: string, cert: PeerCertificate) => Error | undefined;

/** A peer certificate as node:tls hands it to checkServerIdentity: only the names matter here. */
function certFor(subjectaltname: string): PeerCertificate {
  return { subject: {}, subjectaltname } as PeerCertificate;
}

describe('tlsChannelFor: never an IP literal as the TLS server name', () => {
  // The identity check each createSsl call was given (grpc-js's public factory, wrapped for the test).
  const checks = new Map<ChannelCredentials, IdentityCheck | undefined>();
  const createSsl = credentials.createSsl;
  before(() => {
    credentials.createSsl = (...args: Parameters<typeof createSsl>) => {
      const made = createSsl(...args);
      checks.set(made, args[3]?.checkServerIdentity);
      return made;
    };
  });
  after(() => (credentials.createSsl = createSsl));

  it('serverName: the same credentials, the name sent as SNI and checked (grpc.ssl_target_name_override)', () => {
    const creds = tlsCredentials({ serverName: 'auth.internal' });
    for (const address of ['127.0.0.1:50051', 'auth.example:50051', ['10.0.0.1:1', '10.0.0.2:1']]) {
      expect(tlsChannelFor(creds, address)).to.deep.equal({ credentials: creds, options: { 'grpc.ssl_target_name_override': 'auth.internal' } });
    }
    const check = checks.get(creds)!;
    expect(check('ignored', certFor('DNS:auth.internal'))).to.equal(undefined);
    expect(check('ignored', certFor('DNS:auth.evil.example'))).to.be.instanceOf(Error);
  });

  it('DNS host: unchanged (grpc-js sends and checks the name itself)', () => {
    const creds = tlsCredentials();
    for (const address of ['auth.internal:50051', 'dns:///auth.internal:50051', ['auth.internal:50051']]) {
      expect(tlsChannelFor(creds, address)).to.deep.equal({ credentials: creds, options: {} });
    }
  });

  it('IP host: a placeholder goes out as SNI, and the certificate is checked against the IP', () => {
    const creds = tlsCredentials();
    const { credentials: adapted, options } = tlsChannelFor(creds, '127.0.0.1:50051');
    expect(options).to.deep.equal({ 'grpc.ssl_target_name_override': IP_SNI_PLACEHOLDER });
    expect(IP_SNI_PLACEHOLDER).to.match(/\.invalid$/);
    expect(adapted).to.not.equal(creds);
    const check = checks.get(adapted)!;
    // grpc-js passes the override as the host; the check must ignore it and use the address's IP.
    expect(check(IP_SNI_PLACEHOLDER, certFor('IP Address:127.0.0.1'))).to.equal(undefined);
    expect(check(IP_SNI_PLACEHOLDER, certFor('DNS:localhost'))).to.be.instanceOf(Error);
    expect(check(IP_SNI_PLACEHOLDER, certFor(`DNS:${IP_SNI_PLACEHOLDER}`))).to.be.instanceOf(Error);
    expect(check(IP_SNI_PLACEHOLDER, certFor('IP Address:127.0.0.2'))).to.be.instanceOf(Error);
  });

  it('several IP replicas (v4 or v6): a certificate valid for any one of them', () => {
    const { credentials: v4 } = tlsChannelFor(tlsCredentials(), ['10.0.0.1:1', '10.0.0.2:1']);
    expect(checks.get(v4)!(IP_SNI_PLACEHOLDER, certFor('IP Address:10.0.0.2'))).to.equal(undefined);
    expect(checks.get(v4)!(IP_SNI_PLACEHOLDER, certFor('IP Address:10.0.0.3'))).to.be.instanceOf(Error);
    const { credentials: v6, options } = tlsChannelFor(tlsCredentials(), '[::1]:50051');
    expect(options).to.deep.equal({ 'grpc.ssl_target_name_override': IP_SNI_PLACEHOLDER });
    expect(checks.get(v6)!(IP_SNI_PLACEHOLDER, certFor('IP Address:0:0:0:0:0:0:0:1'))).to.equal(undefined);
    expect(checks.get(v6)!(IP_SNI_PLACEHOLDER, certFor('IP Address:127.0.0.1'))).to.be.instanceOf(Error);
  });

  it('credentials not made by tlsCredentials: unchanged, whatever the address', () => {
    for (const creds of [credentials.createInsecure(), createSsl()]) {
      for (const address of ['127.0.0.1:50051', 'auth.internal:50051']) {
        const adapted = tlsChannelFor(creds, address);
        expect(adapted.credentials).to.equal(creds);
        expect(adapted.options).to.deep.equal({});
      }
    }
  });
});
