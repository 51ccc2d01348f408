import { Metadata, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createDashboardClient, REFUSAL_REASON_KEY, ServiceCredentials, Session, type DashboardClient } from '@grpc-token-auth/sdk';
import { AuthServiceService, type LoginResponse } from '@grpc-token-auth/sdk/gen/auth/v1/auth_service.js';
import { DashboardServiceService } from '@grpc-token-auth/sdk/gen/business/v1/dashboard_service.js';
import { expectStatus } from './support.js';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct-horse-battery-staple';
const LIFETIME_S = 300;

/**
 * A stand-in auth-svc and a protected DashboardService in this process: opaque tokens, one
 * session per login, refresh tokens single-use, calls with a revoked session's token refused
 * with the `auth-failure-reason: revoked` trailer, as the real services answer.
 */
class FakeAuth {
  readonly server = new Server();
  readonly calls: { method: string; authorization?: string; refreshToken?: string; audience?: string; clientSecret?: string }[] = [];
  /** access token -> the audience it was asked for ('' = the default). */
  readonly audienceOf = new Map<string, string>();
  private readonly tokens = new Map<string, string>(); // access token -> session id
  private readonly refreshTokens = new Map<string, string>(); // unused refresh token -> session id
  readonly revoked = new Set<string>();
  refuseRefresh = false;
  /** Tokens shaped like a JWT whose payload names the audience (default business-svc), as auth-svc's are. */
  jwtShaped = false;
  private issued = 0;

  issue(sessionId: string, audience = ''): LoginResponse {
    const n = ++this.issued;
    const payload = Buffer.from(JSON.stringify({ aud: audience || 'business-svc' })).toString('base64url');
    const accessToken = this.jwtShaped ? `h.${payload}.access-${n}` : `access-${n}`;
    this.tokens.set(accessToken, sessionId);
    this.audienceOf.set(accessToken, audience);
    this.refreshTokens.set(`refresh-${n}`, sessionId);
    return { accessToken, tokenType: 'Bearer', expiresIn: LIFETIME_S, userId: 'user-1', refreshToken: `refresh-${n}`, refreshExpiresIn: 3600, sessionId };
  }

  /** The session a call's bearer token belongs to, or a refusal. */
  private sessionOf(call: ServerUnaryCall<unknown, unknown>): string | { code: status; details: string; metadata?: Metadata } {
    const token = /^Bearer (.+)$/.exec(String(call.metadata.get('authorization')[0] ?? ''))?.[1];
    const sid = token === undefined ? undefined : this.tokens.get(token);
    if (sid === undefined) return { code: status.UNAUTHENTICATED, details: 'invalid token' };
    if (!this.revoked.has(sid)) return sid;
    const trailers = new Metadata();
    trailers.set(REFUSAL_REASON_KEY, 'revoked');
    return { code: status.UNAUTHENTICATED, details: 'session has been revoked', metadata: trailers };
  }

