import { isIPv4, isIPv6 } from 'node:net';

/**
 * How much of an IPv6 address names one client. A single subscriber usually gets a whole /64
 * (SLAAC, privacy addresses): keyed on the full address, it has 2^64 keys to spread over.
 */
export const DEFAULT_IPV6_PREFIX_LENGTH = 64;

/**
 * The per-client key of an IP address: IPv4 unchanged, and so an IPv4-mapped IPv6 address
 * ("::ffff:192.0.2.1", "::ffff:c000:201") is its IPv4 address; other IPv6 cut to its first `prefixLength`
 * bits and written as a prefix ("2001:db8:1:2::/64"); with 128 the (canonical) full address.
 * Anything that is not an IP address is returned unchanged. Pure, so unit-testable.
 */
export function addressGroup(address: string, prefixLength: number = DEFAULT_IPV6_PREFIX_LENGTH): string {
  if (isIPv4(address) || !isIPv6(address)) return address;
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 128) throw new RangeError(`IPv6 prefix length must be 0–128 (got ${prefixLength})`);
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  for (let i = 0; i < 8; i++) {
    const keep = Math.min(16, Math.max(0, prefixLength - 16 * i)); // bits of this group inside the prefix
    groups[i] = keep === 0 ? 0 : groups[i]! & (0xffff << (16 - keep)) & 0xffff;
  }
  const text = compressed(groups);
  return prefixLength === 128 ? text : `${text}/${prefixLength}`;
}

/** The eight 16-bit groups of a valid IPv6 address (zone id dropped, trailing dotted quad read). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0]!;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952 text: lower-case hex, no leading zeros, the longest run (≥ 2) of zero groups as "::". */
function compressed(groups: readonly number[]): string {
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}
