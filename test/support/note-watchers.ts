import { status } from '@grpc/grpc-js';
import { createNotesClient, type ClientError, type NotesClient, type ServerStream } from '@grpc-token-auth/sdk';
import type { WatchNotesResponse } from '../../gen/business/v1/notes_service.js';
import { bearer } from './grpc.js';

/** Each client its own connection (grpc-js shares them by default), so the cluster and replicas spread them. */
export const OWN_CONNECTION = { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } };

/** The log position a resume token holds (tests may look inside; clients must not). */
export function seqOf(resumeToken: string): number {
  return (JSON.parse(Buffer.from(resumeToken, 'base64url').toString('utf8')) as [string, number])[1];
}

/** What a test compares: one change as a watcher saw it. */
export interface SeenChange {
  readonly seq: number;
  readonly kind: number;
  readonly noteId: string;
  readonly version: number;
}

/**
 * A WatchNotes client as a careful application writes one: it lists first (for the
 * listing's watch token), then watches from that token, and when the stream fails (its
 * server died or shut down) reopens it on the next address with the last token it got,
 * so it misses nothing and sees nothing twice.
 */
export class ResumingWatcher {
  readonly seen: SeenChange[] = [];
  /** Addresses it reconnected to, in order. */
  readonly reconnects: string[] = [];
  readonly errors: string[] = [];
  private client: NotesClient | undefined;
  private stream: ServerStream<WatchNotesResponse> | undefined;
  private token = '';
  private turn = 0;
  private closed = false;

  constructor(
    private readonly addresses: readonly string[],
    private readonly accessToken: string,
  ) {}

  /** Resolves once the stream is open (headers received: the subscription is in place). */
  async open(): Promise<void> {
    const client = this.connect();
    this.token = (await client.listNotes({ pageSize: 1, pageToken: '' }, { metadata: bearer(this.accessToken) })).watchResumeToken;
    await this.watch();
  }

  get address(): string {
    return this.addresses[this.turn % this.addresses.length]!;
  }

  close(): void {
    this.closed = true;
    this.stream?.cancel();
    this.client?.close();
  }

  private connect(): NotesClient {
    this.client?.close();
    this.client = createNotesClient(this.address, OWN_CONNECTION);
    return this.client;
  }

  private watch(): Promise<void> {
    const stream = this.client!.watchNotes({ resumeToken: this.token }, { metadata: bearer(this.accessToken) });
    this.stream = stream;
    let opened = false;
    void (async () => {
      try {
        for await (const e of stream) {
          this.seen.push({ seq: seqOf(e.resumeToken), kind: e.kind, noteId: e.note!.id, version: e.note!.version });
          this.token = e.resumeToken;
        }
      } catch (err) {
        const e = err as ClientError;
        if (this.closed || e.code === status.CANCELLED) return;
        this.errors.push(`${status[e.code]}: ${e.details}`);
        if (opened) void this.reopenElsewhere();
      }
    })();
    return stream.headers.then(() => {
      opened = true;
    });
  }

  /** The next address, again and again (briefly apart) until one takes the stream; gives up after ~5 s. */
  private async reopenElsewhere(): Promise<void> {
    for (let attempt = 0; attempt < 100 && !this.closed; attempt++) {
      this.turn++;
      this.connect();
      try {
        await this.watch();
        this.reconnects.push(this.address);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}
