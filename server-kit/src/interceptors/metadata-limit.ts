import { status, type Metadata, type ServerInterceptor } from '@grpc/grpc-js';
import { stageInterceptor } from './stage.js';

export const DEFAULT_MAX_METADATA_BYTES = 16 * 1024;

/**
 * Request metadata above `maxBytes` is refused RESOURCE_EXHAUSTED before anything else looks at
 * it (place it before authentication). Node's HTTP/2 layer already caps a header block at
 * 64 KiB; this is the tighter, configurable cap.
 */
export function metadataLimitInterceptor(maxBytes = DEFAULT_MAX_METADATA_BYTES): ServerInterceptor {
  return stageInterceptor((_descriptor, _call, send) => ({
    onMetadata(metadata) {
      if (metadataBytes(metadata) <= maxBytes) return true;
      send({ code: status.RESOURCE_EXHAUSTED, details: `request metadata exceeds ${maxBytes} bytes` });
      return false;
    },
  }));
}

/** HPACK's accounting (RFC 7541 §4.1): name + value + 32 per entry, every value of every key. */
export function metadataBytes(metadata: Metadata): number {
  let bytes = 0;
  for (const key of Object.keys(metadata.getMap())) for (const value of metadata.get(key)) bytes += key.length + 32 + value.length;
  return bytes;
}
