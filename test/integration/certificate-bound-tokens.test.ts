import { X509Certificate } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createAuthClient, createDashboardClient, createUserDirectoryClient, REFUSAL_REASON_KEY, ServiceCredentials, tlsCredentials, type AuthClient } from '@grpc-token-auth/sdk';
import { certificateThumbprint } from '@grpc-token-auth/server-kit';
import { createTestPki, writeTestPki, type Pem, type TestPkiFiles } from '../support/certificates.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { serviceClientsCli } from '../../scripts/support/service-client-cli.js';
import { mutualTlsEnv, startSystem, testEnv, type RunningSystem } from '../support/system.js';

const thumbprintOf = (pem: Pem) => certificateThumbprint(new X509Certificate(pem.cert).raw);
const cnfOf = (token: string) => (jwt.decode(token) as { cnf?: { 'x5t#S256': string } }).cnf;

/**
 * RFC 8705 over real TLS: auth-svc and business-svc both require client certificates from the
 * test CA. A service token asked for over such a connection is bound to its certificate; every
 * verifier (auth-svc's own methods, business-svc through the kit) accepts it only over a
 * connection that presents that certificate.
 */
describe('certificate-bound service tokens (real processes, mutual TLS)', () => {
  let files: TestPkiFiles;
  let sys: RunningSystem;
  let userId: string;
  let reports: { id: string; secret: string };
  const closers: (() => void)[] = [];

  before(async () => {
    files = writeTestPki(await createTestPki());
    const tls = mutualTlsEnv(files);
    // business-svc asks for client certificates too, so it can check bindings. Audiences as in production.
    sys = await startSystem(
      {},
      {
        auth: { ...tls.auth, JWT_AUDIENCE: undefined, JWT_AUDIENCES: 'business-svc,auth-svc,reports-svc' },
        business: { ...tls.business, TLS_CLIENT_CA_PATH: files.path('ca.crt'), JWT_AUDIENCE: 'business-svc' },
      },
    );
    const out = await serviceClientsCli(['create', 'reports-svc', '--scopes', 'tokens.exchange', '--audiences', 'business-svc', '--json'], testEnv(sys.dataDir));
    reports = JSON.parse(out) as { id: string; secret: string };
    const auth = authWith(files.pki.client);
    userId = (await auth.register({ email: 'frank@example.com', password: 'correct-horse-battery-staple', displayName: 'Frank' })).userId;
  });
  after(async () => {
    closers.forEach((c) => c());
    await sys?.stop();
    files?.remove();
  });

  const credentialsOf = (client: Pem) => tlsCredentials({ ca: files.pki.ca.cert, cert: client.cert, key: client.key });
  const authWith = (client: Pem): AuthClient => {
    const c = createAuthClient(sys.authAddress, { credentials: credentialsOf(client) });
    closers.push(() => c.close());
    return c;
  };
  const serviceToken = async (over: Pem, audience = 'auth-svc', client: { id: string; secret: string } = sys.serviceClient) =>
    (await authWith(over).issueServiceToken({ clientId: client.id, clientSecret: client.secret, audience })).accessToken;

  it('a token issued over mutual TLS names the client certificate (cnf.x5t#S256)', async () => {
    expect(cnfOf(await serviceToken(files.pki.client))).to.deep.equal({ 'x5t#S256': thumbprintOf(files.pki.client) });
    expect(cnfOf(await serviceToken(files.pki.secondClient))).to.deep.equal({ 'x5t#S256': thumbprintOf(files.pki.secondClient) });
  });

  it('works with its certificate and is refused with any other (auth-svc\'s UserDirectory)', async () => {
    const token = await serviceToken(files.pki.client);
    const directoryWith = (client: Pem) => {
      const c = createUserDirectoryClient(sys.authAddress, { credentials: credentialsOf(client) });
      closers.push(() => c.close());
      return c;
    };
    expect((await directoryWith(files.pki.client).getUser({ userId }, { metadata: bearer(token) })).user?.displayName).to.equal('Frank');
    const refused = await expectStatus(directoryWith(files.pki.secondClient).getUser({ userId }, { metadata: bearer(token) }), status.UNAUTHENTICATED, /bound to another client certificate/);
    expect(refused.metadata.get(REFUSAL_REASON_KEY)).to.deep.equal(['token_binding']);
  });

  it('business-svc (the kit) checks the binding before anything else', async () => {
    const token = await serviceToken(files.pki.client, 'business-svc');
    const dashboardWith = (client: Pem) => {
      const c = createDashboardClient(sys.businessAddress, { credentials: credentialsOf(client) });
      closers.push(() => c.close());
      return c;
    };
    // Its certificate: the binding holds, and the policy (users only) answers.
    await expectStatus(dashboardWith(files.pki.client).getDashboard({}, { metadata: bearer(token) }), status.PERMISSION_DENIED, /for users, not services/);
    const refused = await expectStatus(dashboardWith(files.pki.secondClient).getDashboard({}, { metadata: bearer(token) }), status.UNAUTHENTICATED, /bound to another client certificate/);
    expect(refused.metadata.get(REFUSAL_REASON_KEY)).to.deep.equal(['token_binding']);
  });

  it('ExchangeToken: a client may prove who it is with its bound token instead of its secret, over its own certificate only', async () => {
    const password = 'correct-horse-battery-staple';
    const subject = (await authWith(files.pki.client).login({ email: 'frank@example.com', password, audience: 'reports-svc' })).accessToken;
    const own = await serviceToken(files.pki.secondClient, 'auth-svc', reports);
    const exchange = (over: Pem) => authWith(over).exchangeToken({ clientId: '', clientSecret: '', subjectToken: subject, audience: 'business-svc', scope: '' }, { metadata: bearer(own) });
    const res = await exchange(files.pki.secondClient);
    expect(jwt.decode(res.accessToken)).to.deep.include({ sub: userId, aud: 'business-svc', act: { sub: reports.id } });
    const refused = await expectStatus(exchange(files.pki.client), status.UNAUTHENTICATED, /bound to another client certificate/);
    expect(refused.metadata.get(REFUSAL_REASON_KEY)).to.deep.equal(['token_binding']);
    // Neither a token nor a secret: refused as before.
    await expectStatus(
      authWith(files.pki.secondClient).exchangeToken({ clientId: reports.id, clientSecret: '', subjectToken: subject, audience: 'business-svc', scope: '' }),
      status.INVALID_ARGUMENT,
      /^client_secret: is required/,
    );
  });

  it('the SDK does the same: ServiceCredentials with exchangeWith "bound-token" exchanges over its certificate with no secret sent', async () => {
    const subject = (await authWith(files.pki.client).login({ email: 'frank@example.com', password: 'correct-horse-battery-staple', audience: 'reports-svc' })).accessToken;
    const creds = new ServiceCredentials({
      auth: sys.authAddress,
      clientId: reports.id,
      clientSecret: reports.secret,
      exchangeWith: 'bound-token',
      clientOptions: { credentials: credentialsOf(files.pki.secondClient) },
    });
    closers.push(() => creds.close());
    const res = await creds.exchange(subject, 'business-svc');
    expect(jwt.decode(res.accessToken)).to.deep.include({ sub: userId, aud: 'business-svc', act: { sub: reports.id } });
    expect(cnfOf(await creds.accessToken('auth-svc')), 'its own token is bound to its certificate').to.deep.equal({ 'x5t#S256': thumbprintOf(files.pki.secondClient) });
  });

  it('business-svc\'s own bound token keeps its revocation stream and UserDirectory calls working (same certificate)', async () => {
    const auth = authWith(files.pki.client);
    const login = await auth.login({ email: 'frank@example.com', password: 'correct-horse-battery-staple', audience: '' });
    const dashboard = createDashboardClient(sys.businessAddress, { credentials: credentialsOf(files.pki.client) });
    closers.push(() => dashboard.close());
    const answer = await dashboard.getDashboard({}, { metadata: bearer(login.accessToken) });
    expect(answer).to.include({ displayName: 'Frank', degraded: false });
  });
});

describe('REQUIRE_BOUND_SERVICE_TOKENS (real processes)', () => {
  let sys: RunningSystem;
  const closers: (() => void)[] = [];
  before(async () => (sys = await startSystem({}, { auth: { REQUIRE_BOUND_SERVICE_TOKENS: '1' } })));
  after(async () => {
    closers.forEach((c) => c());
    await sys?.stop();
  });

  it('refuses a service token that is not bound to a certificate', async () => {
    const auth = createAuthClient(sys.authAddress);
    const directory = createUserDirectoryClient(sys.authAddress);
    closers.push(() => (auth.close(), directory.close()));
    const token = (await auth.issueServiceToken({ clientId: sys.serviceClient.id, clientSecret: sys.serviceClient.secret, audience: '' })).accessToken;
    expect(cnfOf(token)).to.equal(undefined);
    const refused = await expectStatus(directory.getUser({ userId: '00000000-0000-4000-8000-000000000000' }, { metadata: bearer(token) }), status.UNAUTHENTICATED, /must be bound to a client certificate/);
    expect(refused.metadata.get(REFUSAL_REASON_KEY)).to.deep.equal(['token_binding']);
  });
});
