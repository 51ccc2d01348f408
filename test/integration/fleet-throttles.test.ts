import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { SCOPES } from '@grpc-token-auth/server-kit';
import { provisionServiceClient, type ProvisionedClient } from '../../scripts/support/service-client-cli.js';
import { spawnService, type ServiceProcess } from '../../scripts/support/service-process.js';
import { attemptsBeforeRefusal, onNewConnection, parallelAttempts } from '../support/fleet-attempts.js';
import { SKIP_POSTGRES, sharedTestPostgres } from '../support/postgres.js';
import { rpcLogTimes } from '../support/replicas.js';
import { testEnv } from '../support/system.js';

/**
 * The brute-force limits hold for the fleet: auth-svc with one worker, with two (node:cluster gives
 * each new connection to the next worker), and as two replicas on one PostgreSQL, attacked from
 * outside with one new connection per attempt, let the same number of attempts through.
 */
const LIMITS = {
  LOGIN_MAX_ACCOUNT_FAILURES: '3',
  LOGIN_MAX_ADDRESS_FAILURES: '10',
  // Register at its documented defaults (5 at once per address), not the suite's raised ones.
  REGISTER_PER_ADDRESS_PER_HOUR: '',
  REGISTER_BURST_PER_ADDRESS: '',
  REGISTER_PER_MINUTE: '',
};
const EXPECTED = {
  wrongPasswords: 3, // LOGIN_MAX_ACCOUNT_FAILURES
  burstPasswordChecks: 3, // the same, for 10 guesses at once
  addressFailures: 10, // LOGIN_MAX_ADDRESS_FAILURES, over both accounts above and a spray
  registers: 5, // REGISTER_BURST_PER_ADDRESS's default
  wrongSecrets: 3, // the same policy, per client id
};
const password = 'correct-horse-battery-staple';

interface Fleet {
  readonly addresses: readonly string[];
  readonly processes: readonly ServiceProcess[];
  readonly client: ProvisionedClient;
  readonly dataDir: string;
}

async function startFleet(extra: NodeJS.ProcessEnv, replicas: number): Promise<Fleet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-throttles-'));
  const env = testEnv(dataDir, { ...LIMITS, ...extra });
  const processes: ServiceProcess[] = [];
  for (let i = 0; i < replicas; i++) processes.push(await spawnService('auth-svc', { env }));
  const client = await provisionServiceClient('fleet-probe', [SCOPES.usersRead], env);
  return { addresses: processes.map((p) => `127.0.0.1:${p.port}`), processes, client, dataDir };
}

async function stopFleet(fleet: Fleet | undefined): Promise<void> {
  if (!fleet) return;
  await Promise.all(fleet.processes.map((p) => p.stop()));
  rmSync(fleet.dataDir, { recursive: true, force: true });
}

/** Every limit, measured from outside in one order (all attempts come from 127.0.0.1, so address failures add up). */
async function measure({ addresses, client }: Fleet): Promise<typeof EXPECTED> {
  const [first] = addresses;
  const ok = await onNewConnection(first!, (auth) => auth.register({ email: 'victim@example.com', password, displayName: 'Victim' }));
  expect(status[ok]).to.equal('OK');
  const wrongPasswords = await attemptsBeforeRefusal(addresses, status.UNAUTHENTICATED, (auth) =>
    auth.login({ email: 'victim@example.com', password: 'wrong-password-guess' }),
  );
  const burst = await parallelAttempts(addresses, 10, (auth) => auth.login({ email: 'burst@example.com', password: 'wrong-password-guess' }));
  expect(Object.keys(burst).sort(), JSON.stringify(burst)).to.deep.equal(['RESOURCE_EXHAUSTED', 'UNAUTHENTICATED']);
  const sprayed = await attemptsBeforeRefusal(addresses, status.UNAUTHENTICATED, (auth, i) =>
    auth.login({ email: `spray-${i}@example.com`, password: 'password-spray-1' }),
  );
  // One Register went first (the victim's account).
  const registers = 1 + (await attemptsBeforeRefusal(addresses, status.OK, (auth, i) =>
    auth.register({ email: `new-${i}@example.com`, password, displayName: 'New' }),
  ));
  const wrongSecrets = await attemptsBeforeRefusal(addresses, status.UNAUTHENTICATED, (auth) =>
    auth.issueServiceToken({ clientId: client.id, clientSecret: 'not-the-secret' }),
  );
  return {
    wrongPasswords,
    burstPasswordChecks: burst.UNAUTHENTICATED ?? 0,
    addressFailures: wrongPasswords + (burst.UNAUTHENTICATED ?? 0) + sprayed,
    registers,
    wrongSecrets,
  };
}

describe('throttles that hold for the fleet (real processes, one new connection per attempt)', function () {
  this.timeout(90_000);
  const measured: Record<string, typeof EXPECTED> = {};
  after(() => console.log(`      attempts before the first refusal: ${JSON.stringify(measured)}`));

  it('WORKERS=1 (SQLite): each limit lets exactly its configured number through', async () => {
    let fleet: Fleet | undefined;
    try {
      fleet = await startFleet({ WORKERS: '1' }, 1);
      measured['WORKERS=1'] = await measure(fleet);
      expect(measured['WORKERS=1']).to.deep.equal(EXPECTED);
    } finally {
      await stopFleet(fleet);
    }
  });

  it('WORKERS=2 (SQLite): the same numbers, with both workers serving the attempts', async () => {
    let fleet: Fleet | undefined;
    try {
      fleet = await startFleet({ WORKERS: '2' }, 1);
      measured['WORKERS=2'] = await measure(fleet);
      const workers = new Set(
        fleet.processes[0]!.output.filter((l) => l.includes('"msg":"rpc"') && l.includes('/Login')).map((l) => (JSON.parse(l) as { worker: number }).worker),
      );
      expect(workers.size, 'Logins served by both workers').to.equal(2);
      expect(measured['WORKERS=2']).to.deep.equal(EXPECTED);
    } finally {
      await stopFleet(fleet);
    }
  });

  (SKIP_POSTGRES ? it.skip : it)('two replicas on one PostgreSQL, attempts alternating between them: the same numbers', async () => {
    let fleet: Fleet | undefined;
    try {
      const databaseUrl = await (await sharedTestPostgres()).createDatabase();
      fleet = await startFleet({ DATABASE_URL: databaseUrl }, 2);
      measured['2 replicas'] = await measure(fleet);
      for (const replica of fleet.processes) {
        expect(rpcLogTimes(replica.output, '/auth.v1.AuthService/Login').length, 'each replica served Logins').to.be.greaterThan(2);
      }
      expect(measured['2 replicas']).to.deep.equal(EXPECTED);
    } finally {
      await stopFleet(fleet);
    }
  });
});
