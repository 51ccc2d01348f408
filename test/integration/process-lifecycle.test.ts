import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createNotesClient } from '@grpc-token-auth/sdk';
import { spawnService } from '../../scripts/support/service-process.js';
import { bearer, collect, expectStatus } from '../support/grpc.js';
import { startSystem, testEnv } from '../support/system.js';
import { authSigningKey, forgeToken } from '../support/tokens.js';

describe('process lifecycle (real processes)', () => {
  it('drains on SIGTERM: open WatchNotes streams end with UNAVAILABLE and the process exits 0', async () => {
    const sys = await startSystem();
    const notes = createNotesClient(sys.businessAddress);
    const stream = notes.watchNotes({}, { metadata: bearer(forgeToken('watcher', { signWith: authSigningKey(sys.dataDir) })) });
    await stream.headers;
    const ended = expectStatus(collect(stream), status.UNAVAILABLE);
    const exit = sys.business.stop('SIGTERM');
    await ended;
    expect(await exit).to.equal(0);
    notes.close();
    await sys.stop();
  });

  for (const name of ['auth-svc', 'business-svc'] as const) {
    it(`${name} refuses to start in production with the dev secret or bad config, listing every problem`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
      try {
        const env = testEnv(dir, { NODE_ENV: 'production', JWT_ALGORITHM: 'HS256', JWT_SECRET: '', AUTH_PORT: 'nope', BUSINESS_PORT: '99999' });
        const err = await spawnService(name, { env }).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err?.message).to.match(/exited with code 78/);
        expect(err?.message).to.match(/JWT_SECRET must be set in production/);
        expect(err?.message).to.match(name === 'auth-svc' ? /AUTH_PORT must be an integer/ : /BUSINESS_PORT must be an integer/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a port already in use stops the start with one line that says so (exit 1, no stack)', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'port-'));
    try {
      const err = await spawnService('auth-svc', { env: testEnv(dir, { AUTH_METRICS_PORT: String(taken) }) }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.match(/exited with code 1/);
      expect(err?.message).to.match(/"msg":"could not start"/).and.match(/EADDRINUSE/);
      expect(err?.message, 'no stack trace').to.not.match(/\n\s+at /);
    } finally {
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
