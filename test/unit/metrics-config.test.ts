import { expect } from 'chai';
import { loadAuthConfig } from '../../auth-svc/config.js';
import { loadBusinessConfig } from '../../business-svc/config.js';
import { ConfigError, EnvReader } from '../../lib/config/env-reader.js';
import { readMetricsConfig } from '../../lib/config/metrics-config.js';

function read(env: NodeJS.ProcessEnv) {
  const reader = new EnvReader(env);
  const config = readMetricsConfig(reader, 'AUTH', 9464);
  reader.finish();
  return config;
}

describe('metrics config', () => {
  it('defaults to loopback on the service\'s own port (9464 auth-svc, 9465 business-svc)', () => {
    expect(read({})).to.deep.equal({ host: '127.0.0.1', port: 9464 });
    expect(loadAuthConfig({}).metrics).to.deep.equal({ host: '127.0.0.1', port: 9464 });
    expect(loadBusinessConfig({}).metrics).to.deep.equal({ host: '127.0.0.1', port: 9465 });
  });

  it('takes a host and a port, 0 meaning a free one', () => {
    expect(read({ AUTH_METRICS_HOST: '::1', AUTH_METRICS_PORT: '0' })).to.deep.equal({ host: '::1', port: 0 });
    expect(read({ AUTH_METRICS_PORT: '9100' })).to.deep.equal({ host: '127.0.0.1', port: 9100 });
  });

  it('turns metrics off with "off" (any case)', () => {
    expect(read({ AUTH_METRICS_PORT: 'off' })).to.equal(undefined);
    expect(read({ AUTH_METRICS_PORT: ' OFF ' })).to.equal(undefined);
    expect(loadBusinessConfig({ BUSINESS_METRICS_PORT: 'off' }).metrics).to.equal(undefined);
  });

  for (const bad of ['-1', '65536', '99999999', 'no', '9464x', '0x10', '1e3', 'false']) {
    it(`refuses AUTH_METRICS_PORT=${bad} with a clear problem`, () => {
      expect(() => read({ AUTH_METRICS_PORT: bad })).to.throw(ConfigError, /AUTH_METRICS_PORT must be a port from 0 to 65535, or "off"/);
    });
  }

  it('reads each service\'s own variables only', () => {
    const env = { AUTH_METRICS_PORT: '1111', BUSINESS_METRICS_PORT: '2222' };
    expect(loadAuthConfig(env).metrics?.port).to.equal(1111);
    expect(loadBusinessConfig(env).metrics?.port).to.equal(2222);
  });
});
