/**
 * NIST SP 800-63B style: length matters, composition rules do not; known-breached
 * favourites are refused. Returns the problem, or undefined when acceptable.
 */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 128;

const COMMON = new Set([
  '1234567890', '12345678910', '123456789012', '0123456789', 'qwertyuiop', 'password12', 'password123',
  'password1234', 'passw0rd123', 'iloveyou123', 'qwerty12345', 'qwerty123456', 'abcdefghij', 'abc1234567',
  '1q2w3e4r5t', '1qaz2wsx3edc', 'letmein123', 'welcome123', 'admin12345', 'administrator', 'changeme123',
  'football123', 'baseball123', 'monkey12345', 'dragon12345', 'sunshine123', 'princess123', 'trustno1234',
]);

export function passwordProblem(raw: string, email: string): string | undefined {
  // Judge what is actually hashed (the hasher normalises to NFKC too).
  const password = raw.normalize('NFKC');
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is too common';
  if (new Set(lower).size < 4) return 'is too repetitive';
  const localPart = email.trim().toLowerCase().split('@')[0] ?? '';
  if (localPart.length >= 4 && lower.includes(localPart)) return 'must not contain the email address';
  return undefined;
}