  handlers(): UntypedServiceImplementation {
    const unary =
      <Req>(method: string, answer: (call: ServerUnaryCall<Req, unknown>) => unknown) =>
      (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>) => {
        const authorization = call.metadata.get('authorization')[0];
        this.calls.push({ method, ...(authorization === undefined ? {} : { authorization: String(authorization) }) });
        const result = answer(call);
        if (result && typeof result === 'object' && 'code' in result) callback(result as { code: status });
        else callback(null, result);
      };
    return {
      login: unary<{ email: string; password: string }>('login', (call) =>
        call.request.email === EMAIL && call.request.password === PASSWORD ? this.issue(`s${this.issued + 1}`) : { code: status.UNAUTHENTICATED, details: 'wrong email or password' },
      ),
      refresh: unary<{ refreshToken: string; audience: string }>('refresh', (call) => {
        this.calls.at(-1)!.refreshToken = call.request.refreshToken;
        this.calls.at(-1)!.audience = call.request.audience;
        const sid = this.refreshTokens.get(call.request.refreshToken);
        if (this.refuseRefresh || sid === undefined || this.revoked.has(sid)) return { code: status.UNAUTHENTICATED, details: 'refresh token revoked' };
        this.refreshTokens.delete(call.request.refreshToken);
        return this.issue(sid, call.request.audience);
      }),
      logout: unary('logout', (call) => {
        const sid = this.sessionOf(call);
        if (typeof sid !== 'string') return sid;
        this.revoked.add(sid);
        return {};
      }),
      issueServiceToken: unary<{ clientId: string; clientSecret: string; audience: string }>('issueServiceToken', (call) =>
        call.request.clientSecret === 's3cret' ? { ...this.issue('service', call.request.audience), scopes: ['users.read'] } : { code: status.UNAUTHENTICATED, details: 'bad client' },
      ),
      exchangeToken: unary<{ clientId: string; clientSecret: string; subjectToken: string; audience: string }>('exchangeToken', (call) => {
        this.calls.at(-1)!.clientSecret = call.request.clientSecret;
        const byToken = typeof this.sessionOf(call) === 'string';
        if (!byToken && call.request.clientSecret !== 's3cret') return { code: status.UNAUTHENTICATED, details: 'bad client' };
        return { accessToken: `exchanged-for-${call.request.audience}`, tokenType: 'Bearer', expiresIn: LIFETIME_S, issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token' };
      }),
    };
  }

  dashboard(): UntypedServiceImplementation {
    return {
      getDashboard: (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        this.calls.push({ method: 'getDashboard', authorization: String(call.metadata.get('authorization')[0] ?? '') });
        const sid = this.sessionOf(call);
        if (typeof sid !== 'string') return callback(sid);
        callback(null, { message: `hello ${sid}`, userId: 'user-1', roles: [], displayName: 'Ada', degraded: false });
      },
    };
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}

describe('Session and ServiceCredentials against an in-process auth-svc', () => {
  let fake: FakeAuth;
  let address: string;
  let dashboard: DashboardClient;
  let now: number;
  const clock = { now: () => now };
  const settle = () => new Promise((r) => setTimeout(r, 20));

  beforeEach(async () => {
    now = 1_000_000;
    fake = new FakeAuth();
    fake.server.addService(AuthServiceService, fake.handlers());
    fake.server.addService(DashboardServiceService, fake.dashboard());
    const port = await new Promise<number>((resolve, reject) =>
      fake.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
  });
  afterEach(() => {
    dashboard?.close();
    fake.server.forceShutdown();
  });

  const signIn = async () => {
    const session = await Session.login({ auth: address, email: EMAIL, password: PASSWORD, ...clock });
    dashboard = createDashboardClient(address, { interceptors: [session.interceptor] });
    return session;
  };

  it('logs in, then sends the access token as a bearer on every call', async () => {
    const session = await signIn();
    expect([session.userId, session.sessionId]).to.deep.equal(['user-1', 's1']);
    expect((await dashboard.getDashboard({})).message).to.equal('hello s1');
    await dashboard.getDashboard({});
    expect(fake.calls.filter((c) => c.method === 'getDashboard').map((c) => c.authorization)).to.deep.equal(['Bearer access-1', 'Bearer access-1']);
    session.close();
  });

  it('one refresh token, an access token per audience: Refresh names the audience, and rotations never overlap', async () => {
    const session = await signIn();
    const forAuth = createDashboardClient(address, { session, audience: 'auth-svc' });
    const forReports = createDashboardClient(address, { session, audience: 'reports-svc' });
    // Both audiences at once: the second Refresh must present the refresh token the first one got back.
    await Promise.all([forAuth.getDashboard({}), forReports.getDashboard({}), dashboard.getDashboard({})]);
    const refreshes = fake.calls.filter((c) => c.method === 'refresh');
    expect(refreshes.map((c) => c.audience).sort()).to.deep.equal(['auth-svc', 'reports-svc']);
    expect(refreshes.map((c) => c.refreshToken)).to.deep.equal(['refresh-1', 'refresh-2']);
    const sent = (audience: string) => fake.calls.filter((c) => c.method === 'getDashboard' && fake.audienceOf.get(c.authorization!.slice(7)) === audience);
    expect(sent('auth-svc')).to.have.length(1);
    expect(sent('reports-svc')).to.have.length(1);
    expect(sent('')).to.have.length(1);
    // Tokens are kept per audience: calling again fetches nothing.
    await forAuth.getDashboard({});
    expect(fake.count('refresh')).to.equal(2);
    forAuth.close();
    forReports.close();
    session.close();
  });

  it('a client made for business-svc with { session } asks for business-svc tokens by itself', async () => {
    const session = await Session.login({ auth: address, email: EMAIL, password: PASSWORD, ...clock });
    dashboard = createDashboardClient(address, { session });
    await dashboard.getDashboard({});
    expect(fake.calls.find((c) => c.method === 'refresh')?.audience).to.equal('business-svc');
    session.close();
  });

  it('Login\'s token serves the audience it names: a client for that service needs no Refresh', async () => {
    fake.jwtShaped = true;
    const session = await Session.login({ auth: address, email: EMAIL, password: PASSWORD, ...clock });
    dashboard = createDashboardClient(address, { session });
    await dashboard.getDashboard({});
    expect(fake.count('refresh')).to.equal(0);
    session.close();
  });

  it('ServiceCredentials asks for a token per audience', async () => {
    const creds = new ServiceCredentials({ auth: address, clientId: 'c', clientSecret: 's3cret', ...clock });
    const token = await creds.accessToken('auth-svc');
    expect(fake.audienceOf.get(token)).to.equal('auth-svc');
    expect(fake.audienceOf.get(await creds.accessToken())).to.equal('');
    expect(await creds.accessToken('auth-svc')).to.equal(token);
    creds.close();
  });

  it('refuses wrong credentials with the ClientError auth-svc answered', async () => {
    await expectStatus(Session.login({ auth: address, email: EMAIL, password: 'wrong', ...clock }), status.UNAUTHENTICATED, /wrong email or password/);
  });

  it('renews before expiry with Refresh, presenting each refresh token once (never Login again)', async () => {
    const session = await signIn();
    now += (LIFETIME_S - 20) * 1000; // inside the 30 s renewal margin
    await dashboard.getDashboard({}); // still the current token; renewal starts in the background
    await settle();
    await dashboard.getDashboard({});
    now += (LIFETIME_S - 20) * 1000;
    await dashboard.getDashboard({});
    await settle();
    await dashboard.getDashboard({});
    expect(fake.calls.filter((c) => c.method === 'refresh').map((c) => c.refreshToken)).to.deep.equal(['refresh-1', 'refresh-2']);
    expect(fake.count('login')).to.equal(1);
    expect(fake.calls.filter((c) => c.method === 'getDashboard').map((c) => c.authorization)).to.deep.equal([
      'Bearer access-1',
      'Bearer access-2',
      'Bearer access-2',
      'Bearer access-3',
    ]);
    session.close();
  });

  it('logout revokes the session at auth-svc, then fails calls locally without sending them', async () => {
    const session = await signIn();
    await session.logout();
    expect(fake.calls.find((c) => c.method === 'logout')?.authorization).to.equal('Bearer access-1');
    expect(session.ended).to.equal('logged out');
    const sent = fake.count('getDashboard');
    await expectStatus(dashboard.getDashboard({}), status.UNAUTHENTICATED, /session ended: logged out/);
    expect(fake.count('getDashboard')).to.equal(sent);
    session.close();
  });

  it('a call refused as revoked (logout elsewhere) ends the session at once; later calls stay local', async () => {
    const session = await signIn();
    fake.revoked.add('s1');
    await expectStatus(dashboard.getDashboard({}), status.UNAUTHENTICATED, /revoked/);
    expect(session.ended).to.match(/revoked/);
    await expectStatus(dashboard.getDashboard({}), status.UNAUTHENTICATED, /session ended/);
    expect(fake.count('getDashboard')).to.equal(1);
    expect(fake.count('refresh')).to.equal(0);
    session.close();
  });

  it('a refused Refresh ends the session with its reason', async () => {
    const session = await signIn();
    fake.refuseRefresh = true;
    now += (LIFETIME_S - 1) * 1000; // about to expire: the caller waits for the renewal
    await expectStatus(dashboard.getDashboard({}), status.UNAUTHENTICATED, /refresh token revoked/);
    expect(session.ended).to.equal('refresh token revoked');
    session.close();
  });

  it('ServiceCredentials: nothing fetched at construction; one token request shared, then sent as the bearer', async () => {
    const creds = new ServiceCredentials({ auth: address, clientId: 'business-svc', clientSecret: 's3cret', ...clock });
    await settle();
    expect(fake.count('issueServiceToken')).to.equal(0);
    const client = createDashboardClient(address, { interceptors: [creds.interceptor] });
    try {
      await Promise.all([client.getDashboard({}), client.getDashboard({}), client.getDashboard({})]);
      expect(fake.count('issueServiceToken')).to.equal(1);
      expect(new Set(fake.calls.filter((c) => c.method === 'getDashboard').map((c) => c.authorization))).to.deep.equal(new Set(['Bearer access-1']));
    } finally {
      client.close();
      creds.close();
    }
  });

  it('ServiceCredentials.exchange sends the secret by default, and only its own auth-svc token with exchangeWith "bound-token"', async () => {
    const bySecret = new ServiceCredentials({ auth: address, clientId: 'reports-svc', clientSecret: 's3cret', ...clock });
    const byToken = new ServiceCredentials({ auth: address, clientId: 'reports-svc', clientSecret: 's3cret', exchangeWith: 'bound-token', ...clock });
    try {
      expect((await bySecret.exchange('user-token', 'business-svc')).accessToken).to.equal('exchanged-for-business-svc');
      expect(fake.calls.at(-1)).to.deep.equal({ method: 'exchangeToken', clientSecret: 's3cret' });
      expect(fake.count('issueServiceToken')).to.equal(0);

      expect((await byToken.exchange('user-token', 'business-svc')).accessToken).to.equal('exchanged-for-business-svc');
      const [issued, exchanged] = fake.calls.slice(-2);
      expect(issued!.method).to.equal('issueServiceToken');
      expect(exchanged).to.deep.include({ method: 'exchangeToken', clientSecret: '' });
      const own = exchanged!.authorization!.replace(/^Bearer /, '');
      expect(fake.audienceOf.get(own), 'the bearer is its token for auth-svc').to.equal('auth-svc');
      // The token is cached like any other: a second exchange asks for no new one.
      await byToken.exchange('user-token', 'business-svc');
      expect(fake.count('issueServiceToken')).to.equal(1);
    } finally {
      bySecret.close();
      byToken.close();
    }
  });

  it('ServiceCredentials with a wrong secret: the call fails UNAUTHENTICATED before it is sent', async () => {
    const creds = new ServiceCredentials({ auth: address, clientId: 'business-svc', clientSecret: 'nope', ...clock });
    const client = createDashboardClient(address, { interceptors: [creds.interceptor] });
    try {
      await expectStatus(client.getDashboard({}), status.UNAUTHENTICATED, /could not obtain an access token/);
      expect(fake.count('getDashboard')).to.equal(0);
    } finally {
      client.close();
      creds.close();
    }
  });
});
