import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createAuthClient, type AuthClient } from '@grpc-token-auth/sdk';
import { expectStatus } from '../support/grpc.js';
import { startSystem, type RunningSystem } from '../support/system.js';

/**
 * Look-alike emails cannot make a second account that displays like the first (issue 24, item
 * 4), attacked from outside: each look-alike of an existing address is refused, or is that
 * same account.
 */
describe('identifiers that cannot impersonate (real processes)', function () {
  this.timeout(30_000);
  let sys: RunningSystem;
  let auth: AuthClient;
  const password = 'look-alike-passphrase';
  const victims = { plain: 'victim@example.com', ligature: 'fiona@example.com' };
  const ids: Record<string, string> = {};

  before(async () => {
    // Each refused sign-in counts as a failure (its own test in unstorable-text.test.ts); room for this suite's.
    sys = await startSystem({ LOGIN_MAX_ACCOUNT_FAILURES: '100', LOGIN_MAX_ADDRESS_FAILURES: '100' });
    auth = createAuthClient(sys.authAddress);
    for (const [k, email] of Object.entries(victims)) ids[k] = (await auth.register({ email, password, displayName: k })).userId;
  });
  after(async () => {
    auth?.close();
    await sys?.stop();
  });

  const invisible: [string, string][] = [
    ['zero-width space', 'vic\u200btim@example.com'],
    ['soft hyphen', 'vic\u00adtim@example.com'],
    ['zero-width joiner', 'vic\u200dtim@example.com'],
    ['right-to-left override', '\u202evictim@example.com'],
    ['word joiner at the end', 'victim@example.com\u2060'],
    ['NUL', 'victim\u0000@example.com'],
  ];

  for (const [what, email] of invisible) {
    it(`refuses an email with a ${what}: INVALID_ARGUMENT at Register and at Login`, async () => {
      await expectStatus(auth.register({ email, password, displayName: 'Impostor' }), status.INVALID_ARGUMENT, /^email: contains (invisible, control or formatting characters|a NUL)/);
      await expectStatus(auth.login({ email, password }), status.INVALID_ARGUMENT, /^email: contains invisible, control or formatting characters$/);
    });
  }

  const folded: [string, string, keyof typeof victims][] = [
    ['a fullwidth letter', 'ｖictim@example.com', 'plain'],
    ['fullwidth letters and @', 'ＶＩＣＴＩＭ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'plain'],
    ['the ﬁ ligature', '\ufb01ona@example.com', 'ligature'],
    ['upper case', 'FIONA@EXAMPLE.COM', 'ligature'],
  ];
  for (const [what, email, victim] of folded) {
    it(`maps an email with ${what} to the existing account: Register says taken, Login signs in to it`, async () => {
      await expectStatus(auth.register({ email, password, displayName: 'Impostor' }), status.ALREADY_EXISTS, /email is already registered/);
      expect((await auth.login({ email, password })).userId).to.equal(ids[victim]);
    });
  }

  it('refuses display names with nothing visible, or with controls or bidi overrides', async () => {
    const names = ['\u200b\u200b', '   ', '\u3164', '\u2800\u2800', '\u00ad', 'Ann\u202egpj.exe', 'two\nlines', 'nul\u0000'];
    let i = 0;
    for (const displayName of names) {
      await expectStatus(auth.register({ email: `name-${++i}@example.com`, password, displayName }), status.INVALID_ARGUMENT, /^display_name: /);
    }
    // Scripts and emoji that need joiners and marks are fine.
    for (const displayName of ['👩\u200d💻 Dev', 'نام\u200cخانوادگی', 'Zoë']) {
      expect((await auth.register({ email: `name-${++i}@example.com`, password, displayName })).userId).to.be.a('string');
    }
  });
});
