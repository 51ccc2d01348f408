/**
 * business-svc exactly as it ships but for one piece: tokens are not verified, every call runs
 * as BENCH_SUBJECT (scripts/bench/accept-any-token.ts). Only `npm run bench` starts it, to
 * measure what verification costs; no switch in the services themselves turns verification off.
 */
import { authenticationInterceptor, createAuthenticate } from '@grpc-token-auth/server-kit';
import { loadBusinessConfig } from '../../business-svc/config.js';
import { BUSINESS_POLICIES, startBusinessServer } from '../../business-svc/server.js';
import { runService } from '../../lib/grpc/run-service.js';
import { acceptAnyToken } from './accept-any-token.js';

const subject = process.env.BENCH_SUBJECT ?? 'bench-user';

await runService('business-svc', {
  loadConfig: loadBusinessConfig,
  start: (config, log, registry, lineCap) => {
    log.warn(`benchmark build: TOKEN VERIFICATION IS OFF, every call runs as user "${subject}"`);
    const authentication = authenticationInterceptor(createAuthenticate(BUSINESS_POLICIES, acceptAnyToken(subject)), { log });
    return startBusinessServer(config, log, registry, lineCap, { authentication });
  },
});
