import { expect } from 'chai';
import { RenewingToken } from '../../sdk/renewing-token.js';

describe('RenewingToken', () => {
  let now = 0;
  let issued = 0;
  const issue = async () => ({ accessToken: `t${++issued}`, expiresIn: 300 });
  beforeEach(() => {
    now = 0;
    issued = 0;
  });

  it('fetches lazily, then reuses the token until the renewal margin', async () => {
    const t = new RenewingToken(issue, { now: () => now });
    expect(issued).to.equal(0);
    expect(await t.token()).to.equal('t1');
    now = 269_999;
    expect(await t.token()).to.equal('t1');
    now = 270_000; // 30 s before expiry
    expect(await t.token()).to.equal('t2');
  });

  it('shares one renewal among concurrent callers', async () => {
    const t = new RenewingToken(issue, { now: () => now });
    const tokens = await Promise.all([t.token(), t.token(), t.token()]);
    expect(tokens).to.deep.equal(['t1', 't1', 't1']);
    expect(issued).to.equal(1);
  });

  it('caps the margin at half the lifetime for short tokens', async () => {
    const t = new RenewingToken(async () => ({ accessToken: `s${++issued}`, expiresIn: 20 }), { now: () => now, renewBeforeSeconds: 30 });
    await t.token();
    now = 9_999;
    expect(await t.token()).to.equal('s1');
    now = 10_000;
    expect(await t.token()).to.equal('s2');
  });

  it('passes the previous answer to the renewer (refresh-token rotation) and starts from a first answer', async () => {
    const seen: (string | undefined)[] = [];
    const t = new RenewingToken(
      async (prev?: { accessToken: string; expiresIn: number }) => {
        seen.push(prev?.accessToken);
        return { accessToken: `r${++issued}`, expiresIn: 300 };
      },
      { now: () => now },
      { accessToken: 'first', expiresIn: 300 },
    );
    expect(await t.token()).to.equal('first');
    now = 300_000;
    expect(await t.token()).to.equal('r1');
    expect(seen).to.deep.equal(['first']);
  });

  it('does not cache a failed renewal: the next call tries again', async () => {
    let fail = true;
    const t = new RenewingToken(async () => {
      if (fail) throw new Error('auth-svc down');
      return { accessToken: 'ok', expiresIn: 300 };
    });
    let error: unknown;
    await t.token().catch((e: unknown) => (error = e));
    expect(String(error)).to.include('auth-svc down');
    fail = false;
    expect(await t.token()).to.equal('ok');
  });
});
