import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { pino } from 'pino';
import { createSecretKey } from 'node:crypto';
import { Revoker } from '../../auth-svc/sessions/revoker.js';
import { SessionManager } from '../../auth-svc/sessions/session-manager.js';
import { openAuthStore, type AuthStore } from '../../auth-svc/store/index.js';
import { TokenIssuer } from '../../auth-svc/tokens/token-issuer.js';

/**
 * A sign-in racing a demotion or a disable: the password was checked against the account as
 * read before; the session must carry what the store says once it exists.
 */
describe('SessionManager.open: tokens carry the roles read after the session exists', () => {
  let store: AuthStore;
  let sessions: SessionManager;
  const SECRET = 'session-open-unit-test-secret-0123456789abcdef';

  beforeEach(async () => {
    store = await openAuthStore({ dbPath: ':memory:', databaseUrl: undefined });
    const tokens = new TokenIssuer({
      issuer: 'i',
      accessTokenTtlSeconds: 60,
      serviceTokenTtlSeconds: 60,
      signingKey: () => ({ kid: 'k', alg: 'HS256', key: createSecretKey(Buffer.from(SECRET)) }),
    });
    const revoker = await Revoker.open(store.revocations, 60_000);
    sessions = new SessionManager({ sessions: store.sessions, users: store.users, tokens, revoker, refreshTokenTtlSeconds: 3600, reuseGraceSeconds: 0, log: pino({ level: 'silent' }) });
  });
  afterEach(async () => store.close());

  it('a demotion made while the password was checked: the new token has the current roles', async () => {
    const stale = await store.users.create({ email: 'a@example.com', passwordHash: 'h', displayName: 'A', roles: ['user', 'admin'] });
    await store.users.setRoles(stale.id, ['user']);
    const opened = await sessions.open(stale, 'a');
    expect((jwt.verify(opened!.accessToken, SECRET) as { roles: string[] }).roles).to.deep.equal(['user']);
  });

  it('a disable made meanwhile: no tokens, and the session just made is revoked', async () => {
    const stale = await store.users.create({ email: 'b@example.com', passwordHash: 'h', displayName: 'B' });
    await store.users.setDisabled(stale.id, true);
    expect(await sessions.open(stale, 'a')).to.equal(undefined);
    expect(await store.sessions.openSessionIds(stale.id, Date.now())).to.deep.equal([]);
  });
});
