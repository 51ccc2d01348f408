import { status, type Server, type ServerDuplexStream } from '@grpc/grpc-js';
import {
  ServerReflectionService as ReflectionV1,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from '../../gen/grpc/reflection/v1/reflection.js';
import { ServerReflectionService as ReflectionV1Alpha } from '../../gen/grpc/reflection/v1alpha/reflection.js';
import { DescriptorIndex } from './descriptor-index.js';

/**
 * Server reflection v1 and v1alpha (grpcurl speaks v1alpha), answered from the
 * compiler-built descriptor set. @grpc/reflection rebuilds descriptors from
 * protobufjs and loses imports and fully-qualified type names (grpcurl then fails
 * with "unresolvable reference"), so we serve the originals instead.
 */
export function addReflection(server: Server, services: readonly string[]): void {
  const index = DescriptorIndex.load();
  const listed = [...services, 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];
  // Only the contracts this server implements (and their imports) are served.
  const served = index.reachableFrom(listed);
  const handler = (call: ServerDuplexStream<ServerReflectionRequest, ServerReflectionResponse>) => {
    const sent = new Set<string>(); // per stream, each file once, as grpc-go does
    call.on('data', (req: ServerReflectionRequest) => call.write({ validHost: req.host, originalRequest: req, ...answer(index, listed, served, req, sent) }));
    call.on('end', () => call.end());
    call.on('error', () => undefined); // client went away
  };
  server.addService(ReflectionV1, { serverReflectionInfo: handler });
  // Same messages field for field; only the package name differs.
  server.addService(ReflectionV1Alpha, { serverReflectionInfo: handler as never });
}

type Answer = Omit<ServerReflectionResponse, 'validHost' | 'originalRequest'>;

function answer(
  index: DescriptorIndex,
  listed: readonly string[],
  served: ReadonlySet<string>,
  req: ServerReflectionRequest,
  sent: Set<string>,
): Answer {
  const files = (name: string | undefined, what: string): Answer =>
    name && served.has(name)
      ? { fileDescriptorResponse: { fileDescriptorProto: index.withDependencies(name, sent).map((b) => Buffer.from(b)) } }
      : notFound(what);

  if (req.listServices !== undefined) return { listServicesResponse: { service: listed.map((name) => ({ name })) } };
  if (req.fileByFilename !== undefined) return files(req.fileByFilename, `file ${req.fileByFilename}`);
  if (req.fileContainingSymbol !== undefined) {
    return files(index.fileOfSymbol(req.fileContainingSymbol), `symbol ${req.fileContainingSymbol}`);
  }
  if (req.fileContainingExtension !== undefined) {
    const { containingType, extensionNumber } = req.fileContainingExtension;
    return files(index.fileOfExtension(containingType, extensionNumber), `extension ${containingType}(${extensionNumber})`);
  }
  if (req.allExtensionNumbersOfType !== undefined) {
    const numbers = index.extensionNumbers(req.allExtensionNumbersOfType);
    if (!numbers) return notFound(`type ${req.allExtensionNumbersOfType}`);
    return { allExtensionNumbersResponse: { baseTypeName: req.allExtensionNumbersOfType, extensionNumber: numbers } };
  }
  return { errorResponse: { errorCode: status.INVALID_ARGUMENT, errorMessage: 'empty reflection request' } };
}

function notFound(what: string): Answer {
  return { errorResponse: { errorCode: status.NOT_FOUND, errorMessage: `${what} not found` } };
}
