import { runService } from '../lib/grpc/run-service.js';
import { createLogger } from '../lib/log/logger.js';
import { loadBusinessConfig } from './config.js';
import { startBusinessServer } from './server.js';

await runService('business-svc', async () => {
  const config = loadBusinessConfig();
  const log = createLogger('business-svc', config.logLevel);
  for (const w of config.warnings) log.warn(w);
  const { server, close } = await startBusinessServer(config, log);
  return { log, server, shutdownGraceMs: config.shutdownGraceMs, close };
});
