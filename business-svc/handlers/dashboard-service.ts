import type { DashboardServiceServer } from '../../gen/business/v1/dashboard_service.js';
import { unary } from '../../lib/grpc/handlers.js';
import type { Logger } from '../../lib/log/logger.js';

export function dashboardServiceHandlers({ log }: { log: Logger }): DashboardServiceServer {
  return {
    getDashboard: unary(log, (_req, { principal }) => ({
      message: `Welcome to your dashboard, user ${principal.subject}`,
      userId: principal.subject,
      roles: [...principal.roles],
    })),
  };
}
