import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createAuthClient, createDashboardClient, createNotesClient, type DashboardClient, type NotesClient } from '@grpc-token-auth/sdk';
import { bearer, expectStatus, md } from '../support/grpc.js';
import { startSystem, type RunningSystem } from '../support/system.js';
import { forgeToken, unsignedToken } from '../support/tokens.js';

describe('business-svc authentication, HS256 shared-secret mode (real processes)', () => {
  let sys: RunningSystem;
  let dashboard: DashboardClient;
  let notes: NotesClient;
  let userId: string;
  let token: string;

  before(async () => {
    sys = await startSystem({ JWT_ALGORITHM: 'HS256' });
    const auth = createAuthClient(sys.authAddress);
    const email = 'erin@example.com';
    const password = 'a-long-and-unguessable-passphrase';
    await auth.register({ email, password, displayName: 'Erin' });
    ({ userId, accessToken: token } = await auth.login({ email, password }));
    auth.close();
    dashboard = createDashboardClient(sys.businessAddress);
    notes = createNotesClient(sys.businessAddress);
  });
  after(async () => {
    dashboard?.close();
    notes?.close();
    await sys?.stop();
  });

  const getDashboard = (metadata = md()) => dashboard.getDashboard({}, { metadata });

  it('accepts a token issued by auth-svc and hands the handler the verified identity', async () => {
    const res = await getDashboard(bearer(token));
    expect(res.userId).to.equal(userId);
    expect(res.roles).to.deep.equal(['user']);
    expect(res.displayName, 'looked up in auth-svc with business-svc\'s service token').to.equal('Erin');
    expect(res.degraded).to.equal(false);
    expect(res.message).to.include('Erin');
  });

  it('treats the scheme name case-insensitively (RFC 7235)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      expect((await getDashboard(md({ authorization: `${scheme} ${token}` }))).userId).to.equal(userId);
    }
  });

  const rejections: [string, () => Record<string, string>, RegExp][] = [
    ['missing header', () => ({}), /missing authorization/],
    ['Basic scheme', () => ({ authorization: 'Basic ZXJpbjpwYXNzd29yZA==' }), /scheme must be Bearer/],
    ['scheme only', () => ({ authorization: 'Bearer' }), /empty/],
    ['raw token without scheme', () => ({ authorization: token }), /scheme must be Bearer/],
    ['garbage', () => ({ authorization: 'Bearer not-a-jwt' }), /not a JWT/],
    ['garbage in JWT shape', () => ({ authorization: 'Bearer aaa.bbb.ccc' }), /malformed|not valid JSON/],
    ['oversized header', () => ({ authorization: `Bearer ${'a'.repeat(7000)}.${'b'.repeat(2000)}.c` }), /too large/],
    ['alg none', () => ({ authorization: `Bearer ${unsignedToken(userId)}` }), /unsigned/],
    ['HS256 signed with the wrong secret (same kid)', () => ({ authorization: `Bearer ${forgeToken(userId, { secret: 'an-attacker-secret-that-is-long-enough', kid: kidOf(token) })}` }), /signature is invalid/],
    ['HS256 signed with the wrong secret (own kid)', () => ({ authorization: `Bearer ${forgeToken(userId, { secret: 'an-attacker-secret-that-is-long-enough' })}` }), /unknown key/],
    ['expired', () => ({ authorization: `Bearer ${forgeToken(userId, { expiresInSeconds: -120 })}` }), /expired/],
    ['not yet valid', () => ({ authorization: `Bearer ${forgeToken(userId, { notBeforeSeconds: 3600 })}` }), /not yet valid/],
    ['wrong issuer', () => ({ authorization: `Bearer ${forgeToken(userId, { issuer: 'evil-idp' })}` }), /issuer/],
    ['wrong audience', () => ({ authorization: `Bearer ${forgeToken(userId, { audience: 'other-system' })}` }), /not meant for this service/],
    ['tampered payload', () => ({ authorization: `Bearer ${tamper(token)}` }), /signature is invalid/],
  ];

  for (const [name, headers, reason] of rejections) {
    it(`rejects ${name} with UNAUTHENTICATED and a clear reason`, async () => {
      await expectStatus(getDashboard(md(headers())), status.UNAUTHENTICATED, reason);
    });
  }

  it('ignores identity metadata a client sends to impersonate someone', async () => {
    const victim = '11111111-2222-4333-8444-555555555555';
    const m = bearer(token);
    for (const h of ['x-user-id', 'x-subject', 'x-principal', 'x-forwarded-user', 'user-id', 'sub']) m.set(h, victim);
    const res = await getDashboard(m);
    expect(res.userId).to.equal(userId);
    // And without a token, the same headers get nothing.
    const anonymous = md({ 'x-user-id': victim });
    await expectStatus(getDashboard(anonymous), status.UNAUTHENTICATED);
  });

  it('runs no handler for a rejected call: a refused CreateNote stores nothing', async () => {
    const attacker = forgeToken(userId, { secret: 'an-attacker-secret-that-is-long-enough', kid: kidOf(token) });
    await expectStatus(notes.createNote({ title: 'planted', body: '' }, { metadata: bearer(attacker) }), status.UNAUTHENTICATED);
    await expectStatus(notes.createNote({ title: 'planted', body: '' }, { metadata: bearer(forgeToken(userId, { expiresInSeconds: -60 })) }), status.UNAUTHENTICATED);
    const list = await notes.listNotes({ pageSize: 100, pageToken: '' }, { metadata: bearer(token) });
    expect(list.notes.map((n) => n.title)).not.to.include('planted');
  });

  it('logs one line per RPC with method, status, duration and subject, never the token', async () => {
    await getDashboard(bearer(token));
    await new Promise((r) => setTimeout(r, 100));
    const lines = sys.business.output.filter((l) => l.includes('/business.v1.DashboardService/GetDashboard'));
    const ok = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.code === 'OK');
    expect(ok).to.include({ sub: userId, method: '/business.v1.DashboardService/GetDashboard' });
    expect(ok!.ms).to.be.a('number');
    const refused = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.reason === 'expired');
    expect(refused).to.include({ code: 'UNAUTHENTICATED' });
    expect(sys.business.output.join('\n')).not.to.include(token.split('.')[2]);
  });
});

function kidOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
}

/** Swaps the payload for one naming another subject, keeping the original signature. */
function tamper(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  payload.sub = 'someone-else';
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}
