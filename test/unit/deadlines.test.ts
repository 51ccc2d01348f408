import { expect } from 'chai';
import { downstreamDeadline } from '../../business-svc/upstream/deadlines.js';

describe('downstreamDeadline', () => {
  const now = 1_000_000;

  it('uses our own cap when the caller has no deadline', () => {
    expect(downstreamDeadline(Infinity, now, 300, 20)).to.equal(now + 300);
  });

  it('keeps a reserve before the caller\'s deadline so we can still answer', () => {
    expect(downstreamDeadline(now + 100, now, 300, 20)).to.equal(now + 80);
    expect(downstreamDeadline(new Date(now + 100), now, 300, 20)).to.equal(now + 80);
  });

  it('uses the cap when the caller allows more', () => {
    expect(downstreamDeadline(now + 10_000, now, 300, 20)).to.equal(now + 300);
  });

  it('gives up (undefined) when no useful time is left', () => {
    expect(downstreamDeadline(now + 20, now, 300, 20)).to.equal(undefined);
    expect(downstreamDeadline(now - 5, now, 300, 20)).to.equal(undefined);
  });
});
