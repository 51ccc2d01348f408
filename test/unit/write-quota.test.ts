import { expect } from 'chai';
import { bytesRetryAfterMs, judgeWrite, rowBytes, updatedBytes, type OwnerUsage, type WriteQuota } from '../../business-svc/store/write-quota.js';

const QUOTA: WriteQuota = { maxBytes: 10_000, writesPerSecond: 4, writeBurst: 3, changesKeptMs: 61_000 };
const FRESH: OwnerUsage = { notes: 0, bytes: 0, writeTat: 0 };
const T = 1_700_000_000_000;

describe('write quota (pure rules)', () => {
  it('lets a burst through, then one write per 1/rate, and says how long to wait', () => {
    let usage = FRESH;
    for (let i = 0; i < 3; i++) {
      const j = judgeWrite(usage, { notes: 0, bytes: 1 }, QUOTA, T);
      if (!j.ok) throw new Error(`burst write ${i} refused`);
      usage = j.usage;
    }
    expect(judgeWrite(usage, { notes: 0, bytes: 1 }, QUOTA, T)).to.deep.equal({ ok: false, limit: 'rate', retryAfterMs: 250 });
    expect(judgeWrite(usage, { notes: 0, bytes: 1 }, QUOTA, T + 100)).to.deep.equal({ ok: false, limit: 'rate', retryAfterMs: 150 });
    expect(judgeWrite(usage, { notes: 0, bytes: 1 }, QUOTA, T + 250).ok).to.equal(true);
    // A long quiet spell refills the burst, no more.
    const later = judgeWrite(usage, { notes: 0, bytes: 1 }, QUOTA, T + 3_600_000);
    expect(later.ok && later.usage.writeTat).to.equal(T + 3_600_000 + 250);
  });

  it('refuses growth past the byte quota, but never a write that shrinks storage; notes are capped first', () => {
    const full: OwnerUsage = { notes: 2, bytes: 9_990, writeTat: 0 };
    expect(judgeWrite(full, { notes: 0, bytes: 10 }, QUOTA, T).ok, 'exactly at the quota').to.equal(true);
    expect(judgeWrite(full, { notes: 0, bytes: 11 }, QUOTA, T)).to.deep.equal({ ok: false, limit: 'bytes' });
    const over: OwnerUsage = { ...full, bytes: 50_000 }; // e.g. the quota was lowered
    expect(judgeWrite(over, { notes: 0, bytes: -5 }, QUOTA, T).ok).to.equal(true);
    expect(judgeWrite(full, { notes: 1, bytes: 5_000, maxNotes: 2 }, QUOTA, T)).to.deep.equal({ ok: false, limit: 'notes' });
  });

  it('waits for the oldest retained change to be purged, or a whole retention when none is', () => {
    expect(bytesRetryAfterMs(T - 1_000, QUOTA, T)).to.equal(60_000);
    expect(bytesRetryAfterMs(T - 100_000, QUOTA, T)).to.equal(0);
    expect(bytesRetryAfterMs(undefined, QUOTA, T)).to.equal(61_000);
  });

  it('counts UTF-8 bytes, the owner id and a fixed overhead per row', () => {
    expect(rowBytes('ab', 3, 4)).to.equal(256 + 2 + 3 + 4);
    expect(updatedBytes('ab', { titleBytes: 3, bodyBytes: 4 }, { body: '\u{1F600}€' })).to.equal(256 + 2 + 3 + 7);
    expect(updatedBytes('ab', { titleBytes: 3, bodyBytes: 4 }, { title: 'é' })).to.equal(256 + 2 + 2 + 4);
  });
});
