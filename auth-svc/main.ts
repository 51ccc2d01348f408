import { runService } from '../lib/grpc/run-service.js';
import { createLogger } from '../lib/log/logger.js';
import { serveProcessMetrics } from '../lib/metrics/process-metrics.js';
import { loadAuthConfig } from './config.js';
import { startAuthServer } from './server.js';

await runService('auth-svc', async () => {
  const config = loadAuthConfig();
  const log = createLogger('auth-svc', config.logLevel);
  for (const w of config.warnings) log.warn(w);
  const metrics = await serveProcessMetrics('auth-svc', config.metrics, log);
  const { server, close } = await startAuthServer(config, log, metrics?.registry);
  return { log, server, shutdownGraceMs: config.shutdownGraceMs, close: async () => (await close(), await metrics?.close()) };
});
