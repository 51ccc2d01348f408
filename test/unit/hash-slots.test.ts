import { expect } from 'chai';
import { HashSlots } from '../../auth-svc/passwords/hash-slots.js';

/** A task the test finishes by hand. */
function manual<T>(): { task: () => Promise<T>; started: () => boolean; resolve: (v: T) => void; reject: (e: Error) => void } {
  let started = false;
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { task: () => ((started = true), promise), started: () => started, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('HashSlots', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    const slots = new HashSlots(2);
    const tasks = [manual<number>(), manual<number>(), manual<number>(), manual<number>()];
    const results = tasks.map((t) => slots.run(t.task));
    await tick();
    expect(tasks.map((t) => t.started())).to.deep.equal([true, true, false, false]);
    expect(slots.queued).to.equal(2);
    tasks[1]!.resolve(1);
    await tick();
    expect(tasks.map((t) => t.started())).to.deep.equal([true, true, true, false]);
    tasks[0]!.resolve(0);
    tasks[2]!.resolve(2);
    await tick();
    expect(tasks[3]!.started()).to.equal(true);
    tasks[3]!.resolve(3);
    expect(await Promise.all(results)).to.deep.equal([0, 1, 2, 3]);
    expect(slots.queued).to.equal(0);
  });

  it('frees the slot when a task fails', async () => {
    const slots = new HashSlots(1);
    const [a, b] = [manual<string>(), manual<string>()];
    const failing = slots.run(a.task);
    const next = slots.run(b.task);
    a.reject(new Error('boom'));
    await failing.catch(() => undefined);
    await tick();
    expect(b.started()).to.equal(true);
    b.resolve('ok');
    expect(await next).to.equal('ok');
  });

  it('refuses a limit below 1', () => {
    expect(() => new HashSlots(0)).to.throw();
  });
});
