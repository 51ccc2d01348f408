import type { DashboardServiceServer } from '../../gen/business/v1/dashboard_service.js';
import { unary } from '../../lib/grpc/handlers.js';
import type { Logger } from '../../lib/log/logger.js';
import type { DisplayNames } from '../upstream/display-names.js';

export function dashboardServiceHandlers({ displayNames, log }: { displayNames: DisplayNames | undefined; log: Logger }): DashboardServiceServer {
  return {
    // Identity comes from the verified token; only the display name needs auth-svc, and
    // without it the dashboard still answers (degraded) within the caller's deadline.
    getDashboard: unary(log, async (_req, { principal, call }) => {
      const displayName = await displayNames?.lookup(principal.subject, call);
      return {
        message: `Welcome to your dashboard, ${displayName ?? `user ${principal.subject}`}`,
        userId: principal.subject,
        roles: [...principal.roles],
        displayName: displayName ?? '',
        degraded: displayName === undefined,
      };
    }),
  };
}
