import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Refresh tokens and service-client secrets: 256 random bits, shown once, stored only
 * as SHA-256. A fast hash is enough here (unlike passwords): nothing can be guessed
 * from a hash of 256 random bits, and lookups by hash stay cheap.
 */
export function newOpaqueSecret(): { value: string; hash: string } {
  const value = randomBytes(32).toString('base64url');
  return { value, hash: hashOpaqueSecret(value) };
}

export function hashOpaqueSecret(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function opaqueSecretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashOpaqueSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Real values are 43 characters; anything much longer is refused before hashing. */
export const MAX_OPAQUE_SECRET_LENGTH = 256;
