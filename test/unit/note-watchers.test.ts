import { expect } from 'chai';
import { LocalChangeFeed } from '../../lib/changes/change-feed.js';
import { NoteWatchers } from '../../business-svc/store/note-changes.js';
import type { ChangeBatch, ChangeLog, NoteChange, NoteChannel } from '../../business-svc/store/note-store.js';

/** An in-memory change log whose reads can be held back, to interleave them with appends. */
class FakeLog implements ChangeLog {
  readonly id = '0123456789abcdef';
  readonly entries: NoteChange[] = [];
  purgedThrough = 0;
  /** While set, reads wait for it (the read's snapshot is taken when it is released). */
  gate: Promise<void> | undefined;

  append(ownerId: string, title: string, body = ''): NoteChange {
    const seq = (this.entries[this.entries.length - 1]?.seq ?? this.purgedThrough) + 1;
    const change: NoteChange = {
      seq,
      kind: 'created',
      note: { id: `n${seq}`, ownerId, title, body, createdAt: seq, updatedAt: seq, version: 1 },
    };
    this.entries.push(change);
    return change;
  }

  async read(after: number, limit: number, ownerId?: string): Promise<ChangeBatch> {
    await this.gate;
    const high = this.entries[this.entries.length - 1]?.seq ?? this.purgedThrough;
    const rows = this.entries.filter((c) => c.seq > after && (ownerId === undefined || c.note.ownerId === ownerId)).slice(0, limit);
    return { changes: rows, position: rows.length === limit && limit > 0 ? rows[rows.length - 1]!.seq : high, purgedThrough: this.purgedThrough };
  }

  async purge(): Promise<number> {
    return 0;
  }
}

const LIMITS = { maxChanges: 10, maxBytes: 100_000 };
const titles = (changes: readonly NoteChange[]) => changes.map((c) => c.note.title);

describe('NoteWatchers (one process, fed from the change log)', () => {
  let log: FakeLog;
  let feed: LocalChangeFeed<NoteChannel>;
  let watchers: NoteWatchers;
  const signal = async () => {
    feed.emit('note_changes');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  };

  beforeEach(async () => {
    log = new FakeLog();
    log.append('alice', 'before start');
    feed = new LocalChangeFeed();
    watchers = await NoteWatchers.open(log, feed, 60_000, (err) => expect.fail(String(err)));
  });
  afterEach(() => watchers.stop());

  it('starts after what the log held, and gives each watcher its owner\'s changes once, in order', async () => {
    const alice: NoteChange[] = [];
    const bob: NoteChange[] = [];
    watchers.watch('alice', (c) => alice.push(c));
    watchers.watch('bob', (c) => bob.push(c));
    log.append('alice', 'a1');
    log.append('bob', 'b1');
    log.append('alice', 'a2');
    await signal();
    await signal(); // a second signal reads nothing new
    expect(titles(alice)).to.deep.equal(['a1', 'a2']);
    expect(titles(bob)).to.deep.equal(['b1']);
    expect(watchers.delivered).to.equal(4);
  });

  it('resume: live changes read while the replay is read are held, then follow it without repeats', async () => {
    log.append('alice', 'a1');
    await signal();
    let release!: () => void;
    log.gate = new Promise((r) => (release = r));
    const resuming = watchers.resume('alice', 1, LIMITS);
    log.append('alice', 'a2'); // in the replay, and read by the process too: held, then skipped
    const processRead = watchers['readNew']();
    release();
    log.gate = undefined;
    await processRead;
    const outcome = await resuming;
    log.append('alice', 'a3'); // after the replay's read: only the process reads it, held until start
    await watchers['readNew']();
    expect(outcome.kind).to.equal('resumed');
    if (outcome.kind !== 'resumed') return;
    const heard: NoteChange[] = [];
    const stop = outcome.start((c) => heard.push(c));
    log.append('alice', 'a4'); // live
    await signal();
    stop();
    expect(titles(heard)).to.deep.equal(['a1', 'a2', 'a3', 'a4']);
  });

  it('resume: refuses when more live changes arrive during the replay than it may hold', async () => {
    let release!: () => void;
    log.gate = new Promise((r) => (release = r));
    const resuming = watchers.resume('alice', 1, { maxChanges: 2, maxBytes: 100_000 });
    for (let i = 0; i < 3; i++) log.append('alice', `burst ${i}`);
    release();
    log.gate = undefined;
    await signal();
    expect((await resuming).kind).to.equal('too_far_behind');
  });

  it('resume: refuses purged, unknown and oversized positions, and a refused resume holds nothing', async () => {
    log.append('alice', 'big', 'x'.repeat(5000));
    expect((await watchers.resume('alice', 99, LIMITS)).kind).to.equal('unknown_position');
    expect((await watchers.resume('alice', 0, { maxChanges: 10, maxBytes: 1000 })).kind).to.equal('too_far_behind');
    log.purgedThrough = 1;
    expect((await watchers.resume('alice', 0, LIMITS)).kind).to.equal('too_old');
    expect(watchers['byOwner'].size, 'refused watchers are gone').to.equal(0);
  });
});
