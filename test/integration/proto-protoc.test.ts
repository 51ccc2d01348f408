import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url)); // from dist/test/integration
const PROTOC = join(root, 'node_modules/.bin/protoc');

function protoFiles(dir = join(root, 'proto')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? protoFiles(join(dir, e.name)) : e.name.endsWith('.proto') ? [relative(join(root, 'proto'), join(dir, e.name))] : [],
  );
}

/** What other languages' teams run (README "Clients in other languages"): plain protoc, as an npm package ships it. */
describe('proto/ compiles with plain protoc (the protoc npm package)', () => {
  let out: string;
  before(() => (out = mkdtempSync(join(tmpdir(), 'grpc-token-auth-protoc-'))));
  after(() => rmSync(out, { recursive: true, force: true }));

  it('is a protoc new enough for proto3 optional (3.15+)', async () => {
    const { stdout } = await run(PROTOC, ['--version']);
    const [major, minor] = /libprotoc (\d+)\.(\d+)/.exec(stdout)!.slice(1).map(Number) as [number, number];
    expect(major > 3 || (major === 3 && minor >= 15), stdout).to.equal(true);
  });

  it('compiles every contract, generates Python, and describes the same files and messages as buf', async () => {
    const files = protoFiles();
    expect(files).to.include.members(['auth/v1/auth_service.proto', 'business/v1/notes_service.proto']);
    const set = join(out, 'protoc.binpb');
    await run(PROTOC, ['-I', join(root, 'proto'), `--descriptor_set_out=${set}`, '--include_imports', `--python_out=${out}`, ...files]);
    expect(readdirSync(join(out, 'business/v1'))).to.include('notes_service_pb2.py');

    const shape = (bytes: Uint8Array) =>
      fromBinary(FileDescriptorSetSchema, bytes)
        .file.map((f) => `${f.name}: ${f.messageType.map((m) => `${m.name}(${m.field.length})`).join(' ')} | ${f.service.map((s) => `${s.name}(${s.method.length})`).join(' ')}`)
        .sort();
    expect(shape(readFileSync(set))).to.deep.equal(shape(readFileSync(join(root, 'gen/descriptors.binpb'))));
  });
});
