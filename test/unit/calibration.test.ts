// The shipped calibration (models/calibration.json) is what the app's security levels rest on:
// check its provenance, and that on a fixed 600-pair View 1 sample the false match and false
// non-match counts at the FMR 1e-3 threshold fall inside the binomial range it predicts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cosine } from '../../core/hypersphere';
import { binomialRange, SECURITY_LEVELS } from '../../core/matching/calibration';
import type { Calibration } from '../../core/matching/calibrationFile';
import manifest from '../../models/manifest.json';
import { embedLfwImages } from '../eval/embeddings';
import { readPairs } from '../eval/lfw-lists';
import { hasLfw, noLfwReason, repoRoot, titled } from '../support/shared';

const file = join(repoRoot, 'models', 'calibration.json');

function load(): Calibration {
  if (!existsSync(file)) throw new Error('models/calibration.json is missing: run "npm run calibrate"');
  return JSON.parse(readFileSync(file, 'utf8')) as Calibration;
}

describe('models/calibration.json', () => {
  it('belongs to the shipped embedder and rests on at least 2 million impostor comparisons', () => {
    const c = load();
    expect(c.modelId).toBe(manifest.models.embedder.modelId);
    expect(c.impostorCount).toBeGreaterThanOrEqual(2_000_000);
    expect(c.genuineCount).toBeGreaterThan(10_000);
    expect(c.provenance.command).toBe('npm run calibrate');
    // Stricter levels need higher cosines and give up more genuine matches.
    const [l3, l4, l5] = SECURITY_LEVELS.map((l) => c.levels[l]);
    expect(l3!.threshold).toBeLessThan(l4!.threshold);
    expect(l4!.threshold).toBeLessThan(l5!.threshold);
    expect(l3!.fnmr).toBeLessThanOrEqual(l4!.fnmr);
    expect(l4!.fnmr).toBeLessThanOrEqual(l5!.fnmr);
    for (const level of SECURITY_LEVELS) {
      expect(c.thresholds[level]).toBe(c.levels[level].threshold);
      expect(c.levels[level].impostorMatches).toBeLessThanOrEqual(Number(level) * c.impostorCount);
    }
  });

  describe.skipIf(!hasLfw)(titled('on a fixed 600-pair View 1 sample', hasLfw ? undefined : noLfwReason), () => {
    it('false matches and false non-matches at FMR 1e-3 fall in the predicted range', async () => {
      const c = load();
      const pairs = readPairs(1);
      // The first 300 matched and 300 mismatched pairs of pairsDevTest.txt (fold 1).
      const test = pairs.filter((p) => p.fold === 1);
      const sample = [...test.filter((p) => p.genuine).slice(0, 300), ...test.filter((p) => !p.genuine).slice(0, 300)];
      const templates = await embedLfwImages(sample.flatMap((p) => [p.a, p.b]));
      const threshold = c.thresholds['1e-3'];
      let falseMatches = 0;
      let falseNonMatches = 0;
      for (const p of sample) {
        const match = cosine(templates.get(p.a)!, templates.get(p.b)!) >= threshold;
        if (p.genuine && !match) falseNonMatches++;
        if (!p.genuine && match) falseMatches++;
      }
      const fmRange = binomialRange(300, c.levels['1e-3'].fmr);
      const fnmRange = binomialRange(300, c.levels['1e-3'].fnmr);
      console.log(`at cosine ${threshold.toFixed(3)}: ${falseMatches} false matches (range ${fmRange}), ${falseNonMatches} false non-matches (range ${fnmRange}) of 300 + 300`);
      expect(falseMatches).toBeGreaterThanOrEqual(fmRange[0]);
      expect(falseMatches).toBeLessThanOrEqual(fmRange[1]);
      expect(falseNonMatches).toBeGreaterThanOrEqual(fnmRange[0]);
      expect(falseNonMatches).toBeLessThanOrEqual(fnmRange[1]);
    }, 900_000); // a clean clone embeds ~1,100 LFW images here first (cached afterwards)
  });
});
