// The local calibration check (core/matching/drift.ts) on real faces: the templates of 250 LFW people
// (View 1 test people, whom the decision tails never saw; 3 photos each where they have them) give
// cross-identity impostor pairs. Unshifted, the check stays quiet; the same photos through the
// "other camera" shift (greyscale, 90 px wide and back, 60% contrast: test/eval/shift-lfw.ts) make it
// warn and suggest higher thresholds. Plus the reader's fallback for a calibration file without the
// per-decision section.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECURITY_LEVELS } from '../../core/matching/calibration';
import { driftCheck, localImpostorScores } from '../../core/matching/drift';
import { loginThreshold, visitPromise } from '../../core/matching/levels';
import { calibrationFile, decisionsNote } from '../../electron/services/app/calibration';
import { embedLfwImages } from '../eval/embeddings';
import { embedShifted, shiftedPeople } from '../eval/shift-lfw';
import { hasLfw, noLfwReason, repoRoot, titled } from '../support/shared';

const shipped = calibrationFile(join(repoRoot, 'models', 'calibration.json'));
const PEOPLE = 250;

describe.skipIf(!hasLfw)(titled('drift check on LFW and on its shifted copy', hasLfw ? undefined : noLfwReason), () => {
  const people = hasLfw ? shiftedPeople(PEOPLE, 3) : [];
  const grouped = (templates: Map<string, Float32Array>) => people.flatMap((p, group) => p.images.map((path) => ({ group, vector: templates.get(path)! })));

  it('stays quiet on LFW', async () => {
    const c = shipped.current()!;
    const templates = await embedLfwImages(people.flatMap((p) => p.images));
    const check = driftCheck(localImpostorScores(grouped(templates)), c, c.thresholds);
    console.log(`LFW: ${check.message} ${JSON.stringify(check.test.rows.map((r) => [r.rate, r.observed, Number(r.expected.toFixed(1)), Number(r.p.toPrecision(2))]))}`);
    expect(check.test.rows.length).toBeGreaterThanOrEqual(2);
    expect(check.warn).toBe(false);
    expect(check.suggestedThresholds).toBeNull();
  }, 600_000);

  it('warns on the shifted copy and suggests higher thresholds', async () => {
    const c = shipped.current()!;
    const templates = await embedShifted(people.flatMap((p) => p.images));
    const check = driftCheck(localImpostorScores(grouped(templates)), c, c.thresholds);
    console.log(`shifted: ${check.message} ${JSON.stringify(check.test.rows.map((r) => [r.rate, r.observed, Number(r.expected.toFixed(1)), Number(r.p.toPrecision(2))]))}`);
    expect(check.warn).toBe(true);
    expect(check.shift).toBeGreaterThan(0);
    for (const l of SECURITY_LEVELS) {
      expect(check.suggestedThresholds![l]).toBeGreaterThan(c.thresholds[l]);
      expect(check.localRate[l]).toBeGreaterThan(check.expectedRate[l]);
    }
    // The shift carries into every decision's threshold.
    expect(loginThreshold({ ...c, localShift: check.shift }, '1e-4', 3, 3)).toBeGreaterThan(loginThreshold(c, '1e-4', 3, 3));
  }, 600_000);
});

describe('calibration file without the per-decision section', () => {
  it('falls back to per-comparison thresholds and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'levels-'));
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ modelId: 'm', thresholds: { '1e-3': 0.3, '1e-4': 0.4, '1e-5': 0.5 } }));
    const c = calibrationFile(old).current()!;
    expect(decisionsNote(c).perDecision).toBe(false);
    expect(decisionsNote(c).note).toMatch(/per comparison.*npm run calibrate/);
    expect(loginThreshold(c, '1e-4', 10, 3)).toBe(0.4);
    expect(visitPromise(c, '1e-3', 100, 300).perComparisonOnly).toBe(true);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ modelId: 'm', thresholds: { '1e-3': 0.3, '1e-4': 0.4, '1e-5': 0.5 }, decisions: { version: 1, impostor: 'no' } }));
    const b = calibrationFile(broken).current()!;
    expect(b.decisions).toBeUndefined();
    expect(decisionsNote(b).note).toMatch(/malformed/);
  });
});
