import { expect } from 'chai';
import { hashOpaqueSecret, newOpaqueSecret } from '../../auth-svc/tokens/opaque-secret.js';
import { openSuccessor, sealSuccessor } from '../../auth-svc/tokens/successor-seal.js';

describe('sealed refresh-token successors', () => {
  const rotated = newOpaqueSecret().value;
  const successor = newOpaqueSecret().value;

  it('opens only for the rotated token it was sealed for', () => {
    const sealed = sealSuccessor(rotated, successor);
    expect(openSuccessor(rotated, sealed)).to.equal(successor);
    expect(openSuccessor(newOpaqueSecret().value, sealed)).to.equal(undefined);
  });

  it('holds neither token, and differs each time (random IV)', () => {
    const a = sealSuccessor(rotated, successor);
    expect(a).not.to.equal(sealSuccessor(rotated, successor));
    for (const secret of [rotated, successor, hashOpaqueSecret(rotated)]) expect(a).not.to.include(secret);
  });

  it('refuses tampered, truncated and garbage values', () => {
    const sealed = Buffer.from(sealSuccessor(rotated, successor), 'base64url');
    for (const i of [0, 12, 20, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[i] = bad[i]! ^ 1;
      expect(openSuccessor(rotated, bad.toString('base64url')), `byte ${i}`).to.equal(undefined);
    }
    expect(openSuccessor(rotated, sealed.subarray(0, 28).toString('base64url'))).to.equal(undefined);
    expect(openSuccessor(rotated, '')).to.equal(undefined);
    expect(openSuccessor(rotated, '!!not base64!!')).to.equal(undefined);
  });
});
