// The two-thread first pass gives exactly the single-thread answer (and the plain float64 loop's),
// keeps working as the shared memory grows, and refuses an index it cannot share.
import { describe, expect, it } from 'vitest';
import { TemplateIndex } from '../../core/matching/templateIndex';
import { startTwoThreadFirstPass } from '../../electron/services/matcher/twoThreadFirstPass';
import { templateGenerator } from '../support/synthetic-templates';

const dim = 512;

const generator = (seed: number) => templateGenerator(seed, dim).raw;

describe('two-thread first pass', () => {
  it('matches the single-thread search and the float64 loop, across growth and removals', async () => {
    const vector = generator(21);
    const index = new TemplateIndex({ dim, initialCapacity: 256, shared: true, maxRows: 40_000 });
    for (let i = 0; i < 6000; i++) index.add(`o${i % 2500}`, `t${i}`, vector());
    const split = startTwoThreadFirstPass(index);
    if (typeof split === 'string') throw new Error(split);
    try {
      const check = () => {
        for (let q = 0; q < 10; q++) {
          const probe = vector();
          index.useScorer(split.score);
          const two = index.search(probe, 5);
          index.useScorer(undefined);
          const one = index.search(probe, 5);
          expect(two).toEqual(one);
          expect(two).toEqual(index.searchExact(probe, 5));
        }
      };
      check();
      // Growth moves the dots region and grows the shared memory under the running worker.
      for (let i = 6000; i < 20_000; i++) index.add(`o${i % 7000}`, `t${i}`, vector());
      for (let i = 0; i < 3000; i += 3) index.removeTemplate(`t${i}`);
      check();
    } finally {
      await split.close();
    }
  });

  it('says why it cannot split an index whose rows are not in shared memory', () => {
    expect(startTwoThreadFirstPass(new TemplateIndex({ dim }))).toMatch(/shared: true/);
    expect(startTwoThreadFirstPass(new TemplateIndex({ dim, firstPass: 'exact' }))).toMatch(/no int8 first pass/);
  });
});
