import { Metadata } from '@grpc/grpc-js';
import { createNotesClient, type ServerStream } from '@grpc-token-auth/sdk';
import type { WatchNotesResponse } from '../../gen/business/v1/notes_service.js';

export interface FanoutSpec {
  readonly address: string;
  readonly token: string;
  /** WatchNotes streams, each on a connection of its own (so a cluster spreads them over its workers). */
  readonly watchers: number;
  /** Notes created one after another, `gapMs` apart, on one more connection. */
  readonly writes: number;
  readonly gapMs: number;
}

export interface FanoutResult {
  readonly watchers: number;
  readonly writes: number;
  /** Write sent → change received, over every (write, watcher) pair. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Deliveries that never came (should be 0). */
  readonly missing: number;
}

const OWN_CONNECTION = { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } };
const SETTLE_MS = 5000;

/** WatchNotes fan-out latency: from just before CreateNote is sent to each watcher's receipt of the change. */
export async function measureFanout(spec: FanoutSpec): Promise<FanoutResult> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${spec.token}`);
  const prefix = `fanout ${Date.now()} `;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const clients = Array.from({ length: spec.watchers + 1 }, () => createNotesClient(spec.address, OWN_CONNECTION));
  const writer = clients[spec.watchers]!;
  const streams: ServerStream<WatchNotesResponse>[] = [];
  const failures: unknown[] = [];
  try {
    await Promise.all(
      clients.slice(0, spec.watchers).map((client) => {
        const stream = client.watchNotes({}, { metadata });
        streams.push(stream);
        void (async () => {
          for await (const e of stream) {
            const sent = e.note && sentAt.get(e.note.title);
            if (sent !== undefined) latencies.push(performance.now() - sent);
          }
        })().catch((err: { code?: number }) => (err.code === 1 ? undefined : failures.push(err))); // 1 = CANCELLED, ours
        return stream.headers;
      }),
    );
    for (let i = 0; i < spec.writes; i++) {
      const title = `${prefix}${i}`;
      sentAt.set(title, performance.now());
      await writer.createNote({ title, body: '' }, { metadata });
      await new Promise((r) => setTimeout(r, spec.gapMs));
    }
    if (failures.length > 0) throw failures[0];
    const expected = spec.watchers * spec.writes;
    const until = performance.now() + SETTLE_MS;
    while (latencies.length < expected && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
    return { watchers: spec.watchers, writes: spec.writes, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1] ?? NaN, missing: expected - latencies.length };
  } finally {
    for (const s of streams) s.cancel();
    for (const c of clients) c.close();
  }
}
