import { status } from '@grpc/grpc-js';
import { WatchNotesResponse, type NotesServiceServer } from '../../gen/business/v1/notes_service.js';
import { GrpcError, invalidArgument, notFound, retryLater } from '../../lib/grpc/errors.js';
import { serverStream, unary } from '../../lib/grpc/handlers.js';
import { liveStream, type OpenStreams } from '@grpc-token-auth/server-kit';
import { limitText, pageSize, requireText, requireUuid } from '../../lib/grpc/validate.js';
import type { Logger } from '../../lib/log/logger.js';
import type { NoteWatchers, ResumeOutcome } from '../store/note-changes.js';
import type { NoteChange, NoteStore } from '../store/note-store.js';
import type { QuotaRefusal } from '../store/write-quota.js';
import { CHANGE_KIND, toNoteMessage } from './note-messages.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { decodeResumeToken, encodeResumeToken } from './resume-token.js';

export const NOTE_LIMITS = {
  titleChars: 200,
  bodyChars: 10_000,
  defaultPageSize: 20,
  maxPageSize: 100,
  /** What a resumed WatchNotes may replay: well inside the backlog a stream may have. */
  maxReplay: { maxChanges: 1000, maxBytes: 512 * 1024 },
} as const;

export interface NotesServiceDeps {
  readonly notes: NoteStore;
  /** This process's WatchNotes streams, fed from the change log. */
  readonly watchers: NoteWatchers;
  /** Open WatchNotes streams: capped, ended on revocation and shutdown. */
  readonly streams: OpenStreams;
  readonly maxNotesPerUser: number;
  readonly log: Logger;
}

export function notesServiceHandlers({ notes, watchers, streams, maxNotesPerUser, log }: NotesServiceDeps): NotesServiceServer {
  const logId = notes.changes.id;
  const toChangeMessage = (c: NoteChange) => ({
    kind: CHANGE_KIND[c.kind],
    note: toNoteMessage(c.note),
    resumeToken: encodeResumeToken({ logId, seq: c.seq }),
  });

  return {
    createNote: unary(log, async (req, { principal }) => {
      const title = requireText('title', req.title, 1, NOTE_LIMITS.titleChars);
      const body = limitText('body', req.body, NOTE_LIMITS.bodyChars);
      const outcome = await notes.create(principal.subject, title, body, maxNotesPerUser);
      if (outcome.kind === 'limit_reached') throw new GrpcError(status.RESOURCE_EXHAUSTED, `at most ${maxNotesPerUser} notes per user`);
      if (outcome.kind === 'over_quota') throw overQuota(outcome);
      return { note: toNoteMessage(outcome.note) };
    }),

    getNote: unary(log, async (req, { principal }) => {
      const note = await notes.get(principal.subject, requireUuid('id', req.id));
      if (!note) throw notFound('note');
      return { note: toNoteMessage(note) };
    }),

    listNotes: unary(log, async (req, { principal }) => {
      const size = pageSize(req.pageSize, NOTE_LIMITS.defaultPageSize, NOTE_LIMITS.maxPageSize);
      // Taken before the read: every change after it is either in the page or replayed from it.
      const watchFrom = watchers.delivered;
      const page = await notes.list(principal.subject, size, decodePageToken(req.pageToken));
      return {
        notes: page.notes.map(toNoteMessage),
        nextPageToken: page.next ? encodePageToken(page.next) : '',
        watchResumeToken: encodeResumeToken({ logId, seq: watchFrom }),
      };
    }),

    updateNote: unary(log, async (req, { principal }) => {
      const id = requireUuid('id', req.id);
      const title = req.title === undefined ? undefined : requireText('title', req.title, 1, NOTE_LIMITS.titleChars);
      const body = req.body === undefined ? undefined : limitText('body', req.body, NOTE_LIMITS.bodyChars);
      const outcome = await notes.patch(principal.subject, id, { title, body, expectedVersion: req.expectedVersion });
      switch (outcome.kind) {
        case 'not_found':
          throw notFound('note');
        case 'version_mismatch':
          throw new GrpcError(status.ABORTED, `note is at version ${outcome.current}, not ${req.expectedVersion}`);
        case 'over_quota':
          throw overQuota(outcome);
        case 'updated':
          return { note: toNoteMessage(outcome.note) };
      }
    }),

    deleteNote: unary(log, async (req, { principal }) => {
      if (!(await notes.delete(principal.subject, requireUuid('id', req.id)))) throw notFound('note');
      return {};
    }),

    watchNotes: serverStream(log, async (req, { principal, call }) => {
      // A resume reads the log before the stream opens, so every refusal is a clear status.
      const resumed = !req.resumeToken ? undefined : resumable(await resume(req.resumeToken, principal.subject));
      if (call.cancelled) return resumed?.cancel();
      try {
        return await liveStream(call, {
          principal,
          streams,
          messageType: WatchNotesResponse,
          attach: (send) => {
            const listener = (c: NoteChange) => send(toChangeMessage(c));
            return resumed ? resumed.start(listener) : watchers.watch(principal.subject, listener);
          },
        });
      } finally {
        resumed?.cancel();
      }
    }),
  };

  function resume(token: string, ownerId: string): Promise<ResumeOutcome> {
    const from = decodeResumeToken(token);
    if (from.logId !== logId) {
      throw new GrpcError(status.OUT_OF_RANGE, 'resume_token: is from another change log (the database was replaced); list the notes again and watch without it');
    }
    return watchers.resume(ownerId, from.seq, NOTE_LIMITS.maxReplay);
  }
}

/** Nothing was written: RESOURCE_EXHAUSTED with `retry-after-seconds`, like every throttle. */
function overQuota(refusal: QuotaRefusal): GrpcError {
  return refusal.limit === 'rate'
    ? retryLater('too many note writes per second for this user', refusal.retryAfterMs)
    : retryLater("this user's note storage is full (notes and recent changes); delete notes, room returns as changes age out", refusal.retryAfterMs);
}

function resumable(outcome: ResumeOutcome): Extract<ResumeOutcome, { kind: 'resumed' }> {
  switch (outcome.kind) {
    case 'resumed':
      return outcome;
    case 'too_old':
      throw new GrpcError(status.OUT_OF_RANGE, 'resume_token: the changes after it are no longer kept; list the notes again and watch from that listing');
    case 'too_far_behind':
      throw new GrpcError(status.OUT_OF_RANGE, 'resume_token: too many changes after it to replay; list the notes again and watch from that listing');
    case 'unknown_position':
      throw invalidArgument('resume_token', 'is not a token returned by WatchNotes or ListNotes');
  }
}
