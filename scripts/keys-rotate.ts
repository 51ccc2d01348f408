/**
 * `npm run keys:rotate [-- --publish-ahead-seconds N]`: adds a new signing key to
 * auth-svc's database. It is published at once and signs N seconds later (default 120,
 * twice the verifiers' default refresh period), so no verifier meets an unknown kid.
 * The old key keeps verifying until every token it signed has expired, then is deleted.
 * Run it where auth-svc's database lives, with the same environment; auth-svc picks
 * the change up within a second, without a restart (every replica, with PostgreSQL: at once).
 */
import { tokenAcceptanceWindowMs } from '../auth-svc/config.js';
import { openKeyRing } from '../auth-svc/tokens/signing-setup.js';
import { runAdminCommand } from './support/admin-command.js';

const USAGE = 'usage: keys:rotate [--publish-ahead-seconds N] [--create]';

await runAdminCommand(
  { name: 'keys:rotate', usage: USAGE, options: { 'publish-ahead-seconds': { type: 'string', default: '120' } } },
  async ({ values, config, store, print }) => {
    const publishAhead = Number(values['publish-ahead-seconds']);
    if (!Number.isInteger(publishAhead) || publishAhead < 0) throw new Error('--publish-ahead-seconds must be a non-negative integer');
    if (config.tokens.algorithm === 'HS256') throw new Error('JWT_ALGORITHM=HS256 uses one shared secret: rotate it by changing JWT_SECRET everywhere');
    const kid = await openKeyRing(store.keys, config.tokens, tokenAcceptanceWindowMs(config)).rotate(publishAhead * 1000);
    print({ kid, publishAheadSeconds: publishAhead }, `new signing key ${kid}: published now, signs in ${publishAhead} s`);
  },
);
