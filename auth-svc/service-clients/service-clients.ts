import { randomUUID } from 'node:crypto';
import { scopeNamesProblem } from '@grpc-token-auth/server-kit/internal';
import type { Revoker } from '../sessions/revoker.js';
import type { ServiceClient, ServiceClientStore } from '../store/service-client-store.js';
import { newOpaqueSecret, opaqueSecretMatches } from '../tokens/opaque-secret.js';

const NAME_SHAPE = /^[a-z][a-z0-9-]{0,62}$/;
const AUDIENCE_SHAPE = /^[\x21-\x2b\x2d-\x7e]{1,100}$/;
/** Compared against when the client id is unknown, so both failures cost the same. */
const NO_SUCH_CLIENT_HASH = '0'.repeat(64);

/**
 * Service clients: the callers of the client-credentials exchange. Secrets are shown
 * once and stored hashed. Revoking a client revokes its `sid`, so tokens it already
 * holds stop working at every verifier, not only new issuance.
 */
export class ServiceClients {
  constructor(
    private readonly store: ServiceClientStore,
    private readonly revoker: Revoker,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `name` is also the audience the client's service serves (tokens sent to it have `aud` = name);
   * `audiences`: the services it may exchange those tokens for.
   */
  async create(name: string, scopes: readonly string[], audiences: readonly string[] = []): Promise<{ client: ServiceClient; secret: string }> {
    if (!NAME_SHAPE.test(name)) throw new Error('name must be lower-case letters, digits and dashes (at most 63)');
    const problem = scopeNamesProblem(scopes);
    if (problem) throw new Error(problem);
    const badAudience = audiences.find((a) => !AUDIENCE_SHAPE.test(a));
    if (badAudience !== undefined) throw new Error('audiences must be service names (1 to 100 visible characters, no comma)');
    const secret = newOpaqueSecret();
    const client: Omit<ServiceClient, 'revokedAt'> = {
      id: randomUUID(),
      name,
      secretHash: secret.hash,
      scopes: [...new Set(scopes)],
      audiences: [...new Set(audiences)],
      sessionId: randomUUID(),
      createdAt: this.now(),
    };
    await this.store.create(client);
    return { client: { ...client, revokedAt: null }, secret: secret.value };
  }

  /** A new secret; the old one stops working at once. */
  async rotateSecret(idOrName: string): Promise<{ client: ServiceClient; secret: string }> {
    const client = await this.require(idOrName);
    const secret = newOpaqueSecret();
    if (!(await this.store.replaceSecret(client.id, secret.hash))) throw new Error(`service client ${idOrName} is revoked`);
    return { client, secret: secret.value };
  }

  async revoke(idOrName: string): Promise<ServiceClient> {
    const client = await this.require(idOrName);
    if (await this.store.markRevoked(client.id, this.now())) await this.revoker.revoke([client.sessionId]);
    return client;
  }

  list(): Promise<ServiceClient[]> {
    return this.store.list();
  }

  /**
   * `ok` with the client when id and secret match and it is not revoked; constant-time either
   * way. A refusal names the client only when the id is one of ours (`known`), so a log line
   * about it never repeats what a caller typed (a secret pasted into the id field, say).
   */
  async authenticate(clientId: string, secret: string): Promise<{ ok: true; client: ServiceClient } | { ok: false; known: ServiceClient | undefined }> {
    const client = await this.store.findById(clientId);
    const matches = opaqueSecretMatches(secret, client?.secretHash ?? NO_SUCH_CLIENT_HASH);
    return client && matches && client.revokedAt === null ? { ok: true, client } : { ok: false, known: client };
  }

  /** A client that is not revoked, by id (for callers already authenticated another way: a bound token). */
  async active(clientId: string): Promise<ServiceClient | undefined> {
    const client = await this.store.findById(clientId);
    return client?.revokedAt === null ? client : undefined;
  }

  private async require(idOrName: string): Promise<ServiceClient> {
    const client = (await this.store.findById(idOrName)) ?? (await this.store.findByName(idOrName));
    if (!client) throw new Error(`no service client ${idOrName}`);
    return client;
  }
}
