import { create, createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { toBinary } from '@bufbuild/protobuf';
import { credentials, loadPackageDefinition, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { expect } from 'chai';
import { createClient } from '@grpc-token-auth/sdk';
import { HealthCheckResponse_ServingStatus, HealthDefinition } from '../../gen/grpc/health/v1/health.js';
import { md } from '../support/grpc.js';
import { ReflectionClient } from '../support/reflection-client.js';
import { startSystem, type RunningSystem } from '../support/system.js';

const INFRA = ['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];
const EXPECTED: Record<'auth' | 'business', string[]> = {
  auth: ['auth.v1.AdminService', 'auth.v1.AuthService', 'auth.v1.KeysService', 'auth.v1.RevocationService', 'auth.v1.UserDirectory', ...INFRA].sort(),
  business: ['business.v1.AdminNotesService', 'business.v1.DashboardService', 'business.v1.NotesService', ...INFRA].sort(),
};

describe('health and reflection without a token (real processes)', () => {
  let sys: RunningSystem;
  before(async () => (sys = await startSystem()));
  after(async () => sys?.stop());

  for (const which of ['auth', 'business'] as const) {
    const address = () => (which === 'auth' ? sys.authAddress : sys.businessAddress);

    it(`${which}-svc answers grpc.health.v1.Health/Check SERVING, with no token and with a garbage one`, async () => {
      const health = createClient(HealthDefinition, address());
      for (const metadata of [new Metadata(), md({ authorization: 'Bearer garbage' })]) {
        for (const service of ['', ...EXPECTED[which].filter((s) => !s.startsWith('grpc.'))]) {
          const res = await health.check({ service }, { metadata });
          expect(res.status, service).to.equal(HealthCheckResponse_ServingStatus.SERVING);
        }
      }
      health.close();
    });

    for (const version of ['v1', 'v1alpha'] as const) {
      it(`${which}-svc reflection ${version}: every served method's types resolve strictly, as grpcurl needs`, async () => {
        const reflection = new ReflectionClient(address(), version);
        try {
          const services = await reflection.listServices();
          expect([...services].sort()).to.deep.equal(EXPECTED[which]);
          // Nothing of the other service's contract is served.
          await expectMissing(reflection, which === 'auth' ? 'business.v1.NotesService' : 'auth.v1.AuthService');

          // Gather files the way grpcurl does: by symbol, then any missing import by file name.
          const files = new Map<string, FileDescriptorProto>();
          const add = (bufs: Buffer[]) => bufs.map((b) => fromBinary(FileDescriptorProtoSchema, b)).forEach((f) => files.set(f.name, f));
          for (const s of services) add(await reflection.files({ fileContainingSymbol: s }));
          for (let missing = missingImports(files); missing.length > 0; missing = missingImports(files)) {
            for (const name of missing) add(await reflection.files({ fileByFilename: name }));
          }

          // createFileRegistry refuses any reference it cannot resolve.
          const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: dependencyOrder(files) }));
          let methods = 0;
          for (const name of services) {
            const service = registry.getService(name);
            expect(service, name).to.not.equal(undefined);
            for (const m of service!.methods) {
              expect(registry.getMessage(m.input.typeName), m.input.typeName).to.not.equal(undefined);
              expect(registry.getMessage(m.output.typeName), m.output.typeName).to.not.equal(undefined);
              methods++;
            }
          }
          expect(methods).to.be.greaterThan(1);
          if (which === 'auth') await invokeFromReflection(address(), dependencyOrder(files));
          if (which === 'business') expect(files.has('google/protobuf/timestamp.proto')).to.equal(true);
        } finally {
          reflection.close();
        }
      });
    }
  }
});

function missingImports(files: Map<string, FileDescriptorProto>): string[] {
  return [...new Set([...files.values()].flatMap((f) => f.dependency).filter((d) => !files.has(d)))];
}

async function expectMissing(reflection: ReflectionClient, symbol: string): Promise<void> {
  try {
    await reflection.files({ fileContainingSymbol: symbol });
  } catch (err) {
    expect((err as Error).message).to.match(/not found/);
    return;
  }
  throw new Error(`${symbol} should not be served`);
}

/** Imports before importers, as a FileDescriptorSet must be. */
function dependencyOrder(files: Map<string, FileDescriptorProto>): FileDescriptorProto[] {
  const out: FileDescriptorProto[] = [];
  const done = new Set<string>();
  const visit = (f: FileDescriptorProto) => {
    if (done.has(f.name)) return;
    done.add(f.name);
    f.dependency.forEach((d) => files.has(d) && visit(files.get(d)!));
    out.push(f);
  };
  files.forEach(visit);
  return out;
}

/** Like `grpcurl … auth.v1.AuthService/Login`: a client built only from what reflection served. */
async function invokeFromReflection(address: string, files: FileDescriptorProto[]): Promise<void> {
  const set = toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: files }));
  const pkg = loadPackageDefinition(loadFileDescriptorSetFromBuffer(Buffer.from(set))) as unknown as {
    auth: { v1: { AuthService: new (a: string, c: unknown) => { Login: Function; close(): void } } };
  };
  const client = new pkg.auth.v1.AuthService(address, credentials.createInsecure());
  const err = await new Promise<ServiceError>((resolve) =>
    client.Login({ email: 'nobody@example.com', password: 'whatever-password' }, (e: ServiceError) => resolve(e)),
  );
  client.close();
  expect(err.code).to.equal(status.UNAUTHENTICATED);
}
