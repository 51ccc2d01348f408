import pg from 'pg';
import { LocalChangeFeed, type ChangeFeed } from '../changes/change-feed.js';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * LISTENs on one dedicated connection (a pooled one would be handed to queries) for the
 * NOTIFYs the schema's triggers send on `channels`. Connects on the first subscription;
 * when the connection drops it reconnects with backoff and then calls every listener
 * once, since notifications sent meanwhile are lost (listeners re-read the tables, so
 * nothing is).
 */
export class PgChangeFeed<C extends string> implements ChangeFeed<C> {
  private readonly local = new LocalChangeFeed<C>();
  private client: pg.Client | undefined;
  private connecting = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly channels: readonly C[],
    private readonly onError: (err: Error) => void,
  ) {}

  subscribe(channel: C, listener: () => void): () => void {
    const unsubscribe = this.local.subscribe(channel, listener);
    if (!this.client && !this.connecting && !this.retryTimer) void this.connect();
    return unsubscribe;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    this.connecting = true;
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => this.local.emit(msg.channel as C));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('change feed connection ended')));
    try {
      await client.connect();
      await client.query(this.channels.map((c) => `LISTEN ${c}`).join('; '));
      if (this.closed) return void (await client.end());
      this.client = client;
      this.retryMs = FIRST_RETRY_MS;
      // Whatever happened before we listened (or while we were disconnected) is read now.
      for (const channel of this.channels) this.local.emit(channel);
    } catch (err) {
      await client.end().catch(() => {});
      if (!this.closed) {
        this.onError(err as Error);
        this.retry();
      }
    } finally {
      this.connecting = false;
    }
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client) return; // a failed connect attempt or a duplicate event
    this.client = undefined;
    void client.end().catch(() => {});
    if (this.closed) return;
    this.onError(err);
    this.retry();
  }

  private retry(): void {
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}
