/**
 * `npm run keys:rotate [-- --publish-ahead-seconds N]`: adds a new signing key to
 * auth-svc's database. It is published at once and signs N seconds later (default 120,
 * twice the verifiers' default refresh period), so no verifier meets an unknown kid.
 * The old key keeps verifying until every token it signed has expired, then is deleted.
 * Run it where auth-svc's database lives, with the same environment; auth-svc picks
 * the change up within a second, without a restart (every replica, with PostgreSQL: at once).
 */
import { parseArgs } from 'node:util';
import { loadAuthConfig, tokenAcceptanceWindowMs } from '../auth-svc/config.js';
import { openAuthStore } from '../auth-svc/store/index.js';
import { openKeyRing } from '../auth-svc/tokens/signing-setup.js';

const { values } = parseArgs({ options: { 'publish-ahead-seconds': { type: 'string', default: '120' } } });
const publishAhead = Number(values['publish-ahead-seconds']);
if (!Number.isInteger(publishAhead) || publishAhead < 0) {
  process.stderr.write('--publish-ahead-seconds must be a non-negative integer\n');
  process.exit(64);
}
const config = loadAuthConfig();
if (config.tokens.algorithm === 'HS256') {
  process.stderr.write('JWT_ALGORITHM=HS256 uses one shared secret: rotate it by changing JWT_SECRET everywhere\n');
  process.exit(64);
}
const store = await openAuthStore(config);
let kid: string;
try {
  kid = await openKeyRing(store.keys, config.tokens, tokenAcceptanceWindowMs(config)).rotate(publishAhead * 1000);
} finally {
  await store.close();
}
process.stdout.write(`new signing key ${kid}: published now, signs in ${publishAhead} s\n`);
