import { expect } from 'chai';
import { tokenExchanger, type TokenExchangeSource } from '../dist/index.js';
import { userPrincipal } from './fixtures.js';

/** A stand-in auth-svc: counts exchanges, answers `t<n>` tokens valid for `lifetimeS`, or fails once when told. */
function fakeSource(lifetimeS = 60): TokenExchangeSource & { calls: string[]; failNext: boolean } {
  const calls: string[] = [];
  const source = {
    calls,
    failNext: false,
    async exchange(subjectToken: string, audience: string) {
      const n = calls.push(`${subjectToken}→${audience}`);
      await new Promise((r) => setTimeout(r, 5));
      if (source.failNext) {
        source.failNext = false;
        throw new Error('auth-svc unreachable');
      }
      return { accessToken: `t${n}`, expiresIn: lifetimeS };
    },
  };
  return source;
}

const ctx = (token: string) => ({ principal: userPrincipal({ token }), call: undefined as never });
const tokenOf = (md: { metadata: { get(k: string): unknown[] } }) => String(md.metadata.get('authorization')[0]);

describe('tokenExchanger (RFC 8693 for downstream calls)', () => {
  let nowMs = 1_000_000;
  const now = () => nowMs;

  it('sends the exchanged token, not the caller\'s, with the caller\'s deadline and cancellation', async () => {
    const exchanged = tokenExchanger(fakeSource(), { now });
    const md = await exchanged(ctx('user.token.a'), 'reports-svc');
    expect(tokenOf(md)).to.equal('Bearer t1');
    expect(md.callOptions).to.have.property('propagate_flags');
  });

  it('caches per subject token and audience, and concurrent calls share one exchange', async () => {
    const source = fakeSource();
    const exchanged = tokenExchanger(source, { now });
    const answers = await Promise.all([exchanged(ctx('a.a.a'), 'x'), exchanged(ctx('a.a.a'), 'x'), exchanged(ctx('a.a.a'), 'y'), exchanged(ctx('b.b.b'), 'x')]);
    expect(answers.map(tokenOf)).to.deep.equal(['Bearer t1', 'Bearer t1', 'Bearer t2', 'Bearer t3']);
    await exchanged(ctx('a.a.a'), 'x');
    expect(source.calls).to.deep.equal(['a.a.a→x', 'a.a.a→y', 'b.b.b→x']);
  });

  it('exchanges again shortly before the cached token expires', async () => {
    const source = fakeSource(60);
    const exchanged = tokenExchanger(source, { now, minRemainingMs: 5000 });
    await exchanged(ctx('a.a.a'), 'x');
    nowMs += 54_000;
    expect(tokenOf(await exchanged(ctx('a.a.a'), 'x'))).to.equal('Bearer t1');
    nowMs += 2000;
    expect(tokenOf(await exchanged(ctx('a.a.a'), 'x'))).to.equal('Bearer t2');
  });

  it('does not cache a failed exchange', async () => {
    const source = fakeSource();
    source.failNext = true;
    const exchanged = tokenExchanger(source, { now });
    let failed: unknown;
    await exchanged(ctx('a.a.a'), 'x').catch((e: unknown) => (failed = e));
    expect(String(failed)).to.match(/unreachable/);
    expect(tokenOf(await exchanged(ctx('a.a.a'), 'x'))).to.equal('Bearer t2');
  });
});
