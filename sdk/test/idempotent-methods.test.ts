import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { IDEMPOTENT_METHODS, retrySafeMethods } from '@grpc-token-auth/sdk';
import { AuthServiceDefinition } from '@grpc-token-auth/sdk/gen/auth/v1/auth_service.js';
import { NotesServiceDefinition } from '@grpc-token-auth/sdk/gen/business/v1/notes_service.js';

/** The descriptor set buf builds from proto/ (npm run gen): the contracts as protoc sees them, not as ts-proto emits them. */
const DESCRIPTORS = new URL('../../gen/descriptors.binpb', import.meta.url); // from sdk/dist-test

/** Unary methods of auth.v1 and business.v1 whose proto declares NO_SIDE_EFFECTS or IDEMPOTENT. */
function markedInProtos(): string[] {
  const safe = [MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS, MethodOptions_IdempotencyLevel.IDEMPOTENT];
  return fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTORS))
    .file.filter((f) => f.package === 'auth.v1' || f.package === 'business.v1')
    .flatMap((f) =>
      f.service.flatMap((s) =>
        s.method
          .filter((m) => !m.clientStreaming && !m.serverStreaming && safe.includes(m.options?.idempotencyLevel ?? MethodOptions_IdempotencyLevel.IDEMPOTENCY_UNKNOWN))
          .map((m) => `/${f.package}.${s.name}/${m.name}`),
      ),
    );
}

describe('retry safety comes from the contract (idempotency_level)', () => {
  it('IDEMPOTENT_METHODS is exactly the unary methods the protos mark, each once', () => {
    const marked = markedInProtos();
    expect([...IDEMPOTENT_METHODS].sort()).to.deep.equal([...marked].sort());
    expect(new Set(IDEMPOTENT_METHODS).size).to.equal(IDEMPOTENT_METHODS.length);
  });

  it('the protos mark every read (and the admin reads)', () => {
    expect(IDEMPOTENT_METHODS).to.include.members([
      '/business.v1.NotesService/GetNote',
      '/business.v1.NotesService/ListNotes',
      '/business.v1.DashboardService/GetDashboard',
      '/auth.v1.KeysService/ListPublicKeys',
      '/auth.v1.UserDirectory/GetUser',
      '/auth.v1.AdminService/ListUsers',
      '/business.v1.AdminNotesService/CountNotesByOwner',
    ]);
  });

  it('never retries a method that changes state or spends a credential, nor a stream', () => {
    const never = [
      ...Object.values(AuthServiceDefinition.methods).map((m) => `/auth.v1.AuthService/${m.name}`), // Register, Login, Refresh, Logout*, ChangePassword, IssueServiceToken
      '/business.v1.NotesService/CreateNote',
      '/business.v1.NotesService/UpdateNote',
      '/business.v1.NotesService/DeleteNote',
      '/business.v1.NotesService/WatchNotes', // marked NO_SIDE_EFFECTS; its reader reopens it with a resume token
      '/auth.v1.RevocationService/WatchRevocations',
    ];
    expect(never).to.include.members(['/auth.v1.AuthService/Login', '/auth.v1.AuthService/Refresh', '/auth.v1.AuthService/IssueServiceToken']);
    for (const path of never) expect(IDEMPOTENT_METHODS, path).to.not.include(path);
  });

  it("retrySafeMethods reads each method's options in the generated definition, nothing else", () => {
    const { getNote, updateNote } = NotesServiceDefinition.methods;
    expect(getNote.options).to.deep.equal({ idempotencyLevel: 'NO_SIDE_EFFECTS' }); // what ts-proto emits
    const edited = {
      ...NotesServiceDefinition,
      methods: { ...NotesServiceDefinition.methods, getNote: { ...getNote, options: {} }, updateNote: { ...updateNote, options: { idempotencyLevel: 'IDEMPOTENT' } } },
    };
    const retried = retrySafeMethods(edited);
    expect(retried).to.include('/business.v1.NotesService/UpdateNote');
    expect(retried).to.not.include('/business.v1.NotesService/GetNote');
    expect(retried).to.include('/business.v1.NotesService/ListNotes');
    expect(retrySafeMethods(AuthServiceDefinition)).to.deep.equal([]);
  });
});
