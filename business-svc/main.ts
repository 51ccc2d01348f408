import { runService } from '../lib/grpc/run-service.js';
import { openDatabase } from '../lib/sqlite/database.js';
import { loadBusinessConfig } from './config.js';
import { startBusinessServer } from './server.js';
import { BUSINESS_MIGRATIONS } from './store/migrations.js';

await runService('business-svc', {
  loadConfig: loadBusinessConfig,
  start: startBusinessServer,
  // Migrations once, before workers open the same SQLite file.
  prepare: async (config) => {
    openDatabase(config.dbPath, BUSINESS_MIGRATIONS).close();
  },
});
