import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { AdminServiceDefinition } from '../../gen/auth/v1/admin_service.js';
import { AdminNotesServiceDefinition } from '../../gen/business/v1/admin_notes_service.js';
import { createAuthClient, createClient, createNotesClient, type AuthClient, type NotesClient, type PromiseClient } from '@grpc-token-auth/sdk';
import { adminCommand } from '../support/admin-commands.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { SKIP_POSTGRES, sharedTestPostgres } from '../support/postgres.js';
import { startSystem, testEnv, type RunningSystem } from '../support/system.js';

/** A page token as our handlers encode them, around a position no store can keep alike. */
const pageTokenOf = (position: string) => Buffer.from(`["${position}"]`).toString('base64url');
const NUL = '\u0000';

/**
 * Both stores answer the same input the same way (issue 24, item 5): text PostgreSQL cannot
 * store (NUL; an unpaired surrogate, which only a page token's JSON can carry) is refused with
 * INVALID_ARGUMENT in every string field of every RPC before any store is touched, on SQLite
 * and on PostgreSQL alike, and never becomes INTERNAL or a stack in the log.
 */
const BACKENDS = [
  { name: 'SQLite', skip: false, env: async () => ({ auth: {}, business: {} }) },
  {
    name: 'PostgreSQL',
    skip: SKIP_POSTGRES,
    env: async () => {
      const pgServer = await sharedTestPostgres();
      return { auth: { DATABASE_URL: await pgServer.createDatabase() }, business: { BUSINESS_DATABASE_URL: await pgServer.createDatabase() } };
    },
  },
];

