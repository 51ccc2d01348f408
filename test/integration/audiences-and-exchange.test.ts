import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { AdminServiceDefinition } from '../../gen/auth/v1/admin_service.js';
import { AdminNotesServiceDefinition } from '../../gen/business/v1/admin_notes_service.js';
import { createAuthClient, createClient, createDashboardClient, createNotesClient, createUserDirectoryClient, REFUSAL_REASON_KEY, ServiceCredentials, Session, type AuthClient } from '@grpc-token-auth/sdk';
import { businessUpstreamEnv, serviceClientsCli, type ProvisionedClient } from '../../scripts/support/service-client-cli.js';
import { spawnService, type ServiceProcess } from '../../scripts/support/service-process.js';
import { failsWith, within } from '../support/eventually.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { testEnv } from '../support/system.js';
import { authSigningKey, forgeToken } from '../support/tokens.js';

interface Claims {
  sub: string;
  aud: string;
  sid?: string;
  exp: number;
  act?: { sub: string; act?: { sub: string } };
  roles?: string[];
}

const claimsOf = (token: string) => jwt.decode(token) as Claims;
const headerOf = (token: string) => (jwt.decode(token, { complete: true }) as { header: { typ?: string } }).header;

/**
 * Three real services with their own audiences, as the upgrade note sets them up: auth-svc issues
 * for `business-svc` (default), `auth-svc` and `reports-svc`; business-svc verifies `business-svc`;
 * a second business-svc process verifies `reports-svc` ("reports"). The client `business-svc`
 * may exchange users' tokens for `reports-svc`; the client `reports-svc` may exchange for `business-svc`.
 */
