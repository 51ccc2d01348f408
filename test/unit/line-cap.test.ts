import { expect } from 'chai';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { cappedLogger, LineCap } from '../../lib/log/line-cap.js';

describe('LineCap and cappedLogger', () => {
  it('lets perSecond lines through in each second, counts the rest and reports them once, at the end of their second', async () => {
    let now = 0;
    const reports: number[] = [];
    const cap = new LineCap(3, (left) => reports.push(left), () => now);
    expect(Array.from({ length: 5 }, () => cap.take())).to.deep.equal([true, true, true, false, false]);
    expect(cap.dropped).to.equal(2);
    now = 1000;
    expect(cap.take(), 'a new second').to.equal(true);
    await new Promise((r) => setTimeout(r, 1050)); // the report timer runs in real time
    expect(reports).to.deep.equal([2]);
  });

  it('caps every level and every child of a logger alike; a level that is off takes nothing from the cap', () => {
    const written: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (written.push(chunk.toString()), done()) });
    const log = pino({ level: 'info' }, sink);
    const cap = new LineCap(2, () => {});
    const capped = cappedLogger(log, cap);
    capped.debug('off: free');
    capped.warn('one');
    capped.child({ part: 'x' }).error('two');
    capped.info('three: dropped');
    expect(written.map((l) => (JSON.parse(l) as { msg: string }).msg)).to.deep.equal(['one', 'two']);
    expect(JSON.parse(written[1]!)).to.include({ part: 'x' });
    expect(cap.dropped).to.equal(1);
    expect(capped.isLevelEnabled('info')).to.equal(true);
  });
});
