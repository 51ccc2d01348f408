import { expect } from 'chai';
import { RenewingToken } from '@grpc-token-auth/sdk';

describe('RenewingToken', () => {
  let now = 0;
  let issued = 0;
  const issue = async () => ({ accessToken: `t${++issued}`, expiresIn: 300 });
  /** Lets a background renewal (a few promise turns) finish. */
  const settle = () => new Promise((r) => setImmediate(r));
  beforeEach(() => {
    now = 0;
    issued = 0;
  });

  it('fetches lazily, reuses the token until the renewal margin, then renews in the background', async () => {
    const t = new RenewingToken(issue, { now: () => now });
    expect(issued).to.equal(0);
    expect(await t.token()).to.equal('t1');
    now = 269_999;
    expect(await t.token()).to.equal('t1');
    now = 270_000; // 30 s before expiry: the current token is still handed out, renewal starts
    expect(await t.token()).to.equal('t1');
    await settle();
    expect(issued).to.equal(2);
    expect(await t.token()).to.equal('t2');
  });

  it('makes callers wait for the renewal only when the token is about to expire', async () => {
    const t = new RenewingToken(issue, { now: () => now });
    await t.token();
    now = 298_001; // less than 2 s left
    expect(await t.token()).to.equal('t2');
  });

  it('shares one renewal among concurrent callers', async () => {
    const t = new RenewingToken(issue, { now: () => now });
    const tokens = await Promise.all([t.token(), t.token(), t.token()]);
    expect(tokens).to.deep.equal(['t1', 't1', 't1']);
    expect(issued).to.equal(1);
    now = 280_000;
    await Promise.all([t.token(), t.token(), t.token()]);
    await settle();
    expect(issued).to.equal(2);
  });

  it('caps the margin at half the lifetime for short tokens', async () => {
    const t = new RenewingToken(async () => ({ accessToken: `s${++issued}`, expiresIn: 20 }), { now: () => now, renewBeforeSeconds: 30 });
    await t.token();
    now = 9_999;
    await t.token();
    await settle();
    expect(issued).to.equal(1);
    now = 10_000;
    await t.token();
    await settle();
    expect(issued).to.equal(2);
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

  it('keeps handing out a still-valid token while renewal fails, retrying in the background with backoff', async () => {
    let down = true;
    let attempts = 0;
    const t = new RenewingToken(
      async () => {
        attempts++;
        if (down) throw new Error('auth-svc down');
        return { accessToken: `n${attempts}`, expiresIn: 300 };
      },
      { now: () => now, retryMinMs: 20 },
      { accessToken: 'old', expiresIn: 300 },
    );
    now = 280_000;
    for (let i = 0; i < 5; i++) expect(await t.token()).to.equal('old');
    await settle();
    expect(attempts, 'calls do not each start a renewal').to.equal(1);
    await new Promise((r) => setTimeout(r, 100)); // retries at 20, 40 ms
    expect(attempts).to.be.within(2, 4);
    down = false;
    await new Promise((r) => setTimeout(r, 200));
    expect(await t.token()).to.match(/^n\d$/);
    t.stop();
  });

  it('with an expired token, callers wait for the next attempt and get its error', async () => {
    let fail = true;
    const t = new RenewingToken(async () => {
      if (fail) throw new Error('auth-svc down');
      return { accessToken: 'ok', expiresIn: 300 };
    }, { retryMinMs: 20 });
    let error: unknown;
    await t.token().catch((e: unknown) => (error = e));
    expect(String(error)).to.include('auth-svc down');
    fail = false;
    expect(await t.token()).to.equal('ok'); // the scheduled retry, 20 ms later
    t.stop();
  });

  it('stop() ends background retries', async () => {
    let attempts = 0;
    const t = new RenewingToken(
      async () => {
        attempts++;
        throw new Error('down');
      },
      { now: () => now, retryMinMs: 10 },
      { accessToken: 'old', expiresIn: 300 },
    );
    now = 280_000;
    await t.token();
    await settle();
    t.stop();
    const stoppedAt = attempts;
    await new Promise((r) => setTimeout(r, 60));
    expect(attempts).to.equal(stoppedAt);
  });
});
