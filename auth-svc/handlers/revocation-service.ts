import { liveStream, type OpenStreams, type RevokedSessionEntry } from '@grpc-token-auth/server-kit';
import { WatchRevocationsResponse, type RevocationServiceServer, type RevokedSession } from '../../gen/auth/v1/revocation_service.js';
import { serverStream } from '../../lib/grpc/handlers.js';
import type { Logger } from '../../lib/log/logger.js';
import type { Revoker } from '../sessions/revoker.js';

/** The first message is the whole snapshot (~50 bytes a revoked session): room for it and more. */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

/** auth.v1.RevocationService: a snapshot, then every revocation as it happens. */
export function revocationServiceHandlers({ revoker, streams, log }: { revoker: Revoker; streams: OpenStreams; log: Logger }): RevocationServiceServer {
  return {
    watchRevocations: serverStream(log, async (_req, { principal, call }) => {
      // Subscribed before the snapshot is read, so nothing revoked meanwhile is missed;
      // what arrives before the snapshot is sent waits behind it (repeats are harmless).
      const early: RevokedSessionEntry[] = [];
      let forward: ((entries: readonly RevokedSessionEntry[]) => void) | undefined;
      const unsubscribe = revoker.subscribe((entries) => (forward ? forward(entries) : early.push(...entries)));
      let snapshot: RevokedSessionEntry[];
      try {
        snapshot = await revoker.snapshot();
      } catch (err) {
        unsubscribe();
        throw err;
      }
      if (call.cancelled) return void unsubscribe(); // gone while we read
      return liveStream(call, {
        principal,
        streams,
        messageType: WatchRevocationsResponse,
        maxBacklogBytes: MAX_BACKLOG_BYTES,
        attach: (send) => {
          send({ snapshot: true, revoked: snapshot.map(toMessage) });
          if (early.length > 0) send({ snapshot: false, revoked: early.map(toMessage) });
          forward = (entries) => send({ snapshot: false, revoked: entries.map(toMessage) });
          return unsubscribe;
        },
      });
    }),
  };
}

function toMessage(e: RevokedSessionEntry): RevokedSession {
  return { sessionId: e.sessionId, forgetAfter: new Date(e.forgetAfter) };
}