describe('tokens for one service, and token exchange with an actor (real processes)', () => {
  let dataDir: string;
  let auth: ServiceProcess;
  let business: ServiceProcess;
  let reports: ServiceProcess;
  let authClient: AuthClient;
  let businessClient: ProvisionedClient & { name: string };
  let reportsClient: ProvisionedClient & { name: string };
  let userId: string;
  const email = 'erin@example.com';
  const password = 'correct-horse-battery-staple';
  const closers: (() => void)[] = [];

  const provision = async (name: string, scopes: string, audiences: string, env: NodeJS.ProcessEnv) => {
    const out = await serviceClientsCli(['create', name, '--scopes', scopes, '--audiences', audiences, '--json'], env);
    const parsed = JSON.parse(out) as { id: string; secret: string; audiences: string[] };
    expect(parsed.audiences).to.deep.equal(audiences.split(','));
    return { id: parsed.id, secret: parsed.secret, name };
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'audiences-'));
    const env = testEnv(dataDir, { JWT_AUDIENCE: undefined, JWT_AUDIENCES: 'business-svc,auth-svc,reports-svc' });
    auth = await spawnService('auth-svc', { env });
    const authAddress = `127.0.0.1:${auth.port}`;
    businessClient = await provision('business-svc', 'revocations.watch,users.read,tokens.exchange', 'reports-svc', env);
    reportsClient = await provision('reports-svc', 'revocations.watch,tokens.exchange', 'business-svc,auth-svc', env);
    const verifierEnv = (client: ProvisionedClient, audience: string, db: string) => ({
      ...testEnv(dataDir),
      ...businessUpstreamEnv(client, authAddress),
      JWT_AUDIENCE: audience,
      BUSINESS_DB_PATH: join(dataDir, db),
    });
    [business, reports] = await Promise.all([
      spawnService('business-svc', { env: verifierEnv(businessClient, 'business-svc', 'business.db') }),
      spawnService('business-svc', { env: verifierEnv(reportsClient, 'reports-svc', 'reports.db') }),
    ]);
    authClient = createAuthClient(authAddress);
    userId = (await authClient.register({ email, password, displayName: 'Erin' })).userId;
  });
  after(async () => {
    closers.forEach((c) => c());
    authClient?.close();
    await Promise.all([auth?.stop(), business?.stop(), reports?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const dashboardAt = (svc: ServiceProcess) => {
    const client = createDashboardClient(`127.0.0.1:${svc.port}`);
    closers.push(() => client.close());
    return client;
  };
  const login = async (audience = '') => (await authClient.login({ email, password, audience })).accessToken;
  const exchange = (client: ProvisionedClient, subjectToken: string, audience: string, secret = client.secret) =>
    authClient.exchangeToken({ clientId: client.id, clientSecret: secret, subjectToken, audience, scope: '' });
  const refusalReason = (err: { metadata?: { get(k: string): unknown[] } }) => String(err.metadata?.get(REFUSAL_REASON_KEY)[0]);

  describe('audiences', () => {
    it('Login names one audience, the first of JWT_AUDIENCES by default, in an at+jwt token', async () => {
      const token = await login();
      expect(claimsOf(token).aud).to.equal('business-svc');
      expect(headerOf(token).typ).to.equal('at+jwt');
      expect(claimsOf(await login('reports-svc')).aud).to.equal('reports-svc');
      await expectStatus(login('elsewhere'), status.INVALID_ARGUMENT, /^audience: must be one of the services this issuer serves: business-svc, auth-svc, reports-svc$/);
    });

    it('a token for one service is refused by another with another audience', async () => {
      const forBusiness = await login();
      const forReports = await login('reports-svc');
      expect((await dashboardAt(business).getDashboard({}, { metadata: bearer(forBusiness) })).userId).to.equal(userId);
      expect((await dashboardAt(reports).getDashboard({}, { metadata: bearer(forReports) })).userId).to.equal(userId);
      const refused = await expectStatus(dashboardAt(reports).getDashboard({}, { metadata: bearer(forBusiness) }), status.UNAUTHENTICATED, /not meant for this service/);
      expect(refusalReason(refused)).to.equal('wrong_audience');
      await expectStatus(dashboardAt(business).getDashboard({}, { metadata: bearer(forReports) }), status.UNAUTHENTICATED, /not meant for this service/);
    });

    it('auth-svc\'s own methods take only auth-svc tokens; its session methods take the session\'s token for any audience', async () => {
      const directory = createUserDirectoryClient(`127.0.0.1:${auth.port}`);
      closers.push(() => directory.close());
      const forBusiness = await authClient.issueServiceToken({ clientId: businessClient.id, clientSecret: businessClient.secret, audience: '' });
      expect(claimsOf(forBusiness.accessToken).aud).to.equal('business-svc');
      await expectStatus(directory.getUser({ userId }, { metadata: bearer(forBusiness.accessToken) }), status.UNAUTHENTICATED, /not meant for this service/);
      const forAuth = await authClient.issueServiceToken({ clientId: businessClient.id, clientSecret: businessClient.secret, audience: 'auth-svc' });
      expect((await directory.getUser({ userId }, { metadata: bearer(forAuth.accessToken) })).user?.displayName).to.equal('Erin');
      await expectStatus(
        authClient.issueServiceToken({ clientId: businessClient.id, clientSecret: businessClient.secret, audience: 'elsewhere' }),
        status.INVALID_ARGUMENT,
        /^audience: /,
      );
      // Logout with a reports-svc token ends the session: its business-svc token is refused too.
      const session = await authClient.login({ email, password, audience: 'reports-svc' });
      const sibling = (await authClient.refresh({ refreshToken: session.refreshToken, audience: 'business-svc' })).accessToken;
      expect(claimsOf(sibling)).to.include({ aud: 'business-svc', sid: session.sessionId });
      await authClient.logout({}, { metadata: bearer(session.accessToken) });
      await within(1000, () => failsWith(dashboardAt(business).getDashboard({}, { metadata: bearer(sibling) }), status.UNAUTHENTICATED), 'sibling token refused');
    });

    it('the SDK Session gets a token per service from one login', async () => {
      const session = await Session.login({ auth: `127.0.0.1:${auth.port}`, email, password });
      closers.push(() => session.close());
      const atReports = createDashboardClient(`127.0.0.1:${reports.port}`, { session, audience: 'reports-svc' });
      const atBusiness = createDashboardClient(`127.0.0.1:${business.port}`, { session });
      closers.push(() => (atReports.close(), atBusiness.close()));
      expect((await atReports.getDashboard({})).userId).to.equal(userId);
      expect((await atBusiness.getDashboard({})).userId).to.equal(userId);
      await session.logout();
    });
  });

  describe('ExchangeToken', () => {
    it('business-svc exchanges a user\'s business-svc token for reports-svc: the user, the session, business-svc as actor; accepted there only', async () => {
      const subject = await authClient.login({ email, password, audience: '' });
      const res = await exchange(businessClient, subject.accessToken, 'reports-svc');
      expect(res.issuedTokenType).to.equal('urn:ietf:params:oauth:token-type:access_token');
      const claims = claimsOf(res.accessToken);
      expect(claims).to.deep.include({ sub: userId, aud: 'reports-svc', sid: subject.sessionId, act: { sub: businessClient.id } });
      expect(claims.exp).to.be.at.most(claimsOf(subject.accessToken).exp);
      expect(headerOf(res.accessToken).typ).to.equal('at+jwt');
      expect((await dashboardAt(reports).getDashboard({}, { metadata: bearer(res.accessToken) })).userId).to.equal(userId);
      await expectStatus(dashboardAt(business).getDashboard({}, { metadata: bearer(res.accessToken) }), status.UNAUTHENTICATED, /not meant for this service/);

      // A chain: reports-svc exchanges the token it was sent for business-svc; the actors nest.
      const chained = claimsOf((await exchange(reportsClient, res.accessToken, 'business-svc')).accessToken);
      expect(chained).to.deep.include({ sub: userId, aud: 'business-svc', act: { sub: reportsClient.id, act: { sub: businessClient.id } } });

      // Revoking the session ends the exchanged token within a second, as any other of the session, and the stream opened with it.
      const notes = createNotesClient(`127.0.0.1:${reports.port}`);
      closers.push(() => notes.close());
      const stream = notes.watchNotes({}, { metadata: bearer(res.accessToken) });
      await stream.headers;
      const ended = (async () => {
        try {
          for await (const _ of stream);
          return 'ended OK';
        } catch (err) {
          return `${status[(err as { code: status }).code]} at ${Date.now()}`;
        }
      })();
      const loggedOutAt = Date.now();
      await authClient.logout({}, { metadata: bearer(subject.accessToken) });
      const [code, at] = (await ended).split(' at ');
      expect(code).to.equal('UNAUTHENTICATED');
      expect(Number(at) - loggedOutAt, 'ms from Logout to the end of the exchanged token\'s stream').to.be.below(1000);
      await within(1000, () => failsWith(dashboardAt(reports).getDashboard({}, { metadata: bearer(res.accessToken) }), status.UNAUTHENTICATED), 'exchanged token refused');
    });

    it('refuses each wrong exchange with its own status', async () => {
      const subject = await authClient.login({ email, password, audience: '' });
      const token = subject.accessToken;
      await expectStatus(exchange(businessClient, token, 'reports-svc', 'not-the-secret'), status.UNAUTHENTICATED, /^invalid client credentials$/);
      await expectStatus(exchange(businessClient, token, 'auth-svc'), status.PERMISSION_DENIED, /not registered for the audience "auth-svc"/);
      await expectStatus(exchange(businessClient, token, 'elsewhere'), status.INVALID_ARGUMENT, /^audience: /);
      await expectStatus(exchange(businessClient, token, ''), status.INVALID_ARGUMENT, /^audience: is required/);
      await expectStatus(exchange(businessClient, '', 'reports-svc'), status.INVALID_ARGUMENT, /^subject_token: is required/);
      // A token sent to reports-svc is not business-svc's to exchange.
      await expectStatus(exchange(businessClient, await login('reports-svc'), 'reports-svc'), status.PERMISSION_DENIED, /addressed to another service/);
      // A service token is not a user's.
      const service = (await authClient.issueServiceToken({ clientId: businessClient.id, clientSecret: businessClient.secret, audience: '' })).accessToken;
      await expectStatus(exchange(businessClient, service, 'reports-svc'), status.INVALID_ARGUMENT, /must be a user's token/);
      // A narrower scope only.
      await expectStatus(
        authClient.exchangeToken({ clientId: businessClient.id, clientSecret: businessClient.secret, subjectToken: token, audience: 'reports-svc', scope: 'users.read' }),
        status.INVALID_ARGUMENT,
        /^scope: /,
      );
      // Expired (signed with auth-svc's own key, so only the time is wrong) and forged.
      const expired = forgeToken(userId, { signWith: authSigningKey(dataDir), audience: 'business-svc', expiresInSeconds: -60, claims: { sid: subject.sessionId } });
      await expectStatus(exchange(businessClient, expired, 'reports-svc'), status.UNAUTHENTICATED, /^subject_token: token expired$/);
      await expectStatus(exchange(businessClient, forgeToken(userId, { audience: 'business-svc' }), 'reports-svc'), status.UNAUTHENTICATED, /^subject_token: /);
      // Revoked.
      await authClient.logout({}, { metadata: bearer(token) });
      await expectStatus(exchange(businessClient, token, 'reports-svc'), status.UNAUTHENTICATED, /^subject_token: .*revoked/);
    });

    it('a user\'s own session and administration stay with the user: refused to a service acting for them', async () => {
      const subject = await authClient.login({ email, password, audience: 'reports-svc' });
      const exchanged = (await exchange(reportsClient, subject.accessToken, 'auth-svc')).accessToken;
      expect(claimsOf(exchanged)).to.deep.include({ aud: 'auth-svc', act: { sub: reportsClient.id } });
      const actingForUser = /not open to services acting on a user's behalf/;
      await expectStatus(authClient.logout({}, { metadata: bearer(exchanged) }), status.PERMISSION_DENIED, actingForUser);
      await expectStatus(authClient.changePassword({ currentPassword: password, newPassword: 'another-horse-battery-9' }, { metadata: bearer(exchanged) }), status.PERMISSION_DENIED, actingForUser);
      const admin = createClient(AdminServiceDefinition, `127.0.0.1:${auth.port}`);
      closers.push(() => admin.close());
      await expectStatus(admin.listUsers({}, { metadata: bearer(exchanged) }), status.PERMISSION_DENIED, actingForUser);
      // business-svc's administration too, with a token exchanged for it.
      const forBusiness = (await exchange(reportsClient, subject.accessToken, 'business-svc')).accessToken;
      const adminNotes = createClient(AdminNotesServiceDefinition, `127.0.0.1:${business.port}`);
      closers.push(() => adminNotes.close());
      await expectStatus(adminNotes.countNotesByOwner({ pageSize: 0, pageToken: '' }, { metadata: bearer(forBusiness) }), status.PERMISSION_DENIED, actingForUser);
      // The user's own token for auth-svc still ends the session.
      await authClient.logout({}, { metadata: bearer(subject.accessToken) });
    });

    it('needs the scope tokens.exchange', async () => {
      const env = testEnv(dataDir);
      const plain = await provision('plain-svc', 'users.read', 'reports-svc', env);
      const token = await authClient.login({ email, password, audience: 'auth-svc' });
      await expectStatus(exchange(plain, token.accessToken, 'reports-svc'), status.PERMISSION_DENIED, /needs the scope "tokens.exchange"/);
    });

    it('the kit\'s onBehalfOf source: ServiceCredentials.exchange, as business-svc', async () => {
      const creds = new ServiceCredentials({ auth: `127.0.0.1:${auth.port}`, clientId: businessClient.id, clientSecret: businessClient.secret });
      closers.push(() => creds.close());
      const subject = await login();
      const res = await creds.exchange(subject, 'reports-svc');
      expect(claimsOf(res.accessToken).act).to.deep.equal({ sub: businessClient.id });
    });
  });
});
