import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { spawnService, type ServiceName } from '../../scripts/support/service-process.js';
import { testEnv } from '../support/system.js';

/** Starts `name` with `extra`; resolves with the start-up failure's message, or undefined if it started (then stopped). */
async function startFailure(name: ServiceName, extra: NodeJS.ProcessEnv): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'node-env-'));
  try {
    const started = await spawnService(name, { env: testEnv(dir, extra) }).then(
      (svc) => svc,
      (err: Error) => err.message,
    );
    if (typeof started === 'string') return started;
    await started.stop();
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// HS256 with no JWT_SECRET: the public dev default, which only production refuses.
const DEV_DEFAULTS = { JWT_ALGORITHM: 'HS256', JWT_SECRET: '' };

describe('production guards read NODE_ENV strictly (real processes)', () => {
  for (const name of ['auth-svc', 'business-svc'] as const) {
    for (const NODE_ENV of ['Production', 'PRODUCTION', 'production ', ' production\t']) {
      it(`${name} with NODE_ENV=${JSON.stringify(NODE_ENV)} applies production rules: the dev secret is refused (exit 78)`, async () => {
        const failure = await startFailure(name, { ...DEV_DEFAULTS, NODE_ENV });
        expect(failure).to.match(/exited with code 78/);
        expect(failure).to.match(/JWT_SECRET must be set in production/);
        expect(failure).not.to.match(/NODE_ENV must be one of/);
      });
    }

    for (const NODE_ENV of ['prod', 'staging']) {
      it(`${name} with NODE_ENV=${NODE_ENV} refuses to start (exit 78), naming NODE_ENV`, async () => {
        const failure = await startFailure(name, { ...DEV_DEFAULTS, NODE_ENV });
        expect(failure).to.match(/exited with code 78/);
        expect(failure).to.include(`NODE_ENV must be one of production, development, test or unset (got "${NODE_ENV}")`);
      });
    }

    it(`${name} with NODE_ENV=Development starts with the dev defaults (control)`, async () => {
      expect(await startFailure(name, { ...DEV_DEFAULTS, NODE_ENV: 'Development' })).to.equal(undefined);
    });
  }
});
