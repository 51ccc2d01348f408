import { runService } from '../lib/grpc/run-service.js';
import { createLogger } from '../lib/log/logger.js';
import { loadAuthConfig } from './config.js';
import { startAuthServer } from './server.js';

await runService('auth-svc', async () => {
  const config = loadAuthConfig();
  const log = createLogger('auth-svc', config.logLevel);
  for (const w of config.warnings) log.warn(w);
  const { server, close } = await startAuthServer(config, log);
  return { log, server, shutdownGraceMs: config.shutdownGraceMs, close };
});
