import { Client, credentials } from '@grpc/grpc-js';
import { expect } from 'chai';
import { balancedServiceConfig, channelTarget, IDEMPOTENT_METHODS, loadBalancingChannelOptions } from '@grpc-token-auth/sdk';

interface RetryConfig {
  loadBalancingConfig: object[];
  methodConfig: { name: { service: string; method: string }[]; retryPolicy: { retryableStatusCodes: string[]; maxAttempts: number } }[];
}

describe('balancedServiceConfig', () => {
  it('balances round_robin and retries exactly the methods the protos mark, on UNAVAILABLE only', () => {
    const config = balancedServiceConfig() as RetryConfig;
    expect(config.loadBalancingConfig).to.deep.equal([{ round_robin: {} }]);
    expect(config.methodConfig).to.have.length(1);
    const [only] = config.methodConfig;
    expect(only!.name.map((n) => `/${n.service}/${n.method}`)).to.deep.equal([...IDEMPOTENT_METHODS]);
    expect(only!.retryPolicy.retryableStatusCodes).to.deep.equal(['UNAVAILABLE']);
    expect(only!.retryPolicy.maxAttempts).to.be.within(2, 5); // grpc-js caps at 5
  });

  it("retries a service's own list, and nothing when the list is empty", () => {
    const config = balancedServiceConfig(['/pkg.Svc/Read']) as RetryConfig;
    expect(config.methodConfig[0]!.name).to.deep.equal([{ service: 'pkg.Svc', method: 'Read' }]);
    expect((balancedServiceConfig([]) as RetryConfig).methodConfig).to.deep.equal([]);
  });

  it('grpc-js accepts the service config, with and without retried methods (it throws on an invalid one)', () => {
    for (const retried of [IDEMPOTENT_METHODS, []]) {
      const client = new Client(channelTarget(['127.0.0.1:1', '127.0.0.1:2']), credentials.createInsecure(), loadBalancingChannelOptions(retried));
      client.close();
    }
  });
});

describe('channelTarget', () => {
  it('passes one address or DNS name through (grpc-js resolves every record)', () => {
    expect(channelTarget('business.internal:50052')).to.equal('business.internal:50052');
    expect(channelTarget('dns:///business.internal:50052')).to.equal('dns:///business.internal:50052');
    expect(channelTarget(['127.0.0.1:7'])).to.equal('127.0.0.1:7');
  });

  it('joins several IPv4 or several IPv6 replicas into one ipv4:/ipv6: target', () => {
    expect(channelTarget(['127.0.0.1:1', '127.0.0.1:2', '10.0.0.3:3'])).to.equal('ipv4:127.0.0.1:1,127.0.0.1:2,10.0.0.3:3');
    expect(channelTarget(['[::1]:1', '[::1]:2'])).to.equal('ipv6:[::1]:1,[::1]:2');
  });

  it('refuses lists it cannot express, with a message saying what to do', () => {
    expect(() => channelTarget([])).to.throw(TypeError, /at least one/);
    expect(() => channelTarget(['a.internal:1', 'b.internal:1'])).to.throw(TypeError, /one DNS name/);
    expect(() => channelTarget(['127.0.0.1:1', '[::1]:2'])).to.throw(TypeError, /all be IPv4 .* or all IPv6/);
    expect(() => channelTarget(['127.0.0.1', '127.0.0.1:2'])).to.throw(TypeError); // port missing
  });
});
