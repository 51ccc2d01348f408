import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createAuthClient, createDashboardClient } from '@grpc-token-auth/sdk';
import { within } from '../support/eventually.js';
import { expectStatus, md } from '../support/grpc.js';
import { startSystem, type RunningSystem } from '../support/system.js';

const DASHBOARD = '/business.v1.DashboardService/GetDashboard';

interface AuditLine {
  audit: string;
  method: string;
  principal: string;
  sub?: string;
  policy: string;
  rule: string;
  authorized: boolean;
  reason?: string;
}

const auditLines = (output: readonly string[]): AuditLine[] =>
  output.filter((l) => l.includes('"msg":"authz decision"')).map((l) => JSON.parse(l) as AuditLine);

/** A system with AUDIT_AUTHZ=`mode`; one good GetDashboard and one with a bad token; the audit lines business-svc wrote. */
async function auditOf(mode: string | undefined, extra: NodeJS.ProcessEnv = {}): Promise<{ sys: RunningSystem; token: string; good: () => Promise<void>; bad: () => Promise<void> }> {
  const sys = await startSystem({ ...(mode ? { AUDIT_AUTHZ: mode } : {}), ...extra });
  const auth = createAuthClient(sys.authAddress);
  await auth.register({ email: 'audrey@example.com', password: 'correct-horse-battery-staple', displayName: 'Audrey' });
  const token = (await auth.login({ email: 'audrey@example.com', password: 'correct-horse-battery-staple' })).accessToken;
  auth.close();
  const dashboard = createDashboardClient(sys.businessAddress);
  const stop = sys.stop.bind(sys);
  return {
    sys: { ...sys, stop: async () => (dashboard.close(), await stop()) },
    token,
    good: async () => void (await dashboard.getDashboard({}, { metadata: md({ authorization: `Bearer ${token}` }) })),
    bad: async () => void (await expectStatus(dashboard.getDashboard({}, { metadata: md({ authorization: `Bearer ${token.slice(0, -4)}AAAA` }) }), status.UNAUTHENTICATED)),
  };
}

describe('authorization audit lines, AUDIT_AUTHZ (real processes)', function () {
  this.timeout(30_000);

  it('by default (denials): a refused call writes one line with gRFC A59\'s fields and no token; an allowed call writes none', async () => {
    const { sys, token, good, bad } = await auditOf(undefined);
    try {
      await good();
      await bad();
      await within(2000, async () => auditLines(sys.business.output).length > 0, 'an audit line');
      const lines = auditLines(sys.business.output);
      expect(lines).to.have.length(1);
      expect(lines[0]).to.deep.include({ audit: 'authz', method: DASHBOARD, principal: 'anonymous', policy: 'business-svc', rule: 'user', authorized: false, reason: 'invalid_signature' });
      expect(sys.business.output.join('\n')).to.not.include(token.split('.')[2]!.slice(0, 20));
    } finally {
      await sys.stop();
    }
  });

  it('`all` writes allowed calls too, with the caller; `off` writes none', async () => {
    const all = await auditOf('all');
    try {
      await all.good();
      await within(2000, async () => auditLines(all.sys.business.output).some((l) => l.method === DASHBOARD), 'an audit line for the allowed call');
      const allowed = auditLines(all.sys.business.output).find((l) => l.method === DASHBOARD)!;
      expect(allowed).to.deep.include({ principal: 'user', policy: 'business-svc', rule: 'user', authorized: true });
      expect(allowed.sub).to.be.a('string');
      // auth-svc audits its own decisions: business-svc's service token calling GetUser.
      await within(2000, async () => auditLines(all.sys.auth.output).some((l) => l.method === '/auth.v1.UserDirectory/GetUser'), 'auth-svc\'s audit line');
      expect(auditLines(all.sys.auth.output).find((l) => l.method === '/auth.v1.UserDirectory/GetUser')).to.deep.include({
        principal: 'service',
        policy: 'auth-svc',
        rule: 'service(scope=users.read)',
        authorized: true,
      });
    } finally {
      await all.sys.stop();
    }
    const off = await auditOf('off');
    try {
      await off.good();
      await off.bad();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(auditLines(off.sys.business.output)).to.deep.equal([]);
      expect(off.sys.business.output.some((l) => l.includes('"msg":"rpc refused"')), 'the call was refused and logged as an rpc').to.equal(true);
    } finally {
      await off.sys.stop();
    }
  });

  it('is rate-limited with the handlers\' lines: a flood of refusals writes at most LOG_LINES_PER_SECOND of them, the rest counted', async () => {
    const { sys, bad } = await auditOf(undefined, { LOG_LINES_PER_SECOND: '5' });
    try {
      const started = performance.now();
      await Promise.all(Array.from({ length: 30 }, () => bad()));
      // The cap's one-second windows start at the first line capped, not at the flood: it may span two.
      const windows = Math.ceil((performance.now() - started) / 1000) + 1;
      await within(3000, async () => sys.business.output.some((l) => l.includes('log lines left out')), 'the dropped-lines report');
      expect(auditLines(sys.business.output).length).to.be.within(1, 5 * windows);
    } finally {
      await sys.stop();
    }
  });
});
