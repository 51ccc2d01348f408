/**
 * Pushes "something changed" from other processes (replicas, workers, admin commands).
 * Listeners re-read the tables (the source of truth); a push only says when. After a lost
 * connection every listener is called once, since pushes may have been missed meanwhile.
 */
export interface ChangeFeed<C extends string = string> {
  subscribe(channel: C, listener: () => void): () => void;
}

/**
 * Runs `reread` whenever the feed reports a change on `channel` and every `pollMs` in any
 * case (the only signal without a feed; a safety net otherwise). Failed reads go to
 * `onError` and are retried at the next signal. Returns what stops it. `reread` should be
 * `coalesced` so that signals arriving during a read cost one more read, not one each.
 */
export function followChanges<C extends string>(
  changes: ChangeFeed<C> | undefined,
  channel: C,
  pollMs: number,
  reread: () => Promise<void>,
  onError: (err: Error) => void,
): () => void {
  const check = () => void reread().catch(onError);
  const unsubscribe = changes?.subscribe(channel, check);
  const timer = setInterval(check, pollMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsubscribe?.();
  };
}

/** Listeners of this process, by channel: the in-process half of every feed. */
export class LocalChangeFeed<C extends string = string> implements ChangeFeed<C> {
  private readonly listeners = new Map<C, Set<() => void>>();

  subscribe(channel: C, listener: () => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Calls every listener of `channel` in this process. */
  emit(channel: C): void {
    for (const listener of [...(this.listeners.get(channel) ?? [])]) listener();
  }
}

/** One feed that reports what any of `feeds` reports. */
export function combinedFeed<C extends string>(...feeds: readonly ChangeFeed<C>[]): ChangeFeed<C> {
  return {
    subscribe(channel, listener) {
      const stops = feeds.map((f) => f.subscribe(channel, listener));
      return () => stops.forEach((stop) => stop());
    },
  };
}
