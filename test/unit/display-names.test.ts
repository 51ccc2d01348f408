import { expect } from 'chai';
import { pino } from 'pino';
import type { UserDirectoryClient } from '@grpc-token-auth/sdk';
import { DisplayNames, type IncomingCall } from '../../business-svc/upstream/display-names.js';

/** A UserDirectory that knows one user and counts its calls; `fail` makes it throw like an unreachable auth-svc. */
function fakeDirectory(fail = false): UserDirectoryClient & { calls: number } {
  const directory = {
    calls: 0,
    async getUser({ userId }: { userId: string }) {
      directory.calls++;
      if (fail) throw Object.assign(new Error('UNAVAILABLE'), { code: 14, details: 'down' });
      return { user: { userId, email: 'x@example.com', displayName: `name of ${userId}` } };
    },
  };
  return directory as unknown as UserDirectoryClient & { calls: number };
}

const caller = { getDeadline: () => Infinity } as unknown as IncomingCall;
const names = (client: UserDirectoryClient, cacheTtlMs = 60_000) =>
  new DisplayNames({ client, timeoutMs: 1000, cacheTtlMs, maxEntries: 10, log: pino({ level: 'silent' }) });

describe('DisplayNames', () => {
  it('asks auth-svc once, then answers from the cache', async () => {
    const client = fakeDirectory();
    const d = names(client);
    expect(await d.lookup('u1', caller)).to.equal('name of u1');
    expect(await d.lookup('u1', caller)).to.equal('name of u1');
    expect(client.calls).to.equal(1);
  });

  it('with the cache off (TTL 0) asks every time', async () => {
    const client = fakeDirectory();
    const d = names(client, 0);
    for (let i = 0; i < 3; i++) expect(await d.lookup('u1', caller)).to.equal('name of u1');
    expect(client.calls).to.equal(3);
  });

  it('answers undefined (degraded) when auth-svc fails, and caches nothing', async () => {
    const client = fakeDirectory(true);
    const d = names(client);
    expect(await d.lookup('u1', caller)).to.equal(undefined);
    expect(await d.lookup('u1', caller)).to.equal(undefined);
    expect(client.calls).to.equal(2);
  });
});
