import cluster from 'node:cluster';
import { LocalChangeFeed, type ChangeFeed } from './change-feed.js';

/** What a worker sends the cluster primary, which relays it to every other worker. */
export interface ChangeSignal {
  readonly type: 'change-signal';
  readonly channel: string;
}

export function isChangeSignal(message: unknown): message is ChangeSignal {
  return typeof message === 'object' && message !== null && (message as ChangeSignal).type === 'change-signal';
}

/**
 * Announcements of this process's own writes, for stores that cannot push (SQLite):
 * listeners in this process hear `announce` at once and, in a node:cluster worker, every
 * other worker hears it through the primary (a few announcements in one tick cost one
 * message). Nothing is lost if a message is: listeners also poll the tables.
 */
export class ProcessChangeFeed<C extends string> implements ChangeFeed<C> {
  private readonly local = new LocalChangeFeed<C>();
  private readonly unsent = new Set<C>();
  private readonly onMessage = (message: unknown) => {
    if (isChangeSignal(message)) this.local.emit(message.channel as C);
  };

  constructor() {
    if (cluster.isWorker) process.on('message', this.onMessage);
  }

  subscribe(channel: C, listener: () => void): () => void {
    return this.local.subscribe(channel, listener);
  }

  announce(channel: C): void {
    this.local.emit(channel);
    if (!cluster.isWorker || this.unsent.has(channel)) return;
    this.unsent.add(channel);
    setImmediate(() => {
      this.unsent.delete(channel);
      // The callback swallows "channel closed" (the primary is gone: we are being stopped).
      if (process.connected) process.send?.({ type: 'change-signal', channel } satisfies ChangeSignal, undefined, undefined, () => {});
    });
  }

  close(): void {
    process.off('message', this.onMessage);
  }
}
