import type { EnvReader } from './env-reader.js';

/**
 * What one client can make a service process hold at the transport level. Every value has a
 * safe default; see the README's configuration table. Names without a service prefix: both
 * services read the same variables (each from its own environment).
 */
export interface TransportLimits {
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection; more are refused (REFUSED_STREAM). */
  readonly maxStreamsPerConnection: number;
  /** Open connections in all / from one client address; more are closed at accept. */
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  /** A connection that has not sent a byte within this long is closed (slowloris). */
  readonly handshakeTimeoutMs: number;
  /** A connection with no call for this long is sent GOAWAY. */
  readonly idleTimeoutMs: number;
  /** Every connection is sent GOAWAY after this long (spreads load, bounds a connection's life) … */
  readonly maxConnectionAgeMs: number;
  /** … and running calls get this long to finish after it. */
  readonly maxConnectionAgeGraceMs: number;
  /** Request headers (metadata) per call, bytes (HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE). */
  readonly maxMetadataBytes: number;
  /** Request message size, bytes (RESOURCE_EXHAUSTED above it, before the body is buffered). */
  readonly maxReceiveMessageBytes: number;
  /** Long-lived server streams open at once in this process (WatchNotes, WatchRevocations). */
  readonly maxLiveStreams: number;
  /** … per user, and per service client (a fleet of replicas shares one). */
  readonly maxLiveStreamsPerPrincipal: number;
  readonly maxLiveStreamsPerService: number;
  /** Unauthenticated long-lived streams (health Watch, reflection) open at once in this process. */
  readonly maxPublicStreams: number;
  /** … per client address. */
  readonly maxPublicStreamsPerAddress: number;
  /** Bytes one stream may have written but not yet sent to a slow reader before it is cut off. */
  readonly maxStreamBacklogBytes: number;
  /** Bytes all streams of this process may have buffered for slow readers together. */
  readonly maxTotalBacklogBytes: number;
}

/** `messageBytes`: the service's default request size cap (its largest legitimate request, with room). */
export function readTransportLimits(env: EnvReader, defaults: { readonly messageBytes: number }): TransportLimits {
  const MiB = 1024 * 1024;
  const limits = {
    maxStreamsPerConnection: env.int('MAX_STREAMS_PER_CONNECTION', 100, 1, 10_000),
    maxConnections: env.int('MAX_CONNECTIONS', 2000, 1, 100_000),
    maxConnectionsPerAddress: env.int('MAX_CONNECTIONS_PER_ADDRESS', 100, 1, 100_000),
    handshakeTimeoutMs: env.int('HANDSHAKE_TIMEOUT_MS', 10_000, 100, 600_000),
    idleTimeoutMs: env.int('CONNECTION_IDLE_TIMEOUT_MS', 5 * 60_000, 1000, 86_400_000),
    maxConnectionAgeMs: env.int('MAX_CONNECTION_AGE_MS', 2 * 3600_000, 1000, 7 * 86_400_000),
    maxConnectionAgeGraceMs: env.int('MAX_CONNECTION_AGE_GRACE_MS', 30_000, 0, 86_400_000),
    maxMetadataBytes: env.int('MAX_METADATA_BYTES', 16 * 1024, 1024, 1024 * 1024),
    maxReceiveMessageBytes: env.int('MAX_RECEIVE_MESSAGE_BYTES', defaults.messageBytes, 1024, 16 * MiB),
    maxLiveStreams: env.int('MAX_LIVE_STREAMS', 5000, 1, 1_000_000),
    maxLiveStreamsPerPrincipal: env.int('MAX_LIVE_STREAMS_PER_PRINCIPAL', 16, 1, 100_000),
    maxLiveStreamsPerService: env.int('MAX_LIVE_STREAMS_PER_SERVICE', 1000, 1, 1_000_000),
    maxPublicStreams: env.int('MAX_PUBLIC_STREAMS', 100, 1, 100_000),
    maxPublicStreamsPerAddress: env.int('MAX_PUBLIC_STREAMS_PER_ADDRESS', 10, 1, 100_000),
    maxStreamBacklogBytes: env.int('MAX_STREAM_BACKLOG_BYTES', 1 * MiB, 16 * 1024, 256 * MiB),
    maxTotalBacklogBytes: env.int('MAX_TOTAL_BACKLOG_BYTES', 64 * MiB, 64 * 1024, 4096 * MiB),
  };
  if (limits.maxConnectionsPerAddress > limits.maxConnections) {
    env.problem('MAX_CONNECTIONS_PER_ADDRESS must not exceed MAX_CONNECTIONS');
  }
  if (limits.maxStreamBacklogBytes > limits.maxTotalBacklogBytes) {
    env.problem('MAX_STREAM_BACKLOG_BYTES must not exceed MAX_TOTAL_BACKLOG_BYTES');
  }
  return limits;
}
