import type { Note } from './note-store.js';

export type ChangeKind = 'created' | 'updated' | 'deleted';
export type ChangeListener = (kind: ChangeKind, note: Note) => void;

/** In-process fan-out of note changes to the owner's open WatchNotes streams. */
export class NoteChanges {
  private readonly byOwner = new Map<string, Set<ChangeListener>>();

  /** Returns the function that unsubscribes. */
  subscribe(ownerId: string, listener: ChangeListener): () => void {
    let set = this.byOwner.get(ownerId);
    if (!set) this.byOwner.set(ownerId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byOwner.delete(ownerId);
    };
  }

  publish(ownerId: string, kind: ChangeKind, note: Note): void {
    for (const listener of this.byOwner.get(ownerId) ?? []) listener(kind, note);
  }
}
