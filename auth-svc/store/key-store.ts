export interface StoredKey {
  readonly kid: string;
  readonly alg: string;
  readonly privatePem: string;
  readonly createdAt: number;
  readonly activeFrom: number;
  readonly retiredAt: number | null;
}

/** Signing keys, newest first. */
export interface KeyStore {
  list(): Promise<StoredKey[]>;
  /** Adds a key that signs from `activeFrom`; every older key stops signing then (atomically). */
  addAndSupersede(key: Omit<StoredKey, 'retiredAt'>): Promise<void>;
  /** Deletes keys retired before `cutoff` (no token they signed can still be valid). */
  deleteRetiredBefore(cutoff: number): Promise<number>;
  /** Changes whenever a key is added or deleted: cheap to poll. */
  fingerprint(): Promise<string>;
}
