import { runService } from '../lib/grpc/run-service.js';
import { createLogger } from '../lib/log/logger.js';
import { serveProcessMetrics } from '../lib/metrics/process-metrics.js';
import { loadBusinessConfig } from './config.js';
import { startBusinessServer } from './server.js';

await runService('business-svc', async () => {
  const config = loadBusinessConfig();
  const log = createLogger('business-svc', config.logLevel);
  for (const w of config.warnings) log.warn(w);
  const metrics = await serveProcessMetrics('business-svc', config.metrics, log);
  const { server, close } = await startBusinessServer(config, log, metrics?.registry);
  return { log, server, shutdownGraceMs: config.shutdownGraceMs, close: async () => (await close(), await metrics?.close()) };
});
