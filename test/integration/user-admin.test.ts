import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { AdminServiceDefinition } from '../../gen/auth/v1/admin_service.js';
import { AdminNotesServiceDefinition } from '../../gen/business/v1/admin_notes_service.js';
import { createAuthClient, createDashboardClient, createNotesClient, type AuthClient, type DashboardClient, type NotesClient, createClient, type PromiseClient } from '@grpc-token-auth/sdk';
import { adminCommand, runAdminCommand } from '../support/admin-commands.js';
import { failsWith, within } from '../support/eventually.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { startSystem, testEnv, type RunningSystem } from '../support/system.js';

/**
 * User administration from outside: AdminService over gRPC with real tokens, `npm run
 * users` against the running system's database, and the admin-only business method.
 */
describe('user administration: AdminService, npm run users, admin-only business method (real processes)', () => {
  let sys: RunningSystem;
  let auth: AuthClient;
  let admin: PromiseClient<typeof AdminServiceDefinition>;
  let adminNotes: PromiseClient<typeof AdminNotesServiceDefinition>;
  let dashboard: DashboardClient;
  let notes: NotesClient;
  const password = 'correct-horse-battery-staple';
  let alice: { userId: string; accessToken: string };
  let bob: { userId: string; accessToken: string; refreshToken: string };
  let n = 0;

  const register = async (name: string) => {
    const email = `${name}-${++n}@example.com`;
    await auth.register({ email, password, displayName: name });
    return email;
  };
  const login = (email: string, pw = password) => auth.login({ email, password: pw });
  const users = (...args: string[]) => adminCommand('users', args, testEnv(sys.dataDir));
  const as = (token: string) => ({ metadata: bearer(token) });
  const refusedWithin1s = (token: string) =>
    within(1000, () => failsWith(dashboard.getDashboard({}, as(token)), status.UNAUTHENTICATED), 'business-svc refuses the session');

  before(async () => {
    sys = await startSystem();
    auth = createAuthClient(sys.authAddress);
    admin = createClient(AdminServiceDefinition, sys.authAddress);
    adminNotes = createClient(AdminNotesServiceDefinition, sys.businessAddress);
    dashboard = createDashboardClient(sys.businessAddress);
    notes = createNotesClient(sys.businessAddress);
    // The first administrator is made at the database, as an operator would.
    const aliceEmail = await register('alice');
    const out = JSON.parse(await users('set-roles', aliceEmail, 'user,admin', '--json')) as { roles: string[] };
    expect(out.roles).to.deep.equal(['user', 'admin']);
    alice = await login(aliceEmail);
    bob = await login(await register('bob'));
  });
  after(async () => {
    for (const c of [auth, admin, adminNotes, dashboard, notes]) c?.close();
    await sys?.stop();
  });

  it('refuses every AdminService method to a non-admin and to a service token, before any handler', async () => {
    const service = (await auth.issueServiceToken({ clientId: sys.serviceClient.id, clientSecret: sys.serviceClient.secret })).accessToken;
    const calls = [
      (t: string) => admin.listUsers({ pageSize: 0, pageToken: '', emailPrefix: '' }, as(t)),
      (t: string) => admin.setUserRoles({ userId: bob.userId, roles: ['user', 'admin'] }, as(t)),
      (t: string) => admin.disableUser({ userId: alice.userId }, as(t)),
      (t: string) => admin.enableUser({ userId: alice.userId }, as(t)),
      (t: string) => admin.setUserEmail({ userId: bob.userId, email: 'taken-over@example.com' }, as(t)),
    ];
    for (const call of calls) {
      await expectStatus(call(bob.accessToken), status.PERMISSION_DENIED, /needs one of the roles: admin/);
      await expectStatus(call(service), status.PERMISSION_DENIED, /for users, not services/);
      await expectStatus(call('garbage.token.here'), status.UNAUTHENTICATED);
    }
    expect(sys.auth.output.some((l) => l.includes('"event":"audit"') && l.includes(bob.userId) && l.includes('user.set_roles')), 'nothing was done').to.equal(false);
    expect((await login(`bob-2@example.com`)).userId, 'bob is untouched').to.equal(bob.userId);
  });

  it('ListUsers: pages in email order with a bounded size, filters by prefix, never shows a password hash', async () => {
    for (const name of ['carol', 'carl', 'dave']) await register(name);
    const all: string[] = [];
    let pageToken = '';
    do {
      const page = await admin.listUsers({ pageSize: 2, pageToken, emailPrefix: '' }, as(alice.accessToken));
      expect(page.users.length).to.be.at.most(2);
      all.push(...page.users.map((u) => u.email));
      expect(JSON.stringify(page)).not.to.match(/scrypt|password/i);
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(all).to.deep.equal([...all].sort());
    expect(all).to.include.members(['alice-1@example.com', 'bob-2@example.com', 'carol-3@example.com', 'dave-5@example.com']);
    const carPrefix = await admin.listUsers({ pageSize: 0, pageToken: '', emailPrefix: 'CAR' }, as(alice.accessToken));
    expect(carPrefix.users.map((u) => u.email)).to.deep.equal(['carl-4@example.com', 'carol-3@example.com']);
    expect(carPrefix.users[0]).to.include({ disabled: false, displayName: 'carl' });
    await expectStatus(admin.listUsers({ pageSize: 101, pageToken: '', emailPrefix: '' }, as(alice.accessToken)), status.INVALID_ARGUMENT, /page_size: must be from 0 to 100/);
    await expectStatus(admin.listUsers({ pageSize: -1, pageToken: '', emailPrefix: '' }, as(alice.accessToken)), status.INVALID_ARGUMENT, /page_size/);
    await expectStatus(admin.listUsers({ pageSize: 0, pageToken: 'bm9wZQ', emailPrefix: '' }, as(alice.accessToken)), status.INVALID_ARGUMENT, /page_token: is not a token returned by ListUsers/);
    await expectStatus(admin.listUsers({ pageSize: 0, pageToken: '', emailPrefix: 'x'.repeat(300) }, as(alice.accessToken)), status.INVALID_ARGUMENT, /email_prefix/);
  });

  it('SetUserRoles: only known roles, a real user id, and never your own admin role', async () => {
    const set = (userId: string, roles: string[]) => admin.setUserRoles({ userId, roles }, as(alice.accessToken));
    await expectStatus(set(bob.userId, ['user', 'admn']), status.INVALID_ARGUMENT, /unknown role "admn" \(valid roles: user, admin\)/);
    await expectStatus(set('not-a-uuid', ['user']), status.INVALID_ARGUMENT, /user_id: must be a UUID/);
    await expectStatus(set('00000000-0000-4000-8000-000000000000', ['user']), status.NOT_FOUND, /user not found/);
    await expectStatus(set(alice.userId, ['user']), status.FAILED_PRECONDITION, /cannot remove your own admin role/);
    const promoted = await set(bob.userId, ['user', 'user', ' admin ']);
    expect(promoted.user?.roles).to.deep.equal(['user', 'admin']);
    expect(promoted.revokedSessions, 'adding a role revokes nothing').to.equal(0);
    const demoted = await set(bob.userId, ['user']);
    expect(demoted.user?.roles).to.deep.equal(['user']);
    expect(demoted.revokedSessions, "removing one ends both of bob's sessions").to.equal(2);
    bob = await login('bob-2@example.com');
    const audit = () => sys.auth.output.filter((l) => l.includes('"event":"audit"') && l.includes('user.set_roles') && l.includes(bob.userId));
    await within(1000, async () => audit().length === 2, 'one audit line per change'); // log lines arrive through a pipe
    expect(JSON.parse(audit()[1]!)).to.include({ actor: `user:${alice.userId}`, target: bob.userId, msg: 'admin action' });
  });

  it('DisableUser: every session refused everywhere within 1 s; no refresh; login refused without revealing the account to a guesser', async () => {
    const email = await register('erin');
    const first = await login(email);
    const second = await login(email);
    await dashboard.getDashboard({}, as(first.accessToken)); // cached at business-svc
    await expectStatus(admin.disableUser({ userId: alice.userId }, as(alice.accessToken)), status.FAILED_PRECONDITION, /own account/);
    const res = await admin.disableUser({ userId: first.userId }, as(alice.accessToken));
    expect(res).to.deep.include({ revokedSessions: 2 });
    expect(res.user?.disabled).to.equal(true);
    for (const s of [first, second]) await refusedWithin1s(s.accessToken);
    await expectStatus(auth.refresh({ refreshToken: second.refreshToken }), status.UNAUTHENTICATED, /revoked/);
    // The right password learns the state; a wrong one gets exactly what an unknown email gets.
    await expectStatus(login(email), status.PERMISSION_DENIED, /^account is disabled$/);
    const wrong = await expectStatus(login(email, 'not-the-password-at-all'), status.UNAUTHENTICATED);
    const unknown = await expectStatus(login('nobody-at-all@example.com', 'not-the-password-at-all'), status.UNAUTHENTICATED);
    expect(wrong.details).to.equal(unknown.details);

    await admin.enableUser({ userId: first.userId }, as(alice.accessToken));
    const again = await login(email);
    expect((await dashboard.getDashboard({}, as(again.accessToken))).userId).to.equal(first.userId);
    await expectStatus(dashboard.getDashboard({}, as(first.accessToken)), status.UNAUTHENTICATED, /revoked/);
    const actions = () => sys.auth.output.filter((l) => l.includes('"event":"audit"') && l.includes(first.userId)).map((l) => (JSON.parse(l) as { action: string }).action);
    await within(1000, async () => actions().length === 2, 'audit lines');
    expect(actions()).to.deep.equal(['user.disable', 'user.enable']);
    expect(sys.auth.output.join('\n')).not.to.include(first.accessToken).and.not.include(password);
  });

  it('a disabled user\'s refresh is refused even while their session is still open', async () => {
    const email = await register('frank');
    const s = await login(email);
    // Disabled at the database while auth-svc runs (the CLI): the refresh must still be refused.
    await users('disable', email);
    await expectStatus(auth.refresh({ refreshToken: s.refreshToken }), status.UNAUTHENTICATED);
    await refusedWithin1s(s.accessToken);
  });

  it('SetUserEmail: the account signs in with the new email only, keeps its sessions; Register\'s rules; a taken email is ALREADY_EXISTS', async () => {
    const email = await register('hana');
    const s = await login(email);
    const moved = await admin.setUserEmail({ userId: s.userId, email: ' Hana.Moved@Example.com ' }, as(alice.accessToken));
    expect(moved.user).to.deep.include({ userId: s.userId, email: 'Hana.Moved@Example.com' });
    expect((await login('hana.moved@example.com')).userId).to.equal(s.userId);
    await expectStatus(login(email), status.UNAUTHENTICATED);
    expect((await dashboard.getDashboard({}, as(s.accessToken))).userId, 'its session is kept').to.equal(s.userId);
    // Retried: the same answer.
    expect((await admin.setUserEmail({ userId: s.userId, email: 'Hana.Moved@Example.com' }, as(alice.accessToken))).user?.email).to.equal('Hana.Moved@Example.com');

    const refusals: [{ userId: string; email: string }, status, RegExp][] = [
      [{ userId: s.userId, email: `BOB-2@example.com` }, status.ALREADY_EXISTS, /already registered/],
      [{ userId: s.userId, email: 'h\u200bana@example.com' }, status.INVALID_ARGUMENT, /^email: contains invisible/],
      [{ userId: s.userId, email: 'not-an-address' }, status.INVALID_ARGUMENT, /^email: is not a valid email address/],
      [{ userId: s.userId, email: 'nul\u0000@example.com' }, status.INVALID_ARGUMENT, /^email:/],
      [{ userId: s.userId, email: `${'x'.repeat(250)}@example.com` }, status.INVALID_ARGUMENT, /^email: must be at most 254/],
      [{ userId: s.userId, email: '' }, status.INVALID_ARGUMENT, /^email: is required/],
      [{ userId: 'not-a-uuid', email: 'x@example.com' }, status.INVALID_ARGUMENT, /^user_id: must be a UUID/],
      [{ userId: randomUUID(), email: 'x@example.com' }, status.NOT_FOUND, /user not found/],
    ];
    for (const [req, code, message] of refusals) await expectStatus(admin.setUserEmail(req, as(alice.accessToken)), code, message);
    expect((await login('hana.moved@example.com')).userId, 'nothing refused changed the account').to.equal(s.userId);
    // Audited by id, never by address.
    await within(1000, async () => sys.auth.output.some((l) => l.includes('user.set_email')), 'the audit line');
    const audit = sys.auth.output.filter((l) => l.includes('user.set_email'));
    expect(JSON.parse(audit[0]!)).to.include({ actor: `user:${alice.userId}`, target: s.userId });
    expect(audit.join('\n')).not.to.match(/hana/i);
  });

  it('npm run users: list, set-roles, disable, enable; refuses unknown roles and users with exit 64 and a clear message', async () => {
    const email = await register('gina');
    const s = await login(email);
    const listed = JSON.parse(await users('list', '--prefix', 'gina', '--json')) as { email: string; roles: string[]; disabled: boolean }[];
    expect(listed).to.deep.equal([{ email, roles: ['user'], disabled: false, displayName: 'gina', id: s.userId }]);
    const disabled = await runAdminCommand('users', ['disable', email], testEnv(sys.dataDir));
    expect(disabled.stdout).to.match(/disabled gina-\d+@example\.com: 1 session\(s\) revoked everywhere/);
    const audit = JSON.parse(disabled.stderr.split('\n').find((l) => l.includes('"event":"audit"'))!) as Record<string, unknown>;
    expect(audit).to.include({ action: 'user.disable', target: s.userId, revokedSessions: 1 });
    expect(audit.actor).to.match(/^cli:/);
    await refusedWithin1s(s.accessToken);
    expect(await users('list', '--prefix', 'gina')).to.include('DISABLED');
    await users('enable', email);
    expect((await login(email)).userId).to.equal(s.userId);
    expect(await users('set-email', s.userId, 'gina.renamed@example.com')).to.include('gina.renamed@example.com');
    expect((await login('gina.renamed@example.com')).userId).to.equal(s.userId);

    const refusals: [string[], RegExp][] = [
      [['set-roles', email, 'user,raed'], /unknown role "raed" \(valid roles: user, admin\)/],
      [['disable', 'nobody@example.com'], /user not found/],
      [['set-email', s.userId, 'not an address'], /email: is not a valid email address/],
      [['frobnicate'], /usage: users list/],
      [['list', '--prfix', 'x'], /Unknown option '--prfix'/],
    ];
    for (const [args, message] of refusals) {
      const err = await users(...args).then(() => undefined, (e: Error) => e);
      expect(err?.message, args.join(' ')).to.match(/failed \(64\)/).and.match(message);
    }
  });

  it('CountNotesByOwner: admins get counts per owner, paged, no contents; a non-admin gets PERMISSION_DENIED', async () => {
    const email = await register('holly');
    const holly = await login(email);
    for (let i = 0; i < 3; i++) await notes.createNote({ title: `secret title ${i}`, body: 'secret body' }, as(holly.accessToken));
    await notes.createNote({ title: 'secret title', body: 'secret body' }, as(bob.accessToken));
    const count = (token: string, pageSize = 0, pageToken = '') => adminNotes.countNotesByOwner({ pageSize, pageToken }, as(token));

    await expectStatus(count(holly.accessToken), status.PERMISSION_DENIED, /needs one of the roles: admin/);
    await expectStatus(count(bob.accessToken), status.PERMISSION_DENIED, /needs one of the roles: admin/);
    const all = await count(alice.accessToken);
    const byOwner = Object.fromEntries(all.counts.map((c) => [c.ownerId, c.noteCount]));
    expect(byOwner).to.deep.include({ [holly.userId]: 3, [bob.userId]: 1 });
    expect(JSON.stringify(all)).not.to.include('secret');
    const first = await count(alice.accessToken, 1);
    expect(first.counts).to.have.length(1);
    const second = await count(alice.accessToken, 1, first.nextPageToken);
    expect(second.counts[0]!.ownerId > first.counts[0]!.ownerId, 'the next page goes on after the last owner').to.equal(true);
    await expectStatus(count(alice.accessToken, 1000), status.INVALID_ARGUMENT, /page_size/);
    // A role granted later reaches business-svc with the next token (login or refresh).
    await users('set-roles', email, 'user,admin');
    await expectStatus(count(holly.accessToken), status.PERMISSION_DENIED);
    const refreshed = await auth.refresh({ refreshToken: holly.refreshToken });
    expect((await count(refreshed.accessToken)).counts.length).to.be.greaterThan(0);
  });
});

describe('admin commands refuse what would silently do the wrong thing (real processes)', () => {
  let sys: RunningSystem;
  before(async () => (sys = await startSystem()));
  after(async () => sys?.stop());

  it('a database file that does not exist is refused (and not created) unless --create', async () => {
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const env = testEnv(sys.dataDir, { AUTH_DB_PATH: join(sys.dataDir, 'typo.db') });
    for (const [name, args] of [['users', ['list']], ['service-clients', ['list']], ['keys-rotate', []]] as const) {
      const err = await adminCommand(name, args, env).then(() => undefined, (e: Error) => e);
      expect(err?.message, name).to.match(/failed \(64\)/).and.match(/typo\.db does not exist\. Set AUTH_DB_PATH .* or pass --create/);
      expect(existsSync(join(sys.dataDir, 'typo.db')), name).to.equal(false);
    }
    expect(await adminCommand('users', ['list', '--create'], env)).to.equal('(no users)\n');
    expect(existsSync(join(sys.dataDir, 'typo.db'))).to.equal(true);
  });

  it('service-clients refuses a misspelt scope, listing the valid ones', async () => {
    const err = await adminCommand('service-clients', ['create', 'reporting', '--scopes', 'users.raed'], testEnv(sys.dataDir)).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/failed \(64\)/).and.match(/unknown scope "users\.raed" \(valid scopes: revocations\.watch, users\.read, tokens\.exchange\)/);
    expect(await adminCommand('service-clients', ['list'], testEnv(sys.dataDir))).not.to.include('reporting');
  });
});
