import { hasInvisibleCharacters } from '../../lib/text/text-rules.js';

/** RFC 5321's limit on a forward path; longer is not an address anyone can receive mail at. */
export const MAX_EMAIL_LENGTH = 254;

// Pragmatic shape check on the canonical form; deliverability is the mail server's business.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/**
 * The one form emails are compared in (uniqueness, sign-in, the login throttle's key), in the
 * spirit of PRECIS (RFC 8264/8265): compatibility-normalised (NFKC: fullwidth `ａ` is `a`, the
 * ligature `ﬁ` is `fi`), then case-folded (lower, upper, then lower case again, so `ß` and `ẞ`
 * fold to `ss` and final sigma to sigma, as full case folding does), then NFKC again (case mapping can
 * denormalise). Two addresses that display alike but differ only in what this folds are one
 * account. Invisible characters are not folded away: they are refused (`emailAddressProblem`).
 */
export function canonicalEmail(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().normalize('NFKC');
}

/**
 * Why `email` cannot name an account, or undefined. Invisible and format characters (zero-width
 * space and joiner, soft hyphen, bidi overrides, controls, NUL), which would let a second
 * account display exactly like the first, are refused rather than stripped: the caller sees
 * what went wrong.
 */
export function emailCharactersProblem(email: string): string | undefined {
  if (hasInvisibleCharacters(email.trim())) return 'contains invisible, control or formatting characters';
  return undefined;
}

/**
 * Why `email` (compared trimmed) cannot be an account's address, or undefined: empty, longer than
 * MAX_EMAIL_LENGTH characters, `emailCharactersProblem`, or not the shape of an address once
 * canonical. The one set of rules for Register, SetUserEmail and the `users` command.
 */
export function emailAddressProblem(email: string): string | undefined {
  const trimmed = email.trim();
  if (trimmed === '') return 'is required';
  if ([...trimmed].length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  return emailCharactersProblem(trimmed) ?? (EMAIL_SHAPE.test(canonicalEmail(trimmed)) ? undefined : 'is not a valid email address');
}
