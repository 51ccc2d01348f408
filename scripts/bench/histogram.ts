/**
 * Latency histogram in microseconds: 1 µs buckets below 1024 µs, then 512 buckets per
 * power of two (≈0.2 % resolution), up to about a minute. Fixed size, so recording a
 * million calls allocates nothing and workers can send it back as one typed array.
 */
const LINEAR = 1024;
const PER_OCTAVE = 512;
const MAX_US = 60_000_000;

export const BUCKETS = LINEAR + 16 * PER_OCTAVE;

export function bucketOf(us: number): number {
  const v = Math.min(MAX_US, Math.max(0, Math.floor(us)));
  if (v < LINEAR) return v;
  const shift = Math.floor(Math.log2(v)) - 9; // v >> shift lands in [512, 1023]
  return LINEAR + (shift - 1) * PER_OCTAVE + ((v >> shift) - PER_OCTAVE);
}

/** Middle of a bucket, in µs. */
export function valueOf(bucket: number): number {
  if (bucket < LINEAR) return bucket + 0.5;
  const shift = Math.floor((bucket - LINEAR) / PER_OCTAVE) + 1;
  const mantissa = ((bucket - LINEAR) % PER_OCTAVE) + PER_OCTAVE;
  return (mantissa << shift) + (1 << shift) / 2;
}

export function merge(into: Uint32Array, from: Uint32Array): void {
  for (let i = 0; i < BUCKETS; i++) into[i]! += from[i]!;
}

/** The q-quantile (0..1) in milliseconds; NaN for an empty histogram. */
export function quantileMs(h: Uint32Array, q: number): number {
  let total = 0;
  for (let i = 0; i < BUCKETS; i++) total += h[i]!;
  if (total === 0) return NaN;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += h[i]!;
    if (seen >= rank) return valueOf(i) / 1000;
  }
  return NaN;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
