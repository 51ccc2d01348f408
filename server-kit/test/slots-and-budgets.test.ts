import { expect } from 'chai';
import { BacklogBudget, KeyedSlots } from '../dist/internal.js';

describe('KeyedSlots', () => {
  it('caps per key and in all, says which cap refused, and gives slots back', () => {
    const slots = new KeyedSlots(3, 2);
    expect(slots.tryAcquire('a')).to.equal('ok');
    expect(slots.tryAcquire('a')).to.equal('ok');
    expect(slots.tryAcquire('a')).to.equal('key');
    expect(slots.tryAcquire('b')).to.equal('ok');
    expect(slots.tryAcquire('c')).to.equal('total');
    expect(slots.held).to.equal(3);
    slots.release('a');
    expect(slots.heldBy('a')).to.equal(1);
    expect(slots.tryAcquire('c')).to.equal('ok');
  });

  it('ignores a release for a key that holds nothing (no negative counts, no freed capacity)', () => {
    const slots = new KeyedSlots(1, 1);
    slots.release('ghost');
    expect(slots.tryAcquire('a')).to.equal('ok');
    expect(slots.tryAcquire('b')).to.equal('total');
  });
});

describe('BacklogBudget', () => {
  it('refuses what would exceed the cap and never goes below zero', () => {
    const budget = new BacklogBudget(100);
    expect(budget.tryTake(60)).to.equal(true);
    expect(budget.tryTake(41)).to.equal(false);
    expect(budget.tryTake(40)).to.equal(true);
    budget.give(150);
    expect(budget.bytes).to.equal(0);
  });
});
