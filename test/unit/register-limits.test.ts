import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { GrpcError } from '../../lib/grpc/errors.js';
import { RegisterLimits } from '../../auth-svc/throttle/register-limits.js';

describe('RegisterLimits', () => {
  let now = 0;
  const limits = (o: Partial<ConstructorParameters<typeof RegisterLimits>[0]> = {}) =>
    new RegisterLimits({ perAddressPerHour: 6, perAddressBurst: 2, perMinute: 100, maxAddresses: 1000, now: () => now, ...o });
  const refusal = (fn: () => void): GrpcError => {
    try {
      fn();
    } catch (err) {
      expect(err).to.be.instanceOf(GrpcError);
      return err as GrpcError;
    }
    throw new Error('expected a refusal');
  };
  beforeEach(() => (now = 1_000_000));

  it('allows a burst per address, then refuses with RESOURCE_EXHAUSTED and when to retry', () => {
    const l = limits();
    l.admit('10.0.0.1');
    l.admit('10.0.0.1');
    const err = refusal(() => l.admit('10.0.0.1'));
    expect(err.code).to.equal(status.RESOURCE_EXHAUSTED);
    expect(err.trailers['retry-after-seconds']).to.equal('600'); // 6 an hour: one every 10 min
    l.admit('10.0.0.2'); // another address has its own bucket
  });

  it('refills at the steady rate', () => {
    const l = limits();
    l.admit('a');
    l.admit('a');
    now += 9 * 60_000;
    refusal(() => l.admit('a'));
    now += 60_000;
    l.admit('a');
  });

  it('caps the whole process whatever the addresses', () => {
    const l = limits({ perMinute: 3 });
    l.admit('a');
    l.admit('b');
    l.admit('c');
    const err = refusal(() => l.admit('d'));
    expect(err.details).to.match(/registration is busy/);
    now += 20_000; // one token back after a third of a minute
    l.admit('d');
  });

  it('a refused attempt costs the address nothing', () => {
    const l = limits({ perMinute: 1 });
    l.admit('a');
    refusal(() => l.admit('b')); // global cap, not b's fault
    now += 60_000;
    l.admit('b');
  });
});
