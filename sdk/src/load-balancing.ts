import { isIPv4, isIPv6 } from 'node:net';
import type { ChannelOptions } from '@grpc/grpc-js';
import { IDEMPOTENT_METHODS } from './idempotent-methods.js';

/** How often an idempotent call is tried in all (first attempt included) when replicas are UNAVAILABLE. */
export const RETRY_MAX_ATTEMPTS = 4;

/**
 * One service config for every SDK channel: spread calls over every address the target
 * resolves to (round_robin; grpc-js's default pick_first would send everything to one
 * replica), and retry UNAVAILABLE on the `retried` methods only (paths; by default those
 * our protos mark idempotent, see retrySafeMethods), with backoff. grpc-js retries only
 * attempts that got no response headers yet, so an answered call is never repeated.
 */
export function balancedServiceConfig(retried: readonly string[] = IDEMPOTENT_METHODS): object {
  const methodNames = retried.map((path) => {
    const [, service, method] = path.split('/');
    return { service, method };
  });
  const retryPolicy = {
    maxAttempts: RETRY_MAX_ATTEMPTS,
    initialBackoff: '0.05s',
    maxBackoff: '1s',
    backoffMultiplier: 2,
    retryableStatusCodes: ['UNAVAILABLE'],
  };
  return {
    loadBalancingConfig: [{ round_robin: {} }],
    methodConfig: methodNames.length === 0 ? [] : [{ name: methodNames, retryPolicy }],
    // Caps retries when most calls fail (every replica down): no retry storm.
    retryThrottling: { maxTokens: 100, tokenRatio: 0.1 },
  };
}

/** Channel options behind `balancedServiceConfig(retried)`; callers' own channelOptions override them. */
export function loadBalancingChannelOptions(retried: readonly string[] = IDEMPOTENT_METHODS): ChannelOptions {
  return {
    'grpc.service_config': JSON.stringify(balancedServiceConfig(retried)),
    'grpc.enable_retries': 1,
    // A replica that vanishes without closing its connections (host crash, partition)
    // is noticed within ~40 s instead of the OS's TCP timeout. grpc-js servers accept
    // pings this often; other servers may need their ping policy relaxed.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
  };
}

/**
 * The grpc-js target for one address or several replicas. One `host:port` (or
 * `dns:///name:port`) is passed through: grpc-js resolves every A/AAAA record of the
 * name and round_robin uses them all. Several addresses must be IP literals of one
 * family (`127.0.0.1:50052` or `[::1]:50052`), which grpc-js's ipv4:/ipv6: resolvers
 * accept as a list; for host names, publish one DNS name with a record per replica.
 */
export function channelTarget(address: string | readonly string[]): string {
  if (typeof address === 'string') return address;
  if (address.length === 0) throw new TypeError('no address given: pass at least one host:port');
  if (address.length === 1) return address[0]!;
  const hosts = address.map(hostOf);
  if (hosts.every((h) => h !== undefined && isIPv4(h))) return `ipv4:${address.join(',')}`;
  if (hosts.every((h) => h !== undefined && isIPv6(h))) return `ipv6:${address.join(',')}`;
  throw new TypeError(
    `several addresses must all be IPv4 (1.2.3.4:port) or all IPv6 ([::1]:port) literals, got ${address.join(', ')}; ` +
      'for host names use one DNS name that resolves to every replica',
  );
}

/** The host of `host:port` / `[v6]:port`, or undefined when the port is missing. */
export function hostOf(address: string): string | undefined {
  const match = /^\[([^\]]+)\]:\d+$/.exec(address) ?? /^([^:[\]]+):\d+$/.exec(address);
  return match?.[1];
}
