import { expect } from 'chai';
import { cachedVerifier, unauthenticated, type AuthResult, type FailureReason, type Principal, type TokenVerifier } from '../dist/index.js';
import { failureOf, userPrincipal, valueOf } from './fixtures.js';

const T0 = 1_700_000_000_000; // epoch ms

/** A settable clock in epoch ms. */
function fakeClock(start = T0): { now: () => number; set: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms) };
}

/**
 * A verifier that answers from a table of tokens and counts its calls, like the real one:
 * it refuses a token only once `now >= exp + skew`, so the cache must stop first on its own.
 */
function tableVerifier(
  clock: { now: () => number },
  table: Record<string, Principal | FailureReason>,
  skewSeconds = 30,
): TokenVerifier & { calls: string[] } {
  const calls: string[] = [];
  const verify = (token: string): AuthResult<Principal> => {
    calls.push(token);
    const answer = table[token];
    if (answer === undefined) return { ok: false, failure: unauthenticated('malformed', 'unknown test token') };
    if (typeof answer === 'string') return { ok: false, failure: unauthenticated(answer, answer) };
    if (clock.now() >= (answer.expiresAt + skewSeconds) * 1000) return { ok: false, failure: unauthenticated('expired', 'expired') };
    return { ok: true, value: answer };
  };
  return Object.assign(verify, { calls });
}

const EXP = T0 / 1000 + 300;
const principal = (token: string, sessionId?: string) => userPrincipal({ token, sessionId, expiresAt: EXP, tokenId: `jti-${token}` });

