import { runService } from '../lib/grpc/run-service.js';
import { loadBusinessConfig } from './config.js';
import { startBusinessServer } from './server.js';
import { openNoteStore } from './store/index.js';

await runService('business-svc', {
  loadConfig: loadBusinessConfig,
  start: startBusinessServer,
  // Migrations once, before workers open the same database.
  prepare: async (config, log) => {
    const store = await openNoteStore(config, (err) => log.error({ err: err.message }, 'store error during set-up'));
    await store.close();
  },
});
