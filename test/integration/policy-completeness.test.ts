import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { PolicyTable } from '@grpc-token-auth/server-kit';
import { AUTH_POLICIES } from '../../auth-svc/server.js';
import { BUSINESS_POLICIES } from '../../business-svc/server.js';

/** Every RPC declared in proto/<pkg> must have an access policy on the service that serves it. */
describe('access policy covers every RPC in proto/', () => {
  const set = fromBinary(FileDescriptorSetSchema, readFileSync(new URL('../../gen/descriptors.binpb', import.meta.url)));
  const methodsOf = (pkgPrefix: string) =>
    set.file
      .filter((f) => f.package.startsWith(pkgPrefix))
      .flatMap((f) => f.service.flatMap((s) => s.method.map((m) => `/${f.package}.${s.name}/${m.name}`)));

  const cases: [string, string, PolicyTable][] = [
    ['auth-svc', 'auth.', AUTH_POLICIES],
    ['business-svc', 'business.', BUSINESS_POLICIES],
  ];
  for (const [service, prefix, table] of cases) {
    it(`${service}: every ${prefix}* method has a policy, and every policy names a real method`, () => {
      const methods = methodsOf(prefix);
      expect(methods.length).to.be.greaterThan(0);
      for (const m of methods) expect(table, `${m} has no policy`).to.have.property(m);
      const known = new Set([...methods, ...methodsOf('grpc.')]);
      for (const p of Object.keys(table)) expect(known.has(p), `${p} is not an RPC in proto/`).to.equal(true);
    });
  }
});
