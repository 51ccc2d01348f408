import { isIPv4, isIPv6 } from 'node:net';
import { addressGroup, DEFAULT_IPV6_PREFIX_LENGTH } from './address-group.js';

/**
 * The client's throttling key, from grpc-js `call.getPeer()` or a socket's remote address:
 * "ipv4:127.0.0.1:51234" and "127.0.0.1:51234" → "127.0.0.1" (IPv4: one key per address);
 * "ipv6:[2001:db8:1:2::9]:51234" and "[2001:db8:1:2::9]:51234" → "2001:db8:1:2::/64" (IPv6: one
 * key per `ipv6PrefixLength` prefix, /64 by default, because one subscriber holds a whole /64;
 * 128 keys on the full address). An IPv4-mapped address ("::ffff:1.2.3.4") is the IPv4 one, so
 * the same client always gets the same key. Anything else ("unix:/path", unknown shapes) is
 * returned unchanged: still a stable key, just a coarse one.
 */
export function clientAddress(peer: string, ipv6PrefixLength: number = DEFAULT_IPV6_PREFIX_LENGTH): string {
  const rest = peer.startsWith('ipv4:') || peer.startsWith('ipv6:') ? peer.slice(5) : peer;
  const host = hostOf(rest);
  return host !== undefined && (isIPv4(host) || isIPv6(host)) ? addressGroup(host, ipv6PrefixLength) : peer;
}

/** "[v6]:port", "[v6]", "v4:port" or a bare address; undefined for other shapes. */
function hostOf(text: string): string | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    const after = text.slice(close + 1);
    return after === '' || /^:\d{1,5}$/.test(after) ? text.slice(1, close) : undefined;
  }
  if (isIPv4(text) || isIPv6(text)) return text; // no port
  const v4WithPort = /^([^:]+):\d{1,5}$/.exec(text);
  return v4WithPort?.[1];
}
