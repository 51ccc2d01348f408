import { status } from '@grpc/grpc-js';
import type { WatchNotesResponse } from '../../gen/business/v1/notes_service.js';
import { expect } from 'chai';
import { createAuthClient, createNotesClient, type AuthClient, type NotesClient, type ClientError, type ServerStream } from '@grpc-token-auth/sdk';
import { bearer } from '../support/grpc.js';
import { serviceClientsCli } from '../../scripts/support/service-client-cli.js';
import { startSystem, testEnv, type RunningSystem } from '../support/system.js';
import { within } from '../support/eventually.js';

/** Each client its own connection, so the cluster primary spreads the watchers over both workers. */
const OWN_CONNECTION = { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } };

/** An open WatchNotes and how it ended (undefined while open). */
function watch(client: NotesClient, token: string): { stream: ServerStream<WatchNotesResponse>; ended: () => ClientError | undefined; at: () => number } {
  const stream = client.watchNotes({}, { metadata: bearer(token) });
  let error: ClientError | undefined;
  let at = NaN;
  void (async () => {
    try {
      for await (const _ of stream);
    } catch (err) {
      error = err as ClientError;
      at = Date.now();
    }
  })();
  return { stream, ended: () => error, at: () => at };
}

describe('revocation ends open streams, on every worker (real processes, business-svc WORKERS=2)', function () {
  this.timeout(30_000);
  let sys: RunningSystem;
  let auth: AuthClient;
  let clients: NotesClient[];
  const password = 'open-streams-passphrase';
  let n = 0;

  before(async () => {
    sys = await startSystem({}, { business: { WORKERS: '2' } });
    auth = createAuthClient(sys.authAddress);
    clients = Array.from({ length: 4 }, () => createNotesClient(sys.businessAddress, OWN_CONNECTION));
  });
  after(async () => {
    auth?.close();
    for (const c of clients ?? []) c.close();
    await sys?.stop();
  });

  async function user(): Promise<{ email: string; login: () => Promise<{ accessToken: string }> }> {
    const email = `stream-${++n}@example.com`;
    await auth.register({ email, password, displayName: email });
    return { email, login: () => auth.login({ email, password }) };
  }

  /** Opens a watcher per client with `token`, waits until each is subscribed (headers came). */
  async function openWatchers(token: string) {
    const watchers = clients.map((c) => watch(c, token));
    await Promise.all(watchers.map((w) => w.stream.headers));
    return watchers;
  }

  async function expectAllEndedWithin1s(watchers: ReturnType<typeof watch>[], from: number): Promise<void> {
    await within(1000, async () => watchers.every((w) => w.ended() !== undefined), 'every open WatchNotes ended');
    for (const w of watchers) {
      expect(status[w.ended()!.code]).to.equal('UNAUTHENTICATED');
      expect(w.ended()!.details).to.match(/revoked/);
      expect(w.at() - from).to.be.below(1000);
    }
  }

  const workersWatching = () =>
    new Set(sys.business.output.filter((l) => l.includes('WatchNotes') && l.includes('"msg":"rpc"')).map((l) => (JSON.parse(l) as { worker: number }).worker));

  it('Logout ends every WatchNotes of that session within 1 s, whichever worker holds it; other sessions keep theirs', async () => {
    const u = await user();
    const [doomed, other] = [await u.login(), await u.login()];
    const watchers = await openWatchers(doomed.accessToken);
    const survivor = watch(clients[0]!, other.accessToken);
    await survivor.stream.headers;
    const t0 = Date.now();
    await auth.logout({}, { metadata: bearer(doomed.accessToken) });
    await expectAllEndedWithin1s(watchers, t0);
    // Their log lines come through the workers' stdout pipes, which may lag the statuses the clients got.
    await within(1000, async () => workersWatching().size === 2, 'the ended streams were spread over both workers');
    expect(survivor.ended()).to.equal(undefined);
    survivor.stream.cancel();
  });

  it('LogoutAll and ChangePassword end the streams of every session they revoke within 1 s', async () => {
    const u = await user();
    const a = await u.login();
    const watchersA = await openWatchers(a.accessToken);
    let t0 = Date.now();
    await auth.logoutAll({}, { metadata: bearer(a.accessToken) });
    await expectAllEndedWithin1s(watchersA, t0);

    const [keeper, victim] = [await u.login(), await u.login()];
    const watchersV = await openWatchers(victim.accessToken);
    t0 = Date.now();
    await auth.changePassword({ currentPassword: password, newPassword: 'another-long-passphrase' }, { metadata: bearer(keeper.accessToken) });
    await expectAllEndedWithin1s(watchersV, t0);
  });

  it('revoking a service client ends its open WatchRevocations within 1 s', async () => {
    const env = testEnv(sys.dataDir);
    const lost = () => sys.business.output.filter((l) => l.includes('revocation stream lost')).length;
    const before = lost();
    // The command writes to auth-svc's database; the running auth-svc picks it up and ends the
    // streams of that client (one per business-svc worker).
    await serviceClientsCli(['revoke', sys.serviceClient.id], env);
    await within(1000, async () => lost() >= before + 2, "both workers' revocation streams ended");
    const line = sys.business.output.filter((l) => l.includes('revocation stream lost')).at(-1)!;
    expect(line).to.match(/UNAUTHENTICATED|revoked/);
  });
});
