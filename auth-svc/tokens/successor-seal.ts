import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * A rotated refresh token's successor, sealed so that only a party presenting the rotated
 * token can open it: AES-256-GCM under a key derived (HKDF-SHA256) from that token, which
 * is never stored — the database holds only its SHA-256, a different derivation. So a
 * Refresh retried after a lost answer can get the same successor back, and a copy of the
 * database alone reveals no live token.
 */
const INFO = 'grpc-token-auth refresh successor v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealSuccessor(presented: string, successor: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(presented), iv);
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The successor, or undefined when `sealed` was not made for `presented` (or was tampered with). */
export function openSuccessor(presented: string, sealed: string): string | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(presented), bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function keyFrom(presented: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(presented, 'utf8'), Buffer.alloc(0), INFO, 32));
}