for (const backend of BACKENDS) {
  (backend.skip ? describe.skip : describe)(`unstorable text is refused at validation: ${backend.name} (real processes)`, function () {
    this.timeout(60_000);
    let sys: RunningSystem;
    let authEnv: NodeJS.ProcessEnv;
    let auth: AuthClient;
    let admin: PromiseClient<typeof AdminServiceDefinition>;
    let adminNotes: PromiseClient<typeof AdminNotesServiceDefinition>;
    let notes: NotesClient;
    const password = 'unstorable-text-passphrase';

    before(async () => {
      const env = await backend.env();
      // LOGIN_MAX_ADDRESS_FAILURES at its minimum: the last test shows refused sign-ins count.
      authEnv = { ...env.auth, LOGIN_MAX_ADDRESS_FAILURES: '5', RPC_LOG: 'failures' };
      sys = await startSystem(authEnv, { business: env.business });
      auth = createAuthClient(sys.authAddress);
      admin = createClient(AdminServiceDefinition, sys.authAddress);
      adminNotes = createClient(AdminNotesServiceDefinition, sys.businessAddress);
      notes = createNotesClient(sys.businessAddress);
    });
    after(async () => {
      for (const c of [auth, admin, adminNotes, notes]) c?.close();
      await sys?.stop();
    });

    it('every string field of every RPC: INVALID_ARGUMENT (or the answer any wrong secret gets), never INTERNAL, no stack in either log', async () => {
      await auth.register({ email: 'root@example.com', password, displayName: 'Root' });
      await adminCommand('users', ['set-roles', 'root@example.com', 'user,admin'], testEnv(sys.dataDir, authEnv));
      const root = await auth.login({ email: 'root@example.com', password });
      const as = { metadata: bearer(root.accessToken) };
      const note = (await notes.createNote({ title: 'a note', body: '' }, as)).note!;

      const invalid: [string, () => Promise<unknown>, RegExp][] = [
        ['Register email', () => auth.register({ email: `a${NUL}@example.com`, password, displayName: 'X' }), /^email: /],
        ['Register display_name', () => auth.register({ email: 'new@example.com', password, displayName: `X${NUL}` }), /^display_name: /],
        ['IssueServiceToken client_id', () => auth.issueServiceToken({ clientId: `id${NUL}`, clientSecret: 'x' }), /^client_id: /],
        ['ListUsers email_prefix', () => admin.listUsers({ pageSize: 0, pageToken: '', emailPrefix: `r${NUL}` }, as), /^email_prefix: /],
        ['ListUsers page_token (NUL)', () => admin.listUsers({ pageSize: 0, pageToken: pageTokenOf('a\\u0000'), emailPrefix: '' }, as), /^page_token: /],
        ['ListUsers page_token (lone surrogate)', () => admin.listUsers({ pageSize: 0, pageToken: pageTokenOf('a\\ud800'), emailPrefix: '' }, as), /^page_token: /],
        ['SetUserRoles roles', () => admin.setUserRoles({ userId: root.userId, roles: ['user', `admin${NUL}`] }, as), /unknown role/],
        ['SetUserRoles user_id', () => admin.setUserRoles({ userId: `${root.userId}${NUL}`, roles: ['user'] }, as), /^user_id: /],
        ['DisableUser user_id', () => admin.disableUser({ userId: NUL }, as), /^user_id: /],
        ['CreateNote title', () => notes.createNote({ title: `t${NUL}`, body: '' }, as), /^title: /],
        ['CreateNote body', () => notes.createNote({ title: 't', body: `b${NUL}` }, as), /^body: /],
        ['UpdateNote title', () => notes.updateNote({ id: note.id, title: `t${NUL}`, expectedVersion: 0 }, as), /^title: /],
        ['UpdateNote body', () => notes.updateNote({ id: note.id, body: `b${NUL}`, expectedVersion: 0 }, as), /^body: /],
        ['GetNote id', () => notes.getNote({ id: NUL }, as), /^id: /],
        ['ListNotes page_token', () => notes.listNotes({ pageSize: 0, pageToken: pageTokenOf('\\u0000') }, as), /^page_token: /],
        ['CountNotesByOwner page_token (NUL)', () => adminNotes.countNotesByOwner({ pageSize: 0, pageToken: pageTokenOf('o\\u0000') }, as), /^page_token: /],
        ['CountNotesByOwner page_token (lone surrogate)', () => adminNotes.countNotesByOwner({ pageSize: 0, pageToken: pageTokenOf('\\udc00') }, as), /^page_token: /],
      ];
      for (const [field, call, details] of invalid) {
        const err = await expectStatus(call(), status.INVALID_ARGUMENT).catch((e: Error) => Promise.reject(new Error(`${field}: ${e.message}`)));
        expect(err.details, field).to.match(details);
      }
      // Secrets only ever hashed: a NUL in one is just a wrong secret, the same on both stores.
      await expectStatus(auth.refresh({ refreshToken: `r${NUL}` }), status.UNAUTHENTICATED);
      await expectStatus(auth.issueServiceToken({ clientId: sys.serviceClient.id, clientSecret: `s${NUL}` }), status.UNAUTHENTICATED);
      await expectStatus(auth.changePassword({ currentPassword: `p${NUL}`, newPassword: 'another-long-passphrase' }, as), status.PERMISSION_DENIED);
      // The resume token's shape is checked before any read.
      await expectStatus(notes.watchNotes({ resumeToken: pageTokenOf('\\u0000') }, as).headers, status.INVALID_ARGUMENT);

      for (const target of [sys.auth, sys.business]) {
        const output = target.output.join('\n');
        expect(output).not.to.match(/handler failed|"code":"INTERNAL"|\\n\s+at /);
      }
    });

    it('a Login with a NUL in its email still counts against the throttle: the address is locked after LOGIN_MAX_ADDRESS_FAILURES', async () => {
      await auth.register({ email: 'victim@example.com', password, displayName: 'Victim' });
      const outcomes: string[] = [];
      for (let i = 0; i < 7; i++) {
        outcomes.push(await auth.login({ email: `victim${NUL}${i}@example.com`, password }).then(() => 'OK', (e: { code: number }) => status[e.code]!));
      }
      // Refused until the address has 5 failures (the previous test's wrong current password was one), then throttled.
      const refused = outcomes.indexOf('RESOURCE_EXHAUSTED');
      expect(refused, outcomes.join(' ')).to.be.within(1, 5);
      expect(outcomes).to.deep.equal([...Array(refused).fill('INVALID_ARGUMENT'), ...Array(7 - refused).fill('RESOURCE_EXHAUSTED')]);
      // Locked for real accounts too, from this address.
      await expectStatus(auth.login({ email: 'victim@example.com', password }), status.RESOURCE_EXHAUSTED, /your address/);
    });
  });
}
