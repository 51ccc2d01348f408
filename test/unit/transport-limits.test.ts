import { expect } from 'chai';
import { EnvReader } from '../../lib/config/env-reader.js';
import { readTransportLimits } from '../../lib/config/transport-config.js';
import { redactCredentials } from '../../lib/log/grpc-logging.js';
import { problemsOf } from './fixtures.js';

describe('redactCredentials (grpc-js log lines)', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU';
  it("keeps only the key of grpc-js's 'Failed to add metadata entry' line (its error text repeats the value)", () => {
    const line = `Failed to add metadata entry authorization: Bearer ${jwt}é. Metadata string value "Bearer ${jwt}é" contains illegal characters. For more information see https://github.com/grpc/grpc-node/issues/1173`;
    expect(redactCredentials(line)).to.equal('Failed to add metadata entry authorization: [redacted]');
  });
  it('masks bearer values and JWT-shaped strings anywhere else', () => {
    expect(redactCredentials(`call failed (authorization: bearer abc.def) token=${jwt} end`)).to.equal('call failed (authorization: bearer [redacted] token=[redacted jwt] end');
    expect(redactCredentials('Connection dropped by 127.0.0.1:5000')).to.equal('Connection dropped by 127.0.0.1:5000');
  });
});

describe('readTransportLimits', () => {
  const read = (vars: Record<string, string>) => {
    const env = new EnvReader(vars);
    const limits = readTransportLimits(env, { messageBytes: 4096 });
    env.finish();
    return limits;
  };
  it('has safe defaults, with the service-given message cap', () => {
    const limits = read({});
    expect(limits).to.include({ maxStreamsPerConnection: 100, maxConnectionsPerAddress: 100, maxReceiveMessageBytes: 4096, maxLiveStreamsPerPrincipal: 16, maxPublicStreamsPerAddress: 10 });
    expect(limits.maxStreamBacklogBytes).to.equal(1024 * 1024);
  });
  it('refuses values out of range and inconsistent pairs, all at once', () => {
    const problems = problemsOf(() =>
      read({ MAX_STREAMS_PER_CONNECTION: '0', MAX_CONNECTIONS: '10', MAX_CONNECTIONS_PER_ADDRESS: '20', MAX_STREAM_BACKLOG_BYTES: '2000000', MAX_TOTAL_BACKLOG_BYTES: '1000000' }),
    );
    expect(problems).to.have.length(3);
    expect(problems.join('\n')).to.match(/MAX_STREAMS_PER_CONNECTION/).and.match(/MAX_CONNECTIONS_PER_ADDRESS must not exceed/).and.match(/MAX_STREAM_BACKLOG_BYTES must not exceed/);
  });
});
