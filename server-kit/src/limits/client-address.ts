import { isIPv4, isIPv6 } from 'node:net';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/;

/**
 * The client's address without its port, from grpc-js `call.getPeer()`:
 * "ipv4:127.0.0.1:51234" and "127.0.0.1:51234" → "127.0.0.1"; "ipv6:[::1]:51234" and "[::1]:51234"
 * → "::1". IPv6 is lowercased and an IPv4-mapped address ("::ffff:1.2.3.4") becomes the IPv4 one, so
 * the same client always gets the same throttling key. Anything else ("unix:/path", unknown shapes)
 * is returned unchanged: still a stable key, just a coarse one.
 */
export function clientAddress(peer: string): string {
  const rest = peer.startsWith('ipv4:') || peer.startsWith('ipv6:') ? peer.slice(5) : peer;
  const host = hostOf(rest);
  if (host !== undefined && isIPv4(host)) return host;
  if (host !== undefined && isIPv6(host)) {
    const lower = host.toLowerCase();
    const mapped = MAPPED_IPV4.exec(lower);
    return mapped !== null && isIPv4(mapped[1]!) ? mapped[1]! : lower;
  }
  return peer;
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
