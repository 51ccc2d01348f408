import { expect } from 'chai';
import { planRekey } from '../../auth-svc/store/email-rekey.js';
import { canonicalEmail, emailAddressProblem } from '../../auth-svc/users/email-address.js';

describe('email addresses: one canonical form, invisible characters refused', () => {
  it('folds compatibility forms and case (NFKC, full case folding)', () => {
    expect(canonicalEmail(' Victim@Example.com ')).to.equal('victim@example.com');
    expect(canonicalEmail('ｖｉｃｔｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ')).to.equal('victim@example.com');
    expect(canonicalEmail('\ufb01ona@example.com')).to.equal('fiona@example.com');
    expect(canonicalEmail('STRAẞE@example.com')).to.equal(canonicalEmail('strasse@example.com'));
    expect(canonicalEmail('ΣΟΦΟΣ@example.com')).to.equal(canonicalEmail('σοφος@example.com'));
    expect(canonicalEmail('cafe\u0301@example.com')).to.equal('café@example.com');
  });

  it('refuses invisible, format, control and bidi characters; accepts ordinary non-ASCII addresses', () => {
    for (const bad of ['a\u200bb@x.io', 'a\u00adb@x.io', 'a\u200db@x.io', '\u202eab@x.io', 'a\u2066b@x.io', 'a\u0000b@x.io', 'a\u034fb@x.io', 'a\ufe0fb@x.io', 'a\ud800b@x.io']) {
      expect(emailAddressProblem(bad), JSON.stringify(bad)).to.match(/invisible, control or formatting/);
    }
    for (const good of ['zoë@example.com', 'ünïcode@bücher.de', 'ｖictim@example.com']) expect(emailAddressProblem(good), good).to.equal(undefined);
    expect(emailAddressProblem('not-an-address')).to.equal('is not a valid email address');
  });

  it('refuses an empty address and one over 254 characters, counted after trimming, in characters', () => {
    expect(emailAddressProblem('  ')).to.equal('is required');
    expect(emailAddressProblem(`${'x'.repeat(243)}@example.com`)).to.equal('must be at most 254 characters');
    expect(emailAddressProblem(` ${'x'.repeat(242)}@example.com `), '254 characters once trimmed').to.equal(undefined);
    expect(emailAddressProblem(`${'é'.repeat(242)}@example.com`), '254 characters, 496 bytes').to.equal(undefined);
  });

  it('re-keying: two passes (no unique key held twice), oldest keeps a shared key, nothing to do when keys are already canonical', () => {
    const rows = [
      { id: 'b', email: 'x@e.io', key: 'rekeying-irrelevant', createdAt: 2 },
      { id: 'a', email: 'Ｘ@e.io', key: 'ｘ@e.io', createdAt: 1 },
    ];
    const { updates, findings } = planRekey(rows);
    expect(updates).to.deep.equal([
      ['rekeying:b', 'b'],
      ['rekeying:a', 'a'],
      ['collision:b', 'b'],
      ['x@e.io', 'a'],
    ]);
    expect(findings.map((f) => f.fields)).to.deep.equal([{ event: 'email_collision', kept: 'a', apart: ['b'] }]);
    expect(planRekey([{ id: 'c', email: 'C@e.io', key: 'c@e.io', createdAt: 0 }])).to.deep.equal({ updates: [], findings: [] });
  });
});
