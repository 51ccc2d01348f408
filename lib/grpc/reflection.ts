import { readFileSync } from 'node:fs';
import type { Server } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/**
 * Built by `buf build` with every import included (see scripts/gen.sh). Reflection fed
 * from `loadSync` of .proto files serves descriptors whose well-known-type imports
 * grpcurl cannot resolve; a compiler-built descriptor set does not have that problem.
 */
const DESCRIPTOR_SET = new URL('../../gen/descriptors.binpb', import.meta.url);

const PROTO_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

let cached: PackageDefinition | undefined;

function packageDefinition(): PackageDefinition {
  cached ??= {
    ...loadFileDescriptorSetFromBuffer(readFileSync(DESCRIPTOR_SET), PROTO_OPTIONS),
    // The health proto has no imports, so loading it from source is safe.
    ...loadSync(healthProtoPath, PROTO_OPTIONS),
  };
  return cached;
}

/** Serves reflection v1 and v1alpha for `services` (fully-qualified names) and the health service. */
export function addReflection(server: Server, services: readonly string[]): void {
  new ReflectionService(packageDefinition(), { services: [...services, 'grpc.health.v1.Health'] }).addToServer(server);
}
