import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { HashSlots } from './hash-slots.js';

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/**
 * scrypt (memory-hard) on libuv's thread pool, so hashing never blocks the event loop.
 * Hashes are self-describing — `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` — so the cost can
 * be raised later: old hashes still verify and are upgraded at the next login.
 */
export class PasswordHasher {
  private readonly params: ScryptParams;
  /**
   * For unknown emails: a salt to derive with and a key to compare against, so that failure takes
   * a real verification's time. Not a hash computed at start: that 32 MiB scrypt ran while the
   * process was at its start-up peak, and set auth-svc's highest resident memory (peak 151 → 126 MB).
   */
  private readonly nothing = { salt: randomBytes(SALT_LENGTH), key: randomBytes(KEY_LENGTH) };
  private readonly slots: HashSlots;

  /** `concurrency`: hashes computed at once (PASSWORD_HASH_CONCURRENCY). */
  constructor(logN: number, concurrency = 1) {
    this.params = { logN, r: BLOCK_SIZE, p: PARALLELISM };
    this.slots = new HashSlots(concurrency);
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    const key = await this.derive(password, salt, this.params);
    const { logN, r, p } = this.params;
    return `$scrypt$ln=${logN},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  /** Constant-time comparison; a malformed stored hash never matches. */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parse(stored);
    if (!parsed) return false;
    const key = await this.derive(password, parsed.salt, parsed.params).catch(() => undefined);
    if (!key) return false;
    return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  }

  /** Does a real verification's work (one derivation at the current cost, one comparison), for unknown accounts. */
  async verifyNothing(password: string): Promise<false> {
    const key = await this.derive(password, this.nothing.salt, this.params).catch(() => undefined);
    if (key) timingSafeEqual(key, this.nothing.key);
    return false;
  }

  private derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
    return this.slots.run(() => derive(password, salt, params));
  }

  /** Hashes waiting for a slot. */
  get queued(): number {
    return this.slots.queued;
  }

  /** True when the stored hash is weaker than the current parameters. */
  needsRehash(stored: string): boolean {
    const parsed = parse(stored);
    return !parsed || parsed.params.logN < this.params.logN || parsed.params.r < this.params.r || parsed.params.p < this.params.p;
  }
}

function derive(password: string, salt: Buffer, { logN, r, p }: ScryptParams): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    // maxmem must exceed 128 * N * r bytes or node refuses the parameters.
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

const FORMAT = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function parse(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const m = FORMAT.exec(stored);
  if (!m) return undefined;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounds keep a corrupted or planted hash from demanding gigabytes of memory.
  if (logN < 1 || logN > 20 || r < 1 || r > 16 || p < 1 || p > 4) return undefined;
  return { params: { logN, r, p }, salt: Buffer.from(m[4]!, 'base64'), key: Buffer.from(m[5]!, 'base64') };
}
