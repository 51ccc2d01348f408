import { expect } from 'chai';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { RevokedSessionEntry } from '@grpc-token-auth/server-kit';
import { openAuthStore, type AuthStore } from '../../auth-svc/store/index.js';
import { ClientNameTakenError } from '../../auth-svc/store/service-client-store.js';
import { EmailTakenError } from '../../auth-svc/store/user-store.js';
import { Revoker } from '../../auth-svc/sessions/revoker.js';
import { KeyRing } from '../../auth-svc/tokens/key-ring.js';
import { within } from '../support/eventually.js';
import { expectRefusesNewerSchema, storeBackends, type StoreLocation } from '../support/store-backends.js';

type Location = StoreLocation<AuthStore>;
const BACKENDS = storeBackends((where) => openAuthStore(where), 'auth.db');

const hash = (s: string) => createHash('sha256').update(s).digest('hex');
const T0 = 1_700_000_000_000;

for (const backend of BACKENDS) {
  const suite = backend.skip ? describe.skip : describe;
  suite(`auth store contract: ${backend.name}${backend.skip ? ' (skipped: SKIP_POSTGRES=1)' : ''}`, function () {
    this.timeout(30_000);
    let location: Location;
    let store: AuthStore;
    const others: AuthStore[] = [];
    /** Another process on the same database (a replica, an admin command). */
    const another = async () => {
      const s = await location.open();
      others.push(s);
      return s;
    };

    beforeEach(async () => {
      location = await backend.fresh();
      store = await location.open();
    });

    afterEach(async () => {
      for (const s of others.splice(0)) await s.close();
      await store.close();
      location.cleanup();
    });

    describe('migrations', () => {
      it('are idempotent: reopening (and opening concurrently) keeps the schema and the data', async () => {
        const user = await store.users.create({ email: 'keep@example.com', passwordHash: 'h', displayName: 'Keep' }, T0);
        await store.close();
        const [a, b] = await Promise.all([location.open(), location.open()]);
        expect((await a.users.findById(user.id))?.email).to.equal('keep@example.com');
        expect((await b.users.findByEmail('KEEP@example.com'))?.id).to.equal(user.id);
        await b.close();
        store = a;
      });

      it('refuses a database migrated by a newer build', async () => {
        await store.close();
        store = await expectRefusesNewerSchema(location);
      });
    });

    describe('users', () => {
      it('creates and finds users, by id and by email in any case and surrounding blanks', async () => {
        const user = await store.users.create({ email: ' Alice@Example.com ', passwordHash: 'hash-1', displayName: 'Alice' }, T0);
        expect(user).to.deep.include({ email: 'Alice@Example.com', passwordHash: 'hash-1', displayName: 'Alice', disabled: false, createdAt: T0, updatedAt: T0 });
        expect(user.roles).to.deep.equal(['user']);
        expect((await store.users.findByEmail('alice@example.COM'))?.id).to.equal(user.id);
        expect(await store.users.findById(user.id)).to.deep.equal(user);
        expect(await store.users.findById(randomUUID())).to.equal(undefined);
        expect(await store.users.findByEmail('bob@example.com')).to.equal(undefined);
      });

      it('refuses a second account for the same email, whatever its case (EmailTakenError)', async () => {
        await store.users.create({ email: 'carol@example.com', passwordHash: 'h', displayName: 'Carol' });
        let error: unknown;
        try {
          await store.users.create({ email: 'CAROL@example.com', passwordHash: 'h2', displayName: 'Impostor' });
        } catch (err) {
          error = err;
        }
        expect(error).to.be.instanceOf(EmailTakenError);
        const racing = await Promise.allSettled([1, 2, 3].map((i) => store.users.create({ email: 'race@example.com', passwordHash: `h${i}`, displayName: 'R' })));
        expect(racing.filter((r) => r.status === 'fulfilled')).to.have.length(1);
        for (const r of racing) if (r.status === 'rejected') expect(r.reason).to.be.instanceOf(EmailTakenError);
      });

      it('updates the password hash, roles and disabled flag', async () => {
        const user = await store.users.create({ email: 'dave@example.com', passwordHash: 'old', displayName: 'Dave' }, T0);
        await store.users.setPasswordHash(user.id, 'new', T0 + 1);
        expect(await store.users.setRoles(user.id, ['user', 'admin'], T0 + 2)).to.equal(true);
        expect(await store.users.setDisabled(user.id, true, T0 + 3)).to.equal(true);
        const read = (await store.users.findById(user.id))!;
        expect(read).to.deep.include({ passwordHash: 'new', disabled: true, updatedAt: T0 + 3, createdAt: T0 });
        expect(read.roles, 'disabling keeps the roles').to.deep.equal(['user', 'admin']);
        expect(await store.users.setRoles(user.id, ['user'])).to.equal(true);
        expect((await store.users.findById(user.id))!.disabled, 'a role change keeps the account disabled').to.equal(true);
        expect(await store.users.setDisabled(user.id, false)).to.equal(true);
        expect((await store.users.findById(user.id))!.disabled).to.equal(false);
        expect(await store.users.setRoles(randomUUID(), ['user']), 'no such user').to.equal(false);
        expect(await store.users.setDisabled(randomUUID(), true), 'no such user').to.equal(false);
      });

      it('sets another email: found by it (not the old one), refused when another account holds it, harmless when repeated', async () => {
        const erin = await store.users.create({ email: 'erin@example.com', passwordHash: 'h', displayName: 'Erin' }, T0);
        await store.users.create({ email: 'frank@example.com', passwordHash: 'h', displayName: 'Frank' }, T0);
        expect(await store.users.setEmail(erin.id, ' Erin.New@Example.com ', T0 + 1)).to.equal(true);
        expect(await store.users.findById(erin.id)).to.deep.include({ email: 'Erin.New@Example.com', emailKey: 'erin.new@example.com', updatedAt: T0 + 1 });
        expect((await store.users.findByEmail('erin.new@example.com'))?.id).to.equal(erin.id);
        expect(await store.users.findByEmail('erin@example.com')).to.equal(undefined);
        expect(await store.users.setEmail(erin.id, 'erin.new@example.com'), 'the same address again').to.equal(true);
        let error: unknown;
        try {
          await store.users.setEmail(erin.id, 'FRANK@example.com');
        } catch (err) {
          error = err;
        }
        expect(error).to.be.instanceOf(EmailTakenError);
        expect((await store.users.findById(erin.id))?.email, 'unchanged by the refusal').to.equal('erin.new@example.com');
        expect(await store.users.setEmail(randomUUID(), 'nobody@example.com'), 'no such user').to.equal(false);
      });

      it('lists accounts in normalized-email order, in pages that never overlap, filtered by prefix', async () => {
        const emails = ['Bob@example.com', 'alice@example.com', 'al%ice@example.com', 'al_x@example.com', 'carol@example.com', 'ÅSA@example.com'];
        for (const email of emails) await store.users.create({ email, passwordHash: 'h', displayName: 'U' });
        const all = await store.users.list({ prefix: '', after: undefined, limit: 100 });
        const sorted = emails.map((e) => e.normalize('NFC').toLowerCase()).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
        expect(all.map((u) => u.email.normalize('NFC').toLowerCase())).to.deep.equal(sorted);
        const pages: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.users.list({ prefix: '', after, limit: 4 });
          pages.push(...page.map((u) => u.id));
          if (page.length < 4) break;
          after = page[page.length - 1]!.email.normalize('NFC').toLowerCase();
        }
        expect(pages).to.deep.equal(all.map((u) => u.id));
        const withPrefix = async (prefix: string) => (await store.users.list({ prefix, after: undefined, limit: 100 })).map((u) => u.email);
        expect(await withPrefix('al')).to.deep.equal(['al%ice@example.com', 'al_x@example.com', 'alice@example.com']);
        expect(await withPrefix('al%'), '% is not a wildcard').to.deep.equal(['al%ice@example.com']);
        expect(await withPrefix('al_'), '_ is not a wildcard').to.deep.equal(['al_x@example.com']);
        expect(await withPrefix('åsa')).to.deep.equal(['ÅSA@example.com']);
        expect(await withPrefix('zed')).to.deep.equal([]);
        expect(await store.users.list({ prefix: '', after: undefined, limit: 2 })).to.have.length(2);
      });
    });

    describe('sessions and refresh tokens', () => {
      async function session(expiresAt = T0 + 60_000) {
        const user = await store.users.create({ email: `${randomUUID()}@example.com`, passwordHash: 'h', displayName: 'U' });
        const id = randomUUID();
        await store.sessions.create({ id, userId: user.id, createdAt: T0, expiresAt }, hash(`${id}-r0`));
        return { id, userId: user.id };
      }

      it('creates a session with its first refresh token', async () => {
        const s = await session();
        expect(await store.sessions.findSession(s.id)).to.deep.equal({ id: s.id, userId: s.userId, createdAt: T0, expiresAt: T0 + 60_000, revokedAt: null });
        expect(await store.sessions.findRefreshToken(hash(`${s.id}-r0`))).to.deep.equal({
          tokenHash: hash(`${s.id}-r0`),
          sessionId: s.id,
          expiresAt: T0 + 60_000,
          usedAt: null,
          successorHash: null,
          sealedSuccessor: null,
        });
        expect(await store.sessions.findRefreshToken(hash('nope'))).to.equal(undefined);
        expect(await store.sessions.findSession(randomUUID())).to.equal(undefined);
      });

      it('rotates: the old token is marked used and names its successor, the new one stored, the session extended', async () => {
        const s = await session();
        const next = { tokenHash: hash(`${s.id}-r1`), sessionId: s.id, createdAt: T0 + 5, expiresAt: T0 + 90_000 };
        expect(await store.sessions.rotate(hash(`${s.id}-r0`), next, 'sealed-r1')).to.equal(true);
        expect(await store.sessions.findRefreshToken(hash(`${s.id}-r0`))).to.deep.include({ usedAt: T0 + 5, successorHash: next.tokenHash, sealedSuccessor: 'sealed-r1' });
        expect(await store.sessions.findRefreshToken(next.tokenHash)).to.deep.include({ usedAt: null, successorHash: null, sealedSuccessor: null });
        expect((await store.sessions.findSession(s.id))?.expiresAt).to.equal(T0 + 90_000);
        expect(await store.sessions.rotate(hash(`${s.id}-r0`), { ...next, tokenHash: hash('again') }, 'other'), 'a used token rotates no more').to.equal(false);
        expect(await store.sessions.findRefreshToken(hash('again'))).to.equal(undefined);
        expect((await store.sessions.findRefreshToken(hash(`${s.id}-r0`)))?.sealedSuccessor, 'the loser changed nothing').to.equal('sealed-r1');
      });

      it('forgets sealed successors once their grace window is over, keeping which token replaced which', async () => {
        const s = await session();
        const r1 = { tokenHash: hash(`${s.id}-r1`), sessionId: s.id, createdAt: T0 + 10, expiresAt: T0 + 90_000 };
        const r2 = { tokenHash: hash(`${s.id}-r2`), sessionId: s.id, createdAt: T0 + 20, expiresAt: T0 + 90_000 };
        await store.sessions.rotate(hash(`${s.id}-r0`), r1, 'sealed-r1');
        await store.sessions.rotate(r1.tokenHash, r2, null);
        expect(await store.sessions.forgetSealedSuccessors(T0 + 10), 'used at T0+10 is not before T0+10').to.equal(0);
        expect(await store.sessions.forgetSealedSuccessors(T0 + 11)).to.equal(1);
        expect(await store.sessions.findRefreshToken(hash(`${s.id}-r0`))).to.deep.include({ successorHash: r1.tokenHash, sealedSuccessor: null });
        expect(await store.sessions.findRefreshToken(r1.tokenHash)).to.deep.include({ successorHash: r2.tokenHash, sealedSuccessor: null });
      });

      it('lets exactly one of many concurrent rotations of the same token win, across store instances', async () => {
        const s = await session();
        const stores = [store, await another(), await another()];
        const attempts = Array.from({ length: 12 }, (_, i) =>
          stores[i % stores.length]!.sessions.rotate(hash(`${s.id}-r0`), { tokenHash: hash(`${s.id}-c${i}`), sessionId: s.id, createdAt: T0 + i, expiresAt: T0 + 90_000 }, `sealed-${i}`),
        );
        const outcomes = await Promise.all(attempts);
        expect(outcomes.filter(Boolean)).to.have.length(1);
        const stored = await Promise.all(outcomes.map((_, i) => store.sessions.findRefreshToken(hash(`${s.id}-c${i}`))));
        expect(stored.filter((t) => t !== undefined), 'only the winner stored a successor').to.have.length(1);
        const winner = outcomes.indexOf(true);
        expect(await store.sessions.findRefreshToken(hash(`${s.id}-r0`)), 'the winner named it').to.deep.include({ successorHash: hash(`${s.id}-c${winner}`), sealedSuccessor: `sealed-${winner}` });
      });

      it('revokes once, lists open sessions, and purges ended ones with their refresh tokens', async () => {
        const a = await session(T0 + 60_000);
        const b = randomUUID();
        await store.sessions.create({ id: b, userId: a.userId, createdAt: T0, expiresAt: T0 + 60_000 }, hash('b-r0'));
        const ended = randomUUID();
        await store.sessions.create({ id: ended, userId: a.userId, createdAt: T0, expiresAt: T0 + 10 }, hash('ended-r0'));
        expect(await store.sessions.markRevoked(a.id, 'logout', T0 + 1)).to.equal(true);
        expect(await store.sessions.markRevoked(a.id, 'logout', T0 + 2), 'already revoked').to.equal(false);
        expect(await store.sessions.markRevoked(randomUUID(), 'logout', T0 + 2), 'unknown').to.equal(false);
        expect((await store.sessions.findSession(a.id))?.revokedAt).to.equal(T0 + 1);
        const open = await store.sessions.openSessionIds(a.userId, T0 + 100);
        expect(open, 'neither revoked nor ended').to.deep.equal([b]);
        expect(await store.sessions.purgeEndedBefore(T0 + 100)).to.equal(1);
        expect(await store.sessions.findSession(ended)).to.equal(undefined);
        expect(await store.sessions.findRefreshToken(hash('ended-r0')), 'refresh tokens go with their session').to.equal(undefined);
      });
    });

    describe('revocations', () => {
      const entry = (sessionId: string, forgetAfter: number): RevokedSessionEntry => ({ sessionId, forgetAfter });

      it('keeps the first row of a session revoked twice, and reads rows after a seq in order', async () => {
        expect(await store.revocations.lastSeq()).to.equal(0);
        await store.revocations.add(entry('s1', T0 + 100), T0);
        await store.revocations.add(entry('s2', T0 + 200), T0);
        await store.revocations.add(entry('s1', T0 + 999), T0 + 1);
        const all = await store.revocations.since(0);
        expect(all.entries).to.deep.equal([entry('s1', T0 + 100), entry('s2', T0 + 200)]);
        expect(all.lastSeq).to.equal(await store.revocations.lastSeq());
        await store.revocations.add(entry('s3', T0 + 300), T0);
        const after = await store.revocations.since(all.lastSeq);
        expect(after.entries).to.deep.equal([entry('s3', T0 + 300)]);
        expect(after.lastSeq).to.be.greaterThan(all.lastSeq);
        expect(await store.revocations.since(after.lastSeq)).to.deep.equal({ entries: [], lastSeq: after.lastSeq });
      });

      it('gives rows written concurrently by several writers seqs that a reader resuming after the last one never skips', async () => {
        const stores = [store, await another(), await another()];
        const collected: string[] = [];
        let lastSeq = 0;
        const readNew = async () => {
          const r = await store.revocations.since(lastSeq);
          collected.push(...r.entries.map((e) => e.sessionId));
          lastSeq = r.lastSeq;
        };
        let writing = true;
        // Reads while the writes are in flight, as a Revoker does; stops once they are done.
        const reader = (async () => {
          while (writing) await readNew();
        })();
        await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % stores.length]!.revocations.add(entry(`c${i}`, T0 + 1000), T0)));
        writing = false;
        await reader;
        await readNew();
        expect([...collected].sort()).to.deep.equal(Array.from({ length: 30 }, (_, i) => `c${i}`).sort());
      });

      it('lists what is still active, and purges what verifiers may forget', async () => {
        await store.revocations.add(entry('old', T0 + 10), T0);
        await store.revocations.add(entry('new', T0 + 1000), T0);
        expect(await store.revocations.active(T0 + 10)).to.deep.equal([entry('new', T0 + 1000)]);
        expect(await store.revocations.purgeForgotten(T0 + 10)).to.equal(1);
        expect((await store.revocations.since(0)).entries).to.deep.equal([entry('new', T0 + 1000)]);
      });

      it('reaches a Revoker watching through another store instance (another replica) within 1 s', async () => {
        const other = await another();
        const watching = await Revoker.open(other.revocations, 60_000);
        const heard: string[] = [];
        watching.subscribe((entries) => heard.push(...entries.map((e) => e.sessionId)));
        watching.watchOtherWriters(other.changes, (err) => expect.fail(String(err)));
        try {
          const writing = await Revoker.open(store.revocations, 60_000);
          await writing.revoke(['from-a', 'from-a-too']);
          await within(1000, async () => heard.length >= 2, 'the other replica publishes the revocation');
          expect(heard).to.deep.equal(['from-a', 'from-a-too']);
        } finally {
          watching.stop();
        }
      });
    });

    describe('service clients', () => {
      const client = (name: string) => ({ id: randomUUID(), name, secretHash: hash(name), scopes: ['users.read', 'revocations.watch'], audiences: ['reports-svc'], sessionId: randomUUID(), createdAt: T0 });

      it('creates, finds by id and name, and lists in creation order', async () => {
        const a = client('alpha');
        const b = { ...client('beta'), createdAt: T0 + 1 };
        await store.serviceClients.create(b);
        await store.serviceClients.create(a);
        expect(await store.serviceClients.findById(a.id)).to.deep.equal({ ...a, revokedAt: null });
        expect((await store.serviceClients.findByName('beta'))?.id).to.equal(b.id);
        expect(await store.serviceClients.findByName('gamma')).to.equal(undefined);
        expect((await store.serviceClients.list()).map((c) => c.name)).to.deep.equal(['alpha', 'beta']);
      });

      it('refuses a taken name (ClientNameTakenError)', async () => {
        await store.serviceClients.create(client('dup'));
        let error: unknown;
        try {
          await store.serviceClients.create(client('dup'));
        } catch (err) {
          error = err;
        }
        expect(error).to.be.instanceOf(ClientNameTakenError);
      });

      it('replaces secrets until revoked; revokes once', async () => {
        const c = client('rotating');
        await store.serviceClients.create(c);
        expect(await store.serviceClients.replaceSecret(c.id, hash('s2'))).to.equal(true);
        expect((await store.serviceClients.findById(c.id))?.secretHash).to.equal(hash('s2'));
        expect(await store.serviceClients.markRevoked(c.id, T0 + 5)).to.equal(true);
        expect(await store.serviceClients.markRevoked(c.id, T0 + 6)).to.equal(false);
        expect(await store.serviceClients.replaceSecret(c.id, hash('s3')), 'a revoked client gets no new secret').to.equal(false);
        expect((await store.serviceClients.findById(c.id))?.revokedAt).to.equal(T0 + 5);
      });
    });

    describe('signing keys', () => {
      const key = (kid: string, createdAt: number, activeFrom: number) => ({ kid, alg: 'RS256', privatePem: `pem-${kid}`, createdAt, activeFrom });

      it('adds keys newest first, retiring the previous one when the new one activates; purges and fingerprints', async () => {
        const empty = await store.keys.fingerprint();
        await store.keys.addAndSupersede(key('k1', T0, T0));
        const one = await store.keys.fingerprint();
        expect(one).to.not.equal(empty);
        await store.keys.addAndSupersede(key('k2', T0 + 10, T0 + 50));
        const two = await store.keys.fingerprint();
        expect(two).to.not.equal(one);
        const listed = await store.keys.list();
        expect(listed.map((k) => [k.kid, k.retiredAt])).to.deep.equal([
          ['k2', null],
          ['k1', T0 + 50],
        ]);
        expect(listed[0]).to.deep.equal({ ...key('k2', T0 + 10, T0 + 50), retiredAt: null });
        expect(await store.keys.deleteRetiredBefore(T0 + 50), 'retired at the cutoff: kept').to.equal(0);
        expect(await store.keys.deleteRetiredBefore(T0 + 51)).to.equal(1);
        expect((await store.keys.list()).map((k) => k.kid)).to.deep.equal(['k2']);
        expect(await store.keys.fingerprint()).to.not.equal(two);
      });

      it('a rotation through one key ring is published by a key ring on another store instance', async () => {
        const ringA = new KeyRing(store.keys, { alg: 'ES256', verifyWindowMs: 60_000 });
        await ringA.ensureKey();
        const other = await another();
        const ringB = new KeyRing(other.keys, { alg: 'ES256', verifyWindowMs: 60_000 });
        await ringB.ensureKey();
        ringB.watch(other.changes, (err) => expect.fail(String(err)));
        try {
          expect(ringB.publicKeys().map((k) => k.kid)).to.deep.equal(ringA.publicKeys().map((k) => k.kid));
          const kid = await ringA.rotate(0);
          // PostgreSQL pushes the change (well before the 1 s fingerprint check); SQLite is polled.
          const bound = other.changes ? 500 : 2000;
          await within(bound, async () => ringB.publicKeys().some((k) => k.kid === kid), 'the other ring loads the new key');
          expect(ringB.signingKey().kid).to.equal(kid);
        } finally {
          ringB.stop();
        }
      });
    });
  });
}
