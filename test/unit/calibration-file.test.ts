// models/calibration.json has one schema (core/matching/calibrationFile.ts): what `npm run calibrate`
// writes (calibrationText) is what the app reads back whole (readCalibration), a file without a
// threshold is refused, and a per-decision section whose tail has more scores than rates is dropped
// with the reason, the rest of the file still read; the writer refuses to write either.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrationSchema, calibrationText, readCalibration, type Calibration } from '../../core/matching/calibrationFile';
import { fitTail } from '../../core/matching/levels';
import { seededRandom } from '../../native-train/prng';
import { repoRoot } from '../support/shared';

/** A calibration in the shape the writer builds (test/eval/calibrate.ts), from synthetic scores. */
function written(): Calibration {
  const rand = seededRandom(21);
  const n = 100_000;
  const tail = (probes: number) => fitTail(Float64Array.from({ length: n }, () => 0.2 * rand() - 0.05).sort().reverse(), n, probes);
  const level = (fmr: number, threshold: number) => ({ fmr, threshold, fnmr: 0.02, fnmrPairs: 0.01, impostorMatches: 8, genuineNonMatches: 20 });
  return {
    modelId: 'test-embedder',
    thresholds: { '1e-3': 0.34, '1e-4': 0.42, '1e-5': 0.49 },
    levels: { '1e-3': level(1e-3, 0.34), '1e-4': level(1e-4, 0.42), '1e-5': level(1e-5, 0.49) },
    genuineCount: 1000,
    impostorCount: n,
    lfw: { view: 2, pairs: 6000, accuracy: 0.99, accuracyStd: 0.005, auc: 0.998, tarAtFar1e3: 0.97, command: 'npm run eval:lfw -- --view 2' },
    decisions: {
      version: 1,
      impostor: [tail(1), tail(5)],
      genuine: [{ probes: 1, templates: 1, attempts: 100, people: 10, from: 0, step: 0.5, below: [0, 0.1, 1] }],
      provenance: { synthetic: true },
    },
    provenance: { command: 'npm run calibrate' },
  };
}

describe('the calibration file schema', () => {
  it('reads back what the writer writes, per-decision section included', () => {
    const c = written();
    const read = readCalibration(JSON.parse(calibrationText(c)));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.file.decisionsProblem).toBeUndefined();
    expect(read.file.thresholds).toEqual(c.thresholds);
    expect(read.file.decisions?.impostor.map((t) => t.probes)).toEqual([1, 5]);
    expect(read.file.decisions?.impostor[0]?.scores).toEqual(c.decisions.impostor[0]?.scores);
  });

  it('the shipped file is in the shape the writer writes now', () => {
    const shipped: unknown = JSON.parse(readFileSync(join(repoRoot, 'models', 'calibration.json'), 'utf8'));
    expect(calibrationSchema.safeParse(shipped).error?.issues).toBeUndefined();
  });

  it('refuses a file missing a threshold, and the writer will not write one', () => {
    const c = written();
    const { '1e-4': _missing, ...thresholds } = c.thresholds;
    const read = readCalibration({ modelId: 'm', thresholds });
    expect(read).toEqual({ ok: false, problem: expect.stringContaining('thresholds.1e-4') });
    expect(() => calibrationText({ ...c, thresholds: thresholds as Calibration['thresholds'] })).toThrow(/thresholds\.1e-4.*nothing was written/);
  });

  it('drops a per-decision section whose tail has more scores than rates, and the writer will not write one', () => {
    const c = written();
    const tail = c.decisions.impostor[0]!;
    const uneven = { ...c, decisions: { ...c.decisions, impostor: [{ ...tail, rates: tail.rates.slice(1) }, ...c.decisions.impostor.slice(1)] } };
    const read = readCalibration(JSON.parse(JSON.stringify(uneven)));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.file.decisions).toBeUndefined();
    expect(read.file.decisionsProblem).toMatch(/malformed/);
    expect(read.file.thresholds).toEqual(c.thresholds);
    expect(() => calibrationText(uneven)).toThrow(/one rate per score.*nothing was written/);
  });

  it('still reads the older files: thresholds alone, or the first files\' top-level fnmr and lfwAccuracy', () => {
    const thresholds = { '1e-3': 0.3, '1e-4': 0.4, '1e-5': 0.5 };
    const read = readCalibration({ modelId: 'm', thresholds, fnmr: { '1e-3': 0.01 }, lfwAccuracy: 0.98 });
    expect(read).toMatchObject({ ok: true, file: { thresholds, fnmr: { '1e-3': 0.01 }, lfwAccuracy: 0.98, decisionsProblem: expect.stringMatching(/no per-decision section/) } });
  });
});
