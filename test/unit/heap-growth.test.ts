import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from '../../lib/runtime/heap-growth.js';

describe('heap growth tuning', () => {
  it('applies the measured growing percent when the command line names none', () => {
    expect(heapGrowthFlag(['--max-old-space-size=256'])).to.equal(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(heapGrowthFlag([])).to.equal(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });

  it("leaves an operator's own choice alone", () => {
    expect(heapGrowthFlag(['--heap-growing-percent=50'])).to.equal(undefined);
    expect(heapGrowthFlag(['--heap-growing-percent', '50'])).to.equal(undefined);
    expect(heapGrowthFlag(['--heap-growing-percent-x=1'])).to.not.equal(undefined);
  });

  // setFlagsFromString ignores flags V8 does not know; the command line refuses them, so a
  // Node release that drops or renames the flag fails here instead of silently losing the tuning.
  it('names a flag this Node knows', () => {
    const run = spawnSync(process.execPath, [heapGrowthFlag([])!, '-e', ''], { encoding: 'utf8' });
    expect(run.stderr).to.equal('');
    expect(run.status).to.equal(0);
    const bogus = spawnSync(process.execPath, ['--heap-growing-percentage-bogus=1', '-e', ''], { encoding: 'utf8' });
    expect(bogus.status).to.not.equal(0);
  });
});
