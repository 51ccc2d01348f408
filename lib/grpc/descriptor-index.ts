import { readFileSync } from 'node:fs';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type DescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';

/** Built by `buf build` with every import included (scripts/gen.sh). */
const DESCRIPTOR_SET = new URL('../../gen/descriptors.binpb', import.meta.url);

/**
 * The compiler's own file descriptors, indexed for reflection: by file name, by
 * fully-qualified symbol, and by extension. Served byte-for-byte as compiled, so
 * every type reference and import stays resolvable for strict clients (grpcurl).
 */
export class DescriptorIndex {
  private readonly files = new Map<string, { bytes: Uint8Array; deps: readonly string[] }>();
  private readonly symbols = new Map<string, string>();
  private readonly extensions = new Map<string, Map<number, string>>();

  constructor(set: readonly FileDescriptorProto[]) {
    for (const file of set) {
      this.files.set(file.name, { bytes: toBinary(FileDescriptorProtoSchema, file), deps: file.dependency });
      const prefix = file.package ? `${file.package}.` : '';
      const add = (name: string) => this.symbols.set(name, file.name);
      this.indexMessages(file.name, prefix, file.messageType);
      for (const e of file.enumType) add(prefix + e.name);
      for (const s of file.service) {
        add(prefix + s.name);
        for (const m of s.method) add(`${prefix}${s.name}.${m.name}`);
      }
      this.indexExtensions(file.name, file.extension);
    }
  }

  static load(): DescriptorIndex {
    return new DescriptorIndex(fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET)).file);
  }

  fileOfSymbol(symbol: string): string | undefined {
    return this.symbols.get(unqualify(symbol));
  }

  fileOfExtension(containingType: string, number: number): string | undefined {
    return this.extensions.get(unqualify(containingType))?.get(number);
  }

  /** Extension field numbers declared for a message type, or undefined if the type is unknown. */
  extensionNumbers(type: string): number[] | undefined {
    const name = unqualify(type);
    if (!this.symbols.has(name)) return undefined;
    return [...(this.extensions.get(name)?.keys() ?? [])];
  }

  /** Names of the files defining `symbols`, with their transitive imports. */
  reachableFrom(symbols: readonly string[]): Set<string> {
    const seen = new Set<string>();
    const visit = (n: string | undefined) => {
      if (!n || seen.has(n)) return;
      seen.add(n);
      this.files.get(n)?.deps.forEach(visit);
    };
    symbols.forEach((s) => visit(this.fileOfSymbol(s)));
    return seen;
  }

  /** The file followed by its transitive imports, each once, skipping those in `skip`. */
  withDependencies(name: string, skip: Set<string> = new Set()): Uint8Array[] {
    const out: Uint8Array[] = [];
    const visit = (n: string) => {
      const f = this.files.get(n);
      if (!f || skip.has(n)) return;
      skip.add(n);
      out.push(f.bytes);
      f.deps.forEach(visit);
    };
    visit(name);
    return out;
  }

  private indexMessages(fileName: string, prefix: string, messages: readonly DescriptorProto[]): void {
    for (const m of messages) {
      const full = prefix + m.name;
      this.symbols.set(full, fileName);
      for (const e of m.enumType) this.symbols.set(`${full}.${e.name}`, fileName);
      this.indexMessages(fileName, `${full}.`, m.nestedType);
      this.indexExtensions(fileName, m.extension);
    }
  }

  private indexExtensions(fileName: string, fields: readonly FieldDescriptorProto[]): void {
    for (const f of fields) {
      const target = unqualify(f.extendee);
      let byNumber = this.extensions.get(target);
      if (!byNumber) this.extensions.set(target, (byNumber = new Map()));
      byNumber.set(f.number, fileName);
    }
  }
}

/** Descriptors write fully-qualified names with a leading dot; requests may or may not. */
function unqualify(name: string): string {
  return name.startsWith('.') ? name.slice(1) : name;
}
