import pg from 'pg';
import type { ChangeChannel, ChangeFeed } from '../auth-store.js';

const CHANNELS: readonly ChangeChannel[] = ['revocations', 'keys_changed'];
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * LISTENs on one dedicated connection (a pooled one would be handed to queries) for the
 * NOTIFYs the schema's triggers send. Connects on the first subscription; when the
 * connection drops it reconnects with backoff and then calls every listener once, since
 * notifications sent meanwhile are lost (listeners re-read the tables, so nothing is).
 */
export class PgChangeFeed implements ChangeFeed {
  private readonly listeners = new Map<ChangeChannel, Set<() => void>>(CHANNELS.map((c) => [c, new Set()]));
  private client: pg.Client | undefined;
  private connecting = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly onError: (err: Error) => void,
  ) {}

  subscribe(channel: ChangeChannel, listener: () => void): () => void {
    this.listeners.get(channel)!.add(listener);
    if (!this.client && !this.connecting && !this.retryTimer) void this.connect();
    return () => this.listeners.get(channel)!.delete(listener);
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
    client.on('notification', (msg) => this.emit(msg.channel as ChangeChannel));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('change feed connection ended')));
    try {
      await client.connect();
      await client.query(CHANNELS.map((c) => `LISTEN ${c}`).join('; '));
      if (this.closed) return void (await client.end());
      this.client = client;
      this.retryMs = FIRST_RETRY_MS;
      // Whatever happened before we listened (or while we were disconnected) is read now.
      for (const channel of CHANNELS) this.emit(channel);
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

  private emit(channel: ChangeChannel): void {
    for (const listener of this.listeners.get(channel) ?? []) listener();
  }
}
