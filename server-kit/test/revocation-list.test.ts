import { expect } from 'chai';
import { RevocationList, withRevocations } from '../dist/index.js';
import { failureOf, userPrincipal, valueOf } from './fixtures.js';

describe('RevocationList', () => {
  let now = 1_000_000;
  const list = () => new RevocationList(() => now);
  beforeEach(() => (now = 1_000_000));

  it('refuses a revoked session until every token of it has expired, then forgets it', () => {
    const l = list();
    l.add([{ sessionId: 's1', forgetAfter: now + 5000 }]);
    expect(l.isRevoked('s1')).to.equal(true);
    expect(l.isRevoked('s2')).to.equal(false);
    now += 4999;
    expect(l.isRevoked('s1')).to.equal(true);
    now += 1;
    expect(l.isRevoked('s1')).to.equal(false);
    expect(l.size).to.equal(0);
  });

  it('ignores entries that are already forgettable and prunes expired ones on every change', () => {
    const l = list();
    l.add([{ sessionId: 'old', forgetAfter: now }, { sessionId: 'a', forgetAfter: now + 10 }]);
    expect(l.size).to.equal(1);
    now += 20;
    l.add([{ sessionId: 'b', forgetAfter: now + 10 }]);
    expect(l.size).to.equal(1);
  });

  it('a snapshot replaces what was known (resync after reconnect)', () => {
    const l = list();
    l.add([{ sessionId: 'gone', forgetAfter: now + 10_000 }]);
    l.replace([{ sessionId: 'kept', forgetAfter: now + 10_000 }]);
    expect(l.isRevoked('gone')).to.equal(false);
    expect(l.isRevoked('kept')).to.equal(true);
  });

  it('never shortens a known revocation', () => {
    const l = list();
    l.add([{ sessionId: 's', forgetAfter: now + 10_000 }]);
    l.add([{ sessionId: 's', forgetAfter: now + 10 }]);
    now += 5000;
    expect(l.isRevoked('s')).to.equal(true);
  });

  it('tells listeners about newly revoked sessions only (cache eviction hook)', () => {
    const l = list();
    const heard: string[] = [];
    l.onRevoked((sid) => heard.push(sid));
    l.add([{ sessionId: 'a', forgetAfter: now + 10 }]);
    l.add([{ sessionId: 'a', forgetAfter: now + 10 }]);
    l.replace([{ sessionId: 'a', forgetAfter: now + 10 }, { sessionId: 'b', forgetAfter: now + 10 }]);
    expect(heard).to.deep.equal(['a', 'b']);
  });

  it('withRevocations refuses a verified token of a revoked session as "revoked", and passes others through', () => {
    const l = list();
    l.add([{ sessionId: 'dead', forgetAfter: now + 10_000 }]);
    const verify = withRevocations((token) => ({ ok: true, value: userPrincipal({ sessionId: token === 't-dead' ? 'dead' : 'live' }) }), l);
    expect(failureOf(verify('t-dead'))).to.include({ status: 'unauthenticated', reason: 'revoked' });
    expect(valueOf(verify('t-live')).sessionId).to.equal('live');
    const noSession = withRevocations(() => ({ ok: true, value: userPrincipal({ sessionId: undefined }) }), l);
    expect(valueOf(noSession('x')).sessionId).to.equal(undefined);
    const failing = withRevocations(() => ({ ok: false, failure: { status: 'unauthenticated', reason: 'expired', message: 'token expired' } }), l);
    expect(failureOf(failing('x')).reason).to.equal('expired');
  });
});
