import { expect } from 'chai';
import { coalesced } from '../../lib/async/coalesced-run.js';

/** A job whose runs the test finishes by hand, recording how many overlap. */
function controlledJob() {
  const finishers: (() => void)[] = [];
  let running = 0;
  let maxOverlap = 0;
  let runs = 0;
  const job = () =>
    new Promise<void>((resolve) => {
      runs++;
      running++;
      maxOverlap = Math.max(maxOverlap, running);
      finishers.push(() => {
        running--;
        resolve();
      });
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return { job, finishers, tick, stats: () => ({ runs, maxOverlap }) };
}

describe('coalesced (re-read jobs that must not overlap)', () => {
  it('never overlaps runs, and a burst of calls during a run costs one follow-up run', async () => {
    const c = controlledJob();
    const run = coalesced(c.job);
    const first = run();
    await c.tick();
    const burst = [run(), run(), run()];
    expect(burst[0]).to.equal(burst[2], 'the burst shares one promise');
    await c.tick();
    expect(c.stats()).to.deep.equal({ runs: 1, maxOverlap: 1 });
    c.finishers.shift()!();
    await first;
    await c.tick();
    expect(c.stats()).to.deep.equal({ runs: 2, maxOverlap: 1 });
    c.finishers.shift()!();
    await Promise.all(burst);
    expect(c.stats().runs).to.equal(2);
  });

  it('a failed run rejects its callers but not the next run', async () => {
    let fail = true;
    const run = coalesced(async () => {
      if (fail) throw new Error('db down');
    });
    let error: unknown;
    await run().catch((err: unknown) => (error = err));
    expect(String(error)).to.include('db down');
    fail = false;
    await run();
  });
});
