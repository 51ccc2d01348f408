import { expect } from 'chai';
import { PasswordHasher } from '../../auth-svc/passwords/password-hasher.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem } from '../../auth-svc/passwords/password-policy.js';

const LOG_N = 10;
const FORMAT = /^\$scrypt\$ln=10,r=8,p=1\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(LOG_N);
  let stored: string;

  before(async () => {
    stored = await hasher.hash('correct horse battery staple');
  });

  it('produces a self-describing $scrypt$ln=10,r=8,p=1$salt$key hash', () => {
    const m = FORMAT.exec(stored);
    expect(m, stored).to.not.equal(null);
    expect(Buffer.from(m![1]!, 'base64')).to.have.length(16);
    expect(Buffer.from(m![2]!, 'base64')).to.have.length(32);
  });

  it('verifies the right password', async () => {
    expect(await hasher.verify('correct horse battery staple', stored)).to.equal(true);
  });

  it('rejects a wrong password', async () => {
    expect(await hasher.verify('correct horse battery stapler', stored)).to.equal(false);
    expect(await hasher.verify('Correct horse battery staple', stored)).to.equal(false);
    expect(await hasher.verify('', stored)).to.equal(false);
  });

  it('salts: two hashes of the same password differ, and both verify', async () => {
    const again = await hasher.hash('correct horse battery staple');
    expect(again).to.not.equal(stored);
    expect(FORMAT.exec(again)![1]).to.not.equal(FORMAT.exec(stored)![1]);
    expect(await hasher.verify('correct horse battery staple', again)).to.equal(true);
  });

  it('normalises passwords (NFKC) before hashing', async () => {
    const composed = await hasher.hash('caf\u00e9 au lait!');
    expect(await hasher.verify('cafe\u0301 au lait!', composed)).to.equal(true);
  });

  it('verifies with the parameters stored in the hash, not its own', async () => {
    const stronger = new PasswordHasher(LOG_N + 1);
    expect(await stronger.verify('correct horse battery staple', stored)).to.equal(true);
  });

  describe('malformed stored hashes never match', () => {
    const cases: Record<string, () => string> = {
      'an empty string': () => '',
      'a plain string': () => 'correct horse battery staple',
      'a bcrypt hash': () => '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
      'a missing key': () => stored.slice(0, stored.lastIndexOf('$')),
      'a truncated key': () => stored.slice(0, -8),
      'extra fields': () => `${stored}$extra`,
      'ln=0': () => stored.replace('ln=10', 'ln=0'),
      'ln=23': () => stored.replace('ln=10', 'ln=23'),
      'r=0': () => stored.replace('r=8', 'r=0'),
      'r=33': () => stored.replace('r=8', 'r=33'),
      'p=0': () => stored.replace('p=1', 'p=0'),
      'p=17': () => stored.replace('p=1', 'p=17'),
      'a non-numeric cost': () => stored.replace('ln=10', 'ln=ten'),
      'another scheme name': () => stored.replace('$scrypt$', '$argon2id$'),
      'a short key (wrong length)': () => '$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5',
    };
    for (const [what, make] of Object.entries(cases)) {
      it(`returns false for ${what}`, async () => {
        expect(await hasher.verify('correct horse battery staple', make())).to.equal(false);
      });
    }
  });

  describe('needsRehash', () => {
    it('is false for a hash made with the current parameters', () => {
      expect(hasher.needsRehash(stored)).to.equal(false);
    });

    it('is true when the stored cost is lower than the hasher’s', () => {
      expect(new PasswordHasher(LOG_N + 2).needsRehash(stored)).to.equal(true);
    });

    it('is false when the stored cost is higher (never downgrade)', () => {
      expect(hasher.needsRehash(stored.replace('ln=10', 'ln=12'))).to.equal(false);
    });

    it('is true when the stored block size is lower', () => {
      expect(hasher.needsRehash(stored.replace('r=8', 'r=4'))).to.equal(true);
    });

    it('is true for a malformed hash', () => {
      expect(hasher.needsRehash('not a hash')).to.equal(true);
      expect(hasher.needsRehash('')).to.equal(true);
    });
  });

  it('verifyNothing resolves to false', async () => {
    expect(await hasher.verifyNothing('correct horse battery staple')).to.equal(false);
    expect(await hasher.verifyNothing('')).to.equal(false);
  });
});

