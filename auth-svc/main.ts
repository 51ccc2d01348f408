import { runService } from '../lib/grpc/run-service.js';
import { loadAuthConfig, tokenAcceptanceWindowMs } from './config.js';
import { startAuthServer } from './server.js';
import { migrationFindings, openAuthStore } from './store/index.js';
import { signingSetup } from './tokens/signing-setup.js';

await runService('auth-svc', {
  loadConfig: loadAuthConfig,
  start: startAuthServer,
  // Migrations and the first signing key, once, before workers start.
  prepare: async (config, log) => {
    const store = await openAuthStore(config, (err) => log.error({ err: err.message }, 'store error during set-up'), migrationFindings(log));
    const signing = await signingSetup(store, config.tokens, tokenAcceptanceWindowMs(config), () => {});
    signing.stop();
    await store.close();
  },
});
