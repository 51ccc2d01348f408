import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { jwkThumbprint, toPublicJwk, type PublicJwk } from '../../lib/authn/jwk.js';
import type { KeyResolver, VerificationKey } from '../../lib/authn/keys.js';
import type { KeyStore, StoredKey } from '../store/key-store.js';
import type { SigningKey } from './token-issuer.js';

export type AsymmetricAlgorithm = 'RS256' | 'ES256';

export interface KeyRingOptions {
  readonly alg: AsymmetricAlgorithm;
  /** How long a retired key keeps verifying: longest token lifetime + clock skew. */
  readonly verifyWindowMs: number;
  readonly now?: () => number;
}

interface LoadedKey {
  readonly stored: StoredKey;
  readonly signing: SigningKey;
  readonly verification: VerificationKey;
  readonly jwk: PublicJwk;
}

/**
 * auth-svc's signing keys, backed by the key store. Re-reads the store when it changes
 * (so `npm run keys:rotate` in another process takes effect), checked at most once a second.
 */
export class KeyRing implements KeyResolver {
  private loaded: LoadedKey[] = [];
  private fingerprint = '';
  private checkedAt = -Infinity;

  constructor(
    private readonly store: KeyStore,
    private readonly opts: KeyRingOptions,
  ) {}

  /** Creates the first key if there is none. */
  ensureKey(): void {
    if (this.store.list().length === 0) this.rotate(0);
  }

  /**
   * Adds a new key that is published now and signs from `publishAheadMs` later, so
   * verifiers that refresh within that time never see a token signed by a key they
   * do not know. The previous key stops signing then and verifies until its tokens expire.
   */
  rotate(publishAheadMs: number): string {
    const now = this.now();
    const { privateKey, publicKey } =
      this.opts.alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = jwkThumbprint(publicKey);
    this.store.addAndSupersede({
      kid,
      alg: this.opts.alg,
      privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      createdAt: now,
      activeFrom: now + publishAheadMs,
    });
    this.store.deleteRetiredBefore(now - this.opts.verifyWindowMs);
    this.checkedAt = -Infinity;
    return kid;
  }

  /** The key that signs now: the newest already active. */
  signingKey(): SigningKey {
    const keys = this.keys();
    const now = this.now();
    const active = keys.find((k) => k.stored.activeFrom <= now) ?? keys[keys.length - 1];
    if (!active) throw new Error('no signing key');
    return active.signing;
  }

  /** Every key that may have signed a still-valid token, plus keys about to sign. */
  publicKeys(): PublicJwk[] {
    return this.published().map((k) => k.jwk);
  }

  verificationKeys(): VerificationKey[] {
    return this.published().map((k) => k.verification);
  }

  find(kid: string): VerificationKey | undefined {
    return this.published().find((k) => k.stored.kid === kid)?.verification;
  }

  private published(): LoadedKey[] {
    const now = this.now();
    return this.keys().filter((k) => k.stored.retiredAt === null || k.stored.retiredAt + this.opts.verifyWindowMs > now);
  }

  private keys(): LoadedKey[] {
    const now = this.now();
    if (now - this.checkedAt >= 1000) {
      this.checkedAt = now;
      const fingerprint = this.store.fingerprint();
      if (fingerprint !== this.fingerprint) {
        this.fingerprint = fingerprint;
        this.loaded = this.store.list().map(load);
      }
    }
    return this.loaded;
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }
}

function load(stored: StoredKey): LoadedKey {
  const privateKey = createPrivateKey(stored.privatePem);
  const publicKey = createPublicKey(privateKey);
  const alg = stored.alg as AsymmetricAlgorithm;
  return {
    stored,
    signing: { kid: stored.kid, alg, key: privateKey },
    verification: { kid: stored.kid, alg, key: publicKey },
    jwk: toPublicJwk(stored.kid, alg, publicKey),
  };
}
