import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyResolver, PublicJwk, VerificationKey } from '@grpc-token-auth/server-kit';
import { jwkThumbprint, toPublicJwk } from '@grpc-token-auth/server-kit/internal';
import { coalesced } from '../../lib/async/coalesced-run.js';
import { followChanges, type ChangeFeed } from '../store/auth-store.js';
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

/** How often the store's fingerprint is compared, so another process's rotation is published (JWKS included) within a second. */
const CHECK_INTERVAL_MS = 500;

/**
 * auth-svc's signing keys, backed by the key store. Signing and verifying read an
 * in-memory copy (no I/O per token); the copy is re-read when the store changes
 * (`npm run keys:rotate`, another replica): on a change-feed push (PostgreSQL) or when the
 * fingerprint, compared twice a second, differs.
 */
export class KeyRing implements KeyResolver {
  private loaded: LoadedKey[] = [];
  private fingerprint = '';
  private unwatch: (() => void) | undefined;
  /** Re-reads the store if it changed; one read at a time. */
  readonly refresh = coalesced(() => this.reload());

  constructor(
    private readonly store: KeyStore,
    private readonly opts: KeyRingOptions,
  ) {}

  /** Creates the first key if there is none, and loads the keys. */
  async ensureKey(): Promise<void> {
    if ((await this.store.list()).length === 0) await this.rotate(0);
    await this.refresh();
  }

  /** Starts following changes made by other processes; `onError` hears failed reads (retried). */
  watch(changes: ChangeFeed | undefined, onError: (err: Error) => void): void {
    this.unwatch = followChanges(changes, 'keys_changed', CHECK_INTERVAL_MS, this.refresh, onError);
  }

  stop(): void {
    this.unwatch?.();
  }

  /**
   * Adds a new key that is published now and signs from `publishAheadMs` later, so
   * verifiers that refresh within that time never see a token signed by a key they
   * do not know. The previous key stops signing then and verifies until its tokens expire.
   */
  async rotate(publishAheadMs: number): Promise<string> {
    const now = this.now();
    const { privateKey, publicKey } =
      this.opts.alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = jwkThumbprint(publicKey);
    await this.store.addAndSupersede({
      kid,
      alg: this.opts.alg,
      privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      createdAt: now,
      activeFrom: now + publishAheadMs,
    });
    await this.store.deleteRetiredBefore(now - this.opts.verifyWindowMs);
    await this.refresh();
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

  get size(): number {
    return this.published().length;
  }

  private published(): LoadedKey[] {
    const now = this.now();
    return this.keys().filter((k) => k.stored.retiredAt === null || k.stored.retiredAt + this.opts.verifyWindowMs > now);
  }

  private keys(): LoadedKey[] {
    return this.loaded;
  }

  private async reload(): Promise<void> {
    const fingerprint = await this.store.fingerprint();
    if (fingerprint === this.fingerprint) return;
    // A change between the two reads only makes the next check reload again.
    this.loaded = (await this.store.list()).map(load);
    this.fingerprint = fingerprint;
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