describe('cachedVerifier', () => {
  it('answers a repeated token from the cache, verifying it once', () => {
    const clock = fakeClock();
    const verify = tableVerifier(clock, { a: principal('a') });
    const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
    expect(valueOf(cache.verify('a')).token).to.equal('a');
    expect(valueOf(cache.verify('a')).token).to.equal('a');
    expect(verify.calls).to.deep.equal(['a']);
    expect(cache.stats()).to.include({ hits: 1, misses: 1, size: 1 });
  });

  it('never returns a principal at or after the token expiry, although the verifier still accepts it (clock skew)', () => {
    const clock = fakeClock();
    const verify = tableVerifier(clock, { a: principal('a') });
    const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
    valueOf(cache.verify('a'));

    clock.set(EXP * 1000 - 1); // last millisecond before exp: still a hit
    valueOf(cache.verify('a'));
    expect(verify.calls).to.have.length(1);

    for (const t of [EXP * 1000, EXP * 1000 + 1, (EXP + 29) * 1000]) {
      clock.set(t);
      const calls = verify.calls.length;
      cache.verify('a'); // the verifier's own answer (accepted within skew), but never from the cache
      expect(verify.calls, `at ${t}`).to.have.length(calls + 1);
    }
    clock.set((EXP + 30) * 1000);
    expect(failureOf(cache.verify('a')).reason).to.equal('expired');
    expect(cache.stats().hits).to.equal(1);
  });

  it('does not cache a token verified after its exp (within skew)', () => {
    const clock = fakeClock(EXP * 1000 + 5);
    const verify = tableVerifier(clock, { a: principal('a') });
    const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
    valueOf(cache.verify('a'));
    valueOf(cache.verify('a'));
    expect(verify.calls).to.have.length(2);
    expect(cache.stats().size).to.equal(0);
  });

  it('forgetSession drops every token of that session and only those', () => {
    const clock = fakeClock();
    const verify = tableVerifier(clock, {
      s1a: principal('s1a', 'sid-1'),
      s1b: principal('s1b', 'sid-1'),
      s2: principal('s2', 'sid-2'),
      none: principal('none'),
    });
    const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
    for (const t of ['s1a', 's1b', 's2', 'none']) valueOf(cache.verify(t));
    expect(verify.calls).to.have.length(4);

    cache.forgetSession('sid-1');
    cache.forgetSession('sid-unknown'); // harmless
    for (const t of ['s2', 'none']) valueOf(cache.verify(t));
    expect(verify.calls, 'other sessions still cached').to.have.length(4);
    for (const t of ['s1a', 's1b']) valueOf(cache.verify(t));
    expect(verify.calls.slice(4), 'revoked session re-verified').to.deep.equal(['s1a', 's1b']);
  });

  it('after forgetSession, a revocation check composed around the cache refuses, and the cache cannot bring the session back', () => {
    const clock = fakeClock();
    const revoked = new Set<string>();
    const verify = tableVerifier(clock, { a: principal('a', 'sid-1') });
    const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
    // What the lead's revocation list does: check every answer, cached or not.
    const guarded: TokenVerifier = (token) => {
      const r = cache.verify(token);
      return r.ok && r.value.sessionId !== undefined && revoked.has(r.value.sessionId)
        ? { ok: false, failure: unauthenticated('revoked', 'session revoked') }
        : r;
    };
    valueOf(guarded('a'));
    revoked.add('sid-1');
    cache.forgetSession('sid-1');
    expect(failureOf(guarded('a')).reason).to.equal('revoked');
    expect(failureOf(guarded('a')).reason).to.equal('revoked');
  });

  it('keeps the session index consistent when entries are evicted by the LRU bound', () => {
    const clock = fakeClock();
    const table: Record<string, Principal> = {};
    for (let i = 0; i < 5; i++) table[`t${i}`] = principal(`t${i}`, i < 3 ? 'sid-a' : 'sid-b');
    const verify = tableVerifier(clock, table);
    const cache = cachedVerifier(verify, { maxEntries: 3, now: clock.now });
    for (let i = 0; i < 5; i++) valueOf(cache.verify(`t${i}`));
    expect(cache.stats().size).to.equal(3);
    cache.forgetSession('sid-a'); // only t2 of sid-a is still cached
    expect(cache.stats().size).to.equal(2);
    valueOf(cache.verify('t3'));
    valueOf(cache.verify('t4'));
    expect(verify.calls).to.have.length(5);
  });

  it('holds at most maxEntries and evicts the least recently used', () => {
    const clock = fakeClock();
    const table: Record<string, Principal> = {};
    for (let i = 0; i < 100; i++) table[`t${i}`] = principal(`t${i}`);
    const verify = tableVerifier(clock, table);
    const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
    for (let i = 0; i < 100; i++) valueOf(cache.verify(`t${i}`));
    expect(cache.stats().size).to.equal(10);
    verify.calls.length = 0;
    valueOf(cache.verify('t99'));
    valueOf(cache.verify('t0'));
    expect(verify.calls).to.deep.equal(['t0']);
  });

  it('clear forgets every token (e.g. a verification key was withdrawn)', () => {
    const clock = fakeClock();
    const verify = tableVerifier(clock, { a: principal('a', 'sid-1'), b: principal('b') });
    const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
    valueOf(cache.verify('a'));
    valueOf(cache.verify('b'));
    cache.clear();
    expect(cache.stats().size).to.equal(0);
    valueOf(cache.verify('a'));
    valueOf(cache.verify('b'));
    expect(verify.calls).to.deep.equal(['a', 'b', 'a', 'b']);
    cache.forgetSession('sid-1'); // the index was rebuilt for the new entry
    valueOf(cache.verify('a'));
    expect(verify.calls).to.have.length(5);
  });

  it('with maxEntries 0 verifies every call', () => {
    const clock = fakeClock();
    const verify = tableVerifier(clock, { a: principal('a') });
    const cache = cachedVerifier(verify, { maxEntries: 0, now: clock.now });
    valueOf(cache.verify('a'));
    valueOf(cache.verify('a'));
    expect(verify.calls).to.have.length(2);
  });

  for (const reason of ['expired', 'not_yet_valid', 'unknown_key', 'wrong_audience', 'wrong_issuer', 'invalid_claims', 'unsupported_algorithm'] as const) {
    it(`does not remember a "${reason}" refusal`, () => {
      const clock = fakeClock();
      const verify = tableVerifier(clock, { bad: reason });
      const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
      expect(failureOf(cache.verify('bad')).reason).to.equal(reason);
      expect(failureOf(cache.verify('bad')).reason).to.equal(reason);
      expect(verify.calls).to.have.length(2);
    });
  }

  it('accepts a token whose key was unknown at first once the verifier knows the key', () => {
    const clock = fakeClock();
    const table: Record<string, Principal | FailureReason> = { rotated: 'unknown_key' };
    const verify = tableVerifier(clock, table);
    const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
    expect(failureOf(cache.verify('rotated')).reason).to.equal('unknown_key');
    table.rotated = principal('rotated');
    expect(valueOf(cache.verify('rotated')).token).to.equal('rotated');
  });

  for (const reason of ['invalid_signature', 'malformed'] as const) {
    it(`remembers a "${reason}" refusal briefly, then verifies again`, () => {
      const clock = fakeClock();
      const verify = tableVerifier(clock, { bad: reason });
      const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now, negativeTtlMs: 1000 });
      expect(failureOf(cache.verify('bad')).reason).to.equal(reason);
      clock.set(T0 + 999);
      expect(failureOf(cache.verify('bad')).reason).to.equal(reason);
      expect(verify.calls).to.have.length(1);
      clock.set(T0 + 1000);
      expect(failureOf(cache.verify('bad')).reason).to.equal(reason);
      expect(verify.calls).to.have.length(2);
      expect(cache.stats()).to.include({ negativeHits: 1, size: 0 });
    });
  }

  it('with maxNegativeEntries 0 remembers no refusal', () => {
    const clock = fakeClock();
    const verify = tableVerifier(clock, { bad: 'invalid_signature' });
    const cache = cachedVerifier(verify, { maxEntries: 10, maxNegativeEntries: 0, now: clock.now });
    cache.verify('bad');
    cache.verify('bad');
    expect(verify.calls).to.have.length(2);
  });
  describe('tokens that end alike (the cache is keyed by a token\'s end)', () => {
    const END = '.' + 's'.repeat(40); // a shared signature end, as a forger copying a real token's signature has
    const real = `real-header.real-payload${END}`;
    const forged = `real-header.forged-payload${END}`;

    it('never answers a token with another token\'s cached principal', () => {
      const clock = fakeClock();
      const verify = tableVerifier(clock, { [real]: principal(real, 'sid-1'), [forged]: 'invalid_signature' });
      const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
      expect(valueOf(cache.verify(real)).token).to.equal(real);
      expect(failureOf(cache.verify(forged)).reason).to.equal('invalid_signature');
      expect(failureOf(cache.verify(forged)).reason, 'the refusal is remembered for the forged token only').to.equal('invalid_signature');
      expect(valueOf(cache.verify(real)).token).to.equal(real);
      expect(verify.calls).to.deep.equal([real, forged]);
    });

    it('never answers a valid token with a refusal remembered for another', () => {
      const clock = fakeClock();
      const verify = tableVerifier(clock, { [real]: principal(real), [forged]: 'invalid_signature' });
      const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
      expect(failureOf(cache.verify(forged)).reason).to.equal('invalid_signature');
      expect(valueOf(cache.verify(real)).token).to.equal(real);
      expect(valueOf(cache.verify(real)).token).to.equal(real);
      expect(verify.calls).to.deep.equal([forged, real]);
    });

    it('two valid tokens that end alike take turns in one slot, and forgetSession still finds its own', () => {
      const clock = fakeClock();
      const other = `other-header.other-payload${END}`;
      const verify = tableVerifier(clock, { [real]: principal(real, 'sid-1'), [other]: principal(other, 'sid-2') });
      const cache = cachedVerifier(verify, { maxEntries: 10, now: clock.now });
      for (const t of [real, other, real]) expect(valueOf(cache.verify(t)).token).to.equal(t);
      expect(verify.calls).to.deep.equal([real, other, real]);
      cache.forgetSession('sid-2'); // other was replaced by real: nothing of sid-2 is left to drop
      expect(valueOf(cache.verify(real)).token).to.equal(real);
      expect(verify.calls, 'real still cached').to.have.length(3);
      cache.forgetSession('sid-1');
      expect(valueOf(cache.verify(real)).token).to.equal(real);
      expect(verify.calls, 'real re-verified after its session was forgotten').to.have.length(4);
    });
  });
});
