import { status } from '@grpc/grpc-js';
import { WatchNotesResponse, type NotesServiceServer } from '../../gen/business/v1/notes_service.js';
import { GrpcError, notFound } from '../../lib/grpc/errors.js';
import { serverStream, unary } from '../../lib/grpc/handlers.js';
import { liveStream, type OpenStreams } from '../../lib/grpc/live-stream.js';
import { limitText, pageSize, requireText, requireUuid } from '../../lib/grpc/validate.js';
import type { Logger } from '../../lib/log/logger.js';
import type { NoteChanges } from '../store/note-changes.js';
import type { NoteStore } from '../store/note-store.js';
import { CHANGE_KIND, toNoteMessage } from './note-messages.js';
import { decodePageToken, encodePageToken } from './page-token.js';

export const NOTE_LIMITS = {
  titleChars: 200,
  bodyChars: 10_000,
  notesPerUser: 10_000,
  defaultPageSize: 20,
  maxPageSize: 100,
} as const;

export interface NotesServiceDeps {
  readonly notes: NoteStore;
  readonly changes: NoteChanges;
  /** Open WatchNotes streams: capped, ended on revocation and shutdown. */
  readonly streams: OpenStreams;
  readonly log: Logger;
}

export function notesServiceHandlers({ notes, changes, streams, log }: NotesServiceDeps): NotesServiceServer {
  return {
    createNote: unary(log, (req, { principal }) => {
      const title = requireText('title', req.title, 1, NOTE_LIMITS.titleChars);
      const body = limitText('body', req.body, NOTE_LIMITS.bodyChars);
      if (notes.count(principal.subject) >= NOTE_LIMITS.notesPerUser) {
        throw new GrpcError(status.RESOURCE_EXHAUSTED, `at most ${NOTE_LIMITS.notesPerUser} notes per user`);
      }
      return { note: toNoteMessage(notes.create(principal.subject, title, body)) };
    }),

    getNote: unary(log, (req, { principal }) => {
      const note = notes.get(principal.subject, requireUuid('id', req.id));
      if (!note) throw notFound('note');
      return { note: toNoteMessage(note) };
    }),

    listNotes: unary(log, (req, { principal }) => {
      const size = pageSize(req.pageSize, NOTE_LIMITS.defaultPageSize, NOTE_LIMITS.maxPageSize);
      const page = notes.list(principal.subject, size, decodePageToken(req.pageToken));
      return { notes: page.notes.map(toNoteMessage), nextPageToken: page.next ? encodePageToken(page.next) : '' };
    }),

    updateNote: unary(log, (req, { principal }) => {
      const id = requireUuid('id', req.id);
      const title = req.title === undefined ? undefined : requireText('title', req.title, 1, NOTE_LIMITS.titleChars);
      const body = req.body === undefined ? undefined : limitText('body', req.body, NOTE_LIMITS.bodyChars);
      const outcome = notes.patch(principal.subject, id, { title, body, expectedVersion: req.expectedVersion });
      switch (outcome.kind) {
        case 'not_found':
          throw notFound('note');
        case 'version_mismatch':
          throw new GrpcError(status.ABORTED, `note is at version ${outcome.current}, not ${req.expectedVersion}`);
        case 'updated':
          return { note: toNoteMessage(outcome.note) };
      }
    }),

    deleteNote: unary(log, (req, { principal }) => {
      if (!notes.delete(principal.subject, requireUuid('id', req.id))) throw notFound('note');
      return {};
    }),

    watchNotes: serverStream(log, (_req, { principal, call }) =>
      liveStream(call, {
        principal,
        streams,
        messageType: WatchNotesResponse,
        attach: (send) =>
          changes.subscribe(principal.subject, (kind, note) => send({ kind: CHANGE_KIND[kind], note: toNoteMessage(note) })),
      }),
    ),
  };
}
