import { WatchNotesResponse_Kind, type Note as NoteMessage } from '../../gen/business/v1/notes_service.js';
import type { ChangeKind } from '../store/note-store.js';
import type { Note } from '../store/note-store.js';

/** Domain note → protobuf message (owner is implicit: always the caller). */
export function toNoteMessage(n: Note): NoteMessage {
  return {
    id: n.id,
    title: n.title,
    body: n.body,
    createTime: new Date(n.createdAt),
    updateTime: new Date(n.updatedAt),
    version: n.version,
  };
}

export const CHANGE_KIND: Record<ChangeKind, WatchNotesResponse_Kind> = {
  created: WatchNotesResponse_Kind.KIND_CREATED,
  updated: WatchNotesResponse_Kind.KIND_UPDATED,
  deleted: WatchNotesResponse_Kind.KIND_DELETED,
};