describe('passwordProblem', () => {
  const EMAIL = 'zed@example.com';

  it('accepts a long, varied password', () => {
    expect(passwordProblem('correct horse battery staple', EMAIL)).to.equal(undefined);
    expect(passwordProblem('Tr0ub4dor&3x', EMAIL)).to.equal(undefined);
  });

  it('refuses passwords shorter than 10 characters', () => {
    expect(MIN_PASSWORD_LENGTH).to.equal(10);
    expect(passwordProblem('abcdefghi', EMAIL)).to.equal('must be at least 10 characters');
    expect(passwordProblem('', EMAIL)).to.equal('must be at least 10 characters');
    expect(passwordProblem('abcdefgh1!', EMAIL)).to.equal(undefined);
  });

  it('refuses passwords longer than 128 characters', () => {
    expect(MAX_PASSWORD_LENGTH).to.equal(128);
    const long = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(4);
    expect(passwordProblem(long.slice(0, 128), EMAIL)).to.equal(undefined);
    expect(passwordProblem(long.slice(0, 129), EMAIL)).to.equal('must be at most 128 characters');
  });

  it('refuses common passwords, case-insensitively', () => {
    expect(passwordProblem('password123', EMAIL)).to.equal('is too common');
    expect(passwordProblem('PassWord123', EMAIL)).to.equal('is too common');
    expect(passwordProblem('qwertyuiop', EMAIL)).to.equal('is too common');
    expect(passwordProblem('1234567890', EMAIL)).to.equal('is too common');
  });

  it('refuses passwords with fewer than 4 distinct characters', () => {
    expect(passwordProblem('aaaaaaaaaa', EMAIL)).to.equal('is too repetitive');
    expect(passwordProblem('abababababab', EMAIL)).to.equal('is too repetitive');
    expect(passwordProblem('abcABCabcABC', EMAIL)).to.equal('is too repetitive');
    expect(passwordProblem('abcdabcdab', EMAIL)).to.equal(undefined);
  });

  it('refuses passwords containing the email local part', () => {
    expect(passwordProblem('my-alice-password', 'alice@example.com')).to.equal('must not contain the email address');
    expect(passwordProblem('xxALICExx2024', '  Alice@Example.com ')).to.equal('must not contain the email address');
  });

  it('ignores email local parts shorter than 4 characters', () => {
    expect(passwordProblem('bob-likes-long-walks', 'bob@example.com')).to.equal(undefined);
  });

  it('counts characters as Unicode code points, not UTF-16 units', () => {
    const emoji = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊'];
    // 9 code points but 18 UTF-16 units: still too short.
    expect(emoji.slice(0, 9).join('')).to.have.length(18);
    expect(passwordProblem(emoji.slice(0, 9).join(''), EMAIL)).to.equal('must be at least 10 characters');
    expect(passwordProblem(emoji.join(''), EMAIL)).to.equal(undefined);
    // 128 code points (256 UTF-16 units) is within the limit; 129 is not.
    const many = Array.from({ length: 129 }, (_, i) => emoji[i % emoji.length]!);
    expect(passwordProblem(many.slice(0, 128).join(''), EMAIL)).to.equal(undefined);
    expect(passwordProblem(many.join(''), EMAIL)).to.equal('must be at most 128 characters');
  });

  it('counts repetition by code points', () => {
    expect(passwordProblem('😀😁😀😁😀😁😀😁😀😁', EMAIL)).to.equal('is too repetitive');
  });

  // The hasher hashes password.normalize('NFKC'): the policy must judge that same string, or
  // policy-violating passwords get in (they are what is stored and compared at login).
  describe('judges the NFKC-normalised password, which is what gets hashed', () => {
    it('refuses a password that normalises to fewer than 10 characters', () => {
      // 10 code points as typed (5 letters + 5 combining accents) = "áéíóú" (5 characters) once normalised.
      const decomposed = 'a\u0301e\u0301i\u0301o\u0301u\u0301';
      expect(decomposed.normalize('NFKC')).to.have.length(5);
      expect(passwordProblem(decomposed, EMAIL)).to.equal('must be at least 10 characters');
    });

    it('refuses a full-width spelling of a common password', () => {
      // Normalises to "PASSWORD123", which the policy refuses when typed directly.
      const fullWidth = '\uff30\uff21\uff33\uff33\uff37\uff2f\uff32\uff24\uff11\uff12\uff13';
      expect(fullWidth.normalize('NFKC')).to.equal('PASSWORD123');
      expect(passwordProblem('PASSWORD123', EMAIL)).to.equal('is too common');
      expect(passwordProblem(fullWidth, EMAIL)).to.equal('is too common');
    });
  });
});
