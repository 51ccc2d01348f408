import type { Note } from './note-store.js';

export type ChangeKind = 'created' | 'updated' | 'deleted';
export type ChangeListener = (kind: ChangeKind, note: Note) => void;

/** In-process fan-out of note changes to the owner's open WatchNotes streams. */
export class NoteChanges {
  private readonly byOwner = new Map<string, Set<ChangeListener>>();
  private readonly closers = new Set<() => void>();

  /** Returns the function that unsubscribes. `onClose` runs if the hub shuts down first. */
  subscribe(ownerId: string, listener: ChangeListener, onClose: () => void): () => void {
    let set = this.byOwner.get(ownerId);
    if (!set) this.byOwner.set(ownerId, (set = new Set()));
    set.add(listener);
    this.closers.add(onClose);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byOwner.delete(ownerId);
      this.closers.delete(onClose);
    };
  }

  publish(ownerId: string, kind: ChangeKind, note: Note): void {
    for (const listener of this.byOwner.get(ownerId) ?? []) listener(kind, note);
  }

  /** Ends every subscription (server shutdown), so draining does not wait on endless streams. */
  closeAll(): void {
    for (const close of [...this.closers]) close();
  }

  get subscriberCount(): number {
    return this.closers.size;
  }
}
