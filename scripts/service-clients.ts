/**
 * `npm run service-clients -- <command>`: manage the services that may obtain service
 * tokens (client-credentials exchange). Run it where auth-svc's database lives, with the
 * same environment; a running auth-svc sees changes within a second.
 *
 *   create <name> --scopes users.read,revocations.watch [--audiences a,b]
 *                                                         prints the client id and secret (shown once); --audiences:
 *                                                         the services it may exchange users' tokens for (ExchangeToken)
 *   list                                                  id, name, scopes, state
 *   rotate-secret <id|name>                                new secret (shown once); the old one stops working
 *   revoke <id|name>                                       refuses new tokens and revokes the ones it holds
 *
 * `--json` prints machine-readable output; `--create` allows a database that does not exist yet.
 */
import { tokenAcceptanceWindowMs } from '../auth-svc/config.js';
import { ServiceClients } from '../auth-svc/service-clients/service-clients.js';
import { Revoker } from '../auth-svc/sessions/revoker.js';
import type { ServiceClient } from '../auth-svc/store/service-client-store.js';
import { KNOWN_SCOPES } from '@grpc-token-auth/server-kit/internal';
import { runAdminCommand } from './support/admin-command.js';

const USAGE = `usage: service-clients create <name> --scopes a,b [--audiences x,y] | list | rotate-secret <id|name> | revoke <id|name> [--json] [--create]
scopes: ${KNOWN_SCOPES.join(', ')}`;

await runAdminCommand({ name: 'service-clients', usage: USAGE, options: { scopes: { type: 'string', default: '' }, audiences: { type: 'string', default: '' } } }, async ({ values, positionals, config, store, print }) => {
  const [command, target] = positionals;
  const clients = new ServiceClients(store.serviceClients, await Revoker.open(store.revocations, tokenAcceptanceWindowMs(config)));
  const describe = (c: ServiceClient) => ({ id: c.id, name: c.name, scopes: c.scopes, audiences: c.audiences, revoked: c.revokedAt !== null });
  switch (command) {
    case 'create': {
      if (!target) throw new Error(USAGE);
      const scopes = String(values.scopes).split(',').map((s) => s.trim()).filter(Boolean);
      const audiences = String(values.audiences).split(',').map((s) => s.trim()).filter(Boolean);
      const { client, secret } = await clients.create(target, scopes, audiences);
      print({ ...describe(client), secret }, `created ${client.name}\n  SERVICE_CLIENT_ID=${client.id}\n  SERVICE_CLIENT_SECRET=${secret}\n  scopes: ${client.scopes.join(' ') || '(none)'}\n  audiences: ${client.audiences.join(' ') || '(none)'}\nThe secret is shown only now.`);
      break;
    }
    case 'list': {
      const all = (await clients.list()).map(describe);
      print(all, all.map((c) => `${c.id}  ${c.name}  [${c.scopes.join(' ')}]${c.revoked ? '  REVOKED' : ''}`).join('\n') || '(no service clients)');
      break;
    }
    case 'rotate-secret': {
      if (!target) throw new Error(USAGE);
      const { client, secret } = await clients.rotateSecret(target);
      print({ ...describe(client), secret }, `new secret for ${client.name}\n  SERVICE_CLIENT_SECRET=${secret}\nThe old secret no longer works.`);
      break;
    }
    case 'revoke': {
      if (!target) throw new Error(USAGE);
      const client = await clients.revoke(target);
      print(describe(client), `revoked ${client.name}: no new tokens, and its current tokens are refused everywhere`);
      break;
    }
    default:
      throw new Error(USAGE);
  }
});
