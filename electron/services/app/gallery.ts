// What a security level promises for the gallery enrolled now, the threshold a kiosk visit uses, and
// the local calibration check (drift): the service's adapter over core/matching/levels.ts and the
// drift check. Gathering the gallery's own impostor scores (pairs across identities, cohort against
// the gallery) is host work: it walks the matcher's templates.
import { MAX_PROBES, securityLevels, VISIT_PROBES, type DriftStatus, type LevelPromise, type SecurityLevel } from '../../../core/contract/api';
import { driftCheck, localImpostorScores, type GroupedTemplate } from '../../../core/matching/drift';
import { loginPromise, visitPromise, visitSentence, visitThreshold as levelsVisitThreshold, type LevelsCalibration } from '../../../core/matching/levels';
import type { TemplateIndex } from '../../../core/matching/templateIndex';
import type { CalibrationFile } from '../../../core/matching/calibrationFile';

export interface Gallery {
  people: number;
  templates: number;
  /** Templates of the median person: a login attempt compares against one person's templates. */
  medianTemplates: number;
}

export function galleryOf(matcher: TemplateIndex): Gallery {
  const counts = matcher.identityIds().map((id) => matcher.templateIdsOf(id).length).sort((a, b) => a - b);
  return { people: counts.length, templates: matcher.size, medianTemplates: counts.length ? counts[Math.floor(counts.length / 2)]! : 0 };
}

/** Per-comparison thresholds (the calibration's, moved by the local shift when one is in force). */
export type Thresholds = Record<SecurityLevel, number>;

/** The calibration file as levels.ts reads it, with the local shift when the person chose local thresholds. */
export function levelsCalibration(c: CalibrationFile, localShift: number): LevelsCalibration {
  return { ...c, ...(localShift > 0 ? { localShift } : {}) };
}

/** The cosine a kiosk visit of `probes` fused frames must reach against this gallery. */
export function visitThreshold(c: LevelsCalibration, level: SecurityLevel, g: Gallery, probes: number): number {
  return levelsVisitThreshold(c, level, g.people, g.templates, Math.max(1, probes));
}

export function levelPromise(c: LevelsCalibration, level: SecurityLevel, g: Gallery): LevelPromise {
  const visit = visitPromise(c, level, g.people, g.templates, VISIT_PROBES);
  const login = loginPromise(c, level, MAX_PROBES, Math.max(1, g.medianTemplates));
  const sentence = g.people === 0 ? 'Nobody is enrolled yet, so no stranger can be taken for anyone.' : visitSentence(visit, g.people);
  return {
    level,
    visitThreshold: visit.threshold,
    visitFpir: visit.falseAccept ?? visit.target,
    visitFnir: visit.falseReject,
    loginFmr: login.falseAccept ?? login.target,
    loginFnmr: login.falseReject,
    expensive: visit.expensive,
    sentence: visit.expensive ? `${sentence} ${visit.expensiveBecause}` : sentence,
  };
}

export function promises(c: LevelsCalibration, g: Gallery): LevelPromise[] {
  return securityLevels.map((l) => levelPromise(c, l, g));
}

/** At most this many pairs are scored (evenly spread beyond it), so the check stays around a second. */
const MAX_PAIRS = 400_000;

/** The gallery's templates grouped by identity, and the cohort's faces as groups of their own. */
export function groupedTemplates(matcher: TemplateIndex, cohort: readonly Float32Array[] = []): GroupedTemplate[] {
  const items: GroupedTemplate[] = [];
  const owners = matcher.identityIds();
  owners.forEach((id, group) => {
    for (const t of matcher.templateIdsOf(id)) {
      const vector = matcher.templateVector(t);
      if (vector) items.push({ group, vector });
    }
  });
  cohort.forEach((vector, i) => items.push({ group: owners.length + i, vector, cohort: true }));
  return items;
}

/** The check (core/matching/drift.ts) as the screens state it, and the shift that holds the levels here (0 when quiet). */
export function driftStatus(c: LevelsCalibration, level: SecurityLevel, items: readonly GroupedTemplate[], usingLocal: boolean, now: number): { status: DriftStatus; localShift: number } {
  const check = driftCheck(localImpostorScores(items, MAX_PAIRS), c, c.thresholds);
  return {
    status: {
      warn: check.warn,
      pairs: check.pairs,
      localRate: check.pairs > 0 ? check.localRate[level] : null,
      expectedRate: check.expectedRate[level],
      suggestedThresholds: check.suggestedThresholds,
      usingLocal: usingLocal && check.warn,
      message: check.message,
      checkedAt: now,
    },
    localShift: check.warn ? check.shift : 0,
  };
}
