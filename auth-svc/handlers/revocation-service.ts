import type { RevocationServiceServer, RevokedSession } from '../../gen/auth/v1/revocation_service.js';
import type { RevokedSessionEntry } from '../../lib/authn/revocation-list.js';
import { serverStream } from '../../lib/grpc/handlers.js';
import { liveStream, type OpenStreams } from '../../lib/grpc/live-stream.js';
import type { Logger } from '../../lib/log/logger.js';
import type { Revoker } from '../sessions/revoker.js';

/** Revocations are tiny; a subscriber this far behind is broken and is cut off. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

/** auth.v1.RevocationService: a snapshot, then every revocation as it happens. */
export function revocationServiceHandlers({ revoker, streams, log }: { revoker: Revoker; streams: OpenStreams; log: Logger }): RevocationServiceServer {
  return {
    watchRevocations: serverStream(log, (_req, { principal, call }) =>
      liveStream(call, {
        principal,
        streams,
        maxBacklogBytes: MAX_BACKLOG_BYTES,
        attach: (send) => {
          // Same tick: nothing can be revoked between the snapshot and the subscription.
          send({ snapshot: true, revoked: revoker.snapshot().map(toMessage) });
          return revoker.subscribe((entries) => send({ snapshot: false, revoked: entries.map(toMessage) }));
        },
      }),
    ),
  };
}

function toMessage(e: RevokedSessionEntry): RevokedSession {
  return { sessionId: e.sessionId, forgetAfter: new Date(e.forgetAfter) };
}
