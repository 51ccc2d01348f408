import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startSystem, type RunningSystem } from '../support/system.js';

const HEALTH_CHECK = fileURLToPath(new URL('../../scripts/health-check.js', import.meta.url));

/** The container HEALTHCHECK command: exit 0 only when the server answers SERVING. */
function healthCheck(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [HEALTH_CHECK, ...args], { env: { PATH: process.env.PATH } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

describe('health-check command (container HEALTHCHECK)', () => {
  let sys: RunningSystem;
  before(async () => {
    sys = await startSystem();
  });
  after(async () => sys?.stop());

  it('exits 0 for a serving server and for a served service name', async () => {
    expect(await healthCheck([sys.businessAddress])).to.include({ code: 0 });
    const named = await healthCheck([sys.authAddress, 'auth.v1.AuthService']);
    expect(named.code).to.equal(0);
    expect(named.out).to.include('SERVING');
  });

  it('exits non-zero for an unknown service and for nothing listening', async () => {
    expect((await healthCheck([sys.authAddress, 'no.such.Service'])).code).to.not.equal(0);
    await sys.business.stop();
    expect((await healthCheck([sys.businessAddress])).code).to.not.equal(0);
  });
});
