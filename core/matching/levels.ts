// Security levels per decision. A level is a target rate for a whole decision, not for one
// comparison: false accepts per login attempt (its fused probes against the claimed identity's best
// template) and strangers taken for someone per kiosk visit (the fused probe against every template
// enrolled now). The threshold of a decision comes from the impostor tail of one comparison between
// a fused probe of p photos and one template (measured on LFW, `npm run calibrate`), and the number
// of comparisons the decision makes:
//   P(best of n impostor scores >= t) <= 1 - (1 - F_p(t))^n
// Scores of one decision are positively dependent (one probe, templates of one person, look-alikes),
// which makes the independent-comparisons formula an upper bound: thresholds err on the safe side and
// eval:decisions measures by how much. Pure functions of counts, so they are recomputed on every
// enrolment or removal.
import type { SecurityLevel } from './calibration';
import type { CalibrationFile, DecisionCalibration, GenuineTable, ImpostorTail } from './calibrationFile';

/**
 * What the level functions read of models/calibration.json: the per-comparison thresholds (always
 * there) and, when calibrated, the decision tails. `localShift` (from driftCheck) moves every impostor
 * tail up by that cosine, so thresholds and promises hold on a camera whose impostor scores sit higher than LFW's.
 */
export type LevelsCalibration = Pick<CalibrationFile, 'thresholds' | 'decisions'> & { localShift?: number };

export const levelRate = (level: SecurityLevel): number => Number(level);

// ---------------------------------------------------------------------------------------------
// Tails

/** Share of impostor scores >= t under the tail model. Below the body's first score: 1 (no claim). */
export function tailRate(tail: ImpostorTail, t: number): number {
  const { scores, rates, gpd } = tail;
  if (!(t >= (scores[0] as number))) return 1;
  if (t >= gpd.u) {
    const z = (t - gpd.u) / gpd.sigma;
    if (Math.abs(gpd.xi) < 1e-9) return gpd.pu * Math.exp(-z);
    const base = 1 + gpd.xi * z;
    return base <= 0 ? 0 : gpd.pu * base ** (-1 / gpd.xi);
  }
  let i = 1;
  while (i < scores.length && (scores[i] as number) < t) i++;
  const s0 = scores[i - 1] as number;
  const s1 = scores[i] as number;
  const l0 = Math.log(rates[i - 1] as number);
  const l1 = Math.log(rates[i] as number);
  return Math.exp(l0 + ((l1 - l0) * (t - s0)) / (s1 - s0));
}

/** The lowest cosine whose impostor rate under the tail model is at most `rate`. */
export function tailThreshold(tail: ImpostorTail, rate: number): number {
  const { scores, rates, gpd } = tail;
  if (!(rate > 0)) return 1;
  if (rate >= (rates[0] as number)) return scores[0] as number;
  if (rate >= gpd.pu) {
    let i = 1;
    while ((rates[i] as number) > rate) i++;
    const l0 = Math.log(rates[i - 1] as number);
    const l1 = Math.log(rates[i] as number);
    const s0 = scores[i - 1] as number;
    const s1 = scores[i] as number;
    return l1 === l0 ? s1 : s0 + ((s1 - s0) * (Math.log(rate) - l0)) / (l1 - l0);
  }
  const r = rate / gpd.pu;
  const t = Math.abs(gpd.xi) < 1e-9 ? gpd.u - gpd.sigma * Math.log(r) : gpd.u + (gpd.sigma / gpd.xi) * (r ** -gpd.xi - 1);
  return Math.min(1, t);
}

/**
 * Fits an ImpostorTail to the highest impostor scores (`topDescending`, sorted descending) out of
 * `total` comparisons. The body is read off the data at quarter decades of rate; beyond the score
 * exceeded by `pu` of all comparisons the exceedances get a generalised Pareto fit by probability-
 * weighted moments (Hosking & Wallis 1987), which is what extrapolates to the rates a large gallery needs.
 */
export function fitTail(topDescending: ArrayLike<number>, total: number, probes: number, pu?: number): ImpostorTail {
  const kept = topDescending.length;
  const exceedances = Math.floor((pu ?? Math.max(1e-4, 5000 / total)) * total);
  if (exceedances < 50) throw new RangeError(`A tail fit needs at least 50 exceedances; ${total} comparisons at that rate give ${exceedances}.`);
  if (exceedances >= kept) throw new RangeError(`The tail fit needs the top ${exceedances + 1} of ${total} scores; only ${kept} were kept.`);
  const u = topDescending[exceedances] as number;
  const n = exceedances;
  // PWM: a0 = mean excess, a1 = E[Y (1 - F(Y))], plotting positions (i - 0.35) / n over ascending excesses.
  let a0 = 0;
  let a1 = 0;
  for (let j = 0; j < n; j++) {
    const y = (topDescending[n - 1 - j] as number) - u; // ascending
    a0 += y;
    a1 += y * (1 - (j + 1 - 0.35) / n);
  }
  a0 /= n;
  a1 /= n;
  const xi = 2 - a0 / (a0 - 2 * a1);
  const sigma = (2 * a0 * a1) / (a0 - 2 * a1);
  const gpdPu = n / total;
  const scores: number[] = [];
  const rates: number[] = [];
  for (let e = 4; ; e++) {
    const rate = 10 ** (-e / 4);
    if (rate <= gpdPu * 1.001) break;
    const index = Math.ceil(rate * total) - 1;
    if (index >= kept) continue; // the kept scores do not reach this far into the body
    const s = topDescending[index] as number;
    if (scores.length > 0 && s <= (scores[scores.length - 1] as number)) continue;
    scores.push(s);
    rates.push((index + 1) / total);
  }
  scores.push(u);
  rates.push(gpdPu);
  return { probes, count: total, scores, rates, gpd: { u, pu: gpdPu, sigma, xi, exceedances: n } };
}

// ---------------------------------------------------------------------------------------------
// Decisions

/** Per-comparison rate r such that n independent comparisons reach `decisionRate`: 1 - (1 - r)^n = rate. */
export function perComparisonRate(decisionRate: number, comparisons: number): number {
  const n = Math.max(1, comparisons);
  return -Math.expm1(Math.log1p(-decisionRate) / n);
}

/** Decision rate of n comparisons at per-comparison rate r (the same bound, the other way). */
export function decisionRate(comparisonRate: number, comparisons: number): number {
  return -Math.expm1(Math.max(1, comparisons) * Math.log1p(-Math.min(comparisonRate, 1 - 1e-16)));
}

/**
 * The measured tails that bound probe count p: every tail measured with at most the nearest measured
 * count at or above p (the largest when p is beyond them). More probes fuse into a cleaner vector whose
 * impostor tail is heavier; taking the heaviest of these keeps thresholds rising with p even where
 * two fitted tails cross far out in the extrapolation.
 */
function tailsFor(d: DecisionCalibration, probes: number): ImpostorTail[] {
  const p = Math.max(1, Math.round(probes));
  const upTo = d.impostor.find((t) => t.probes >= p)?.probes ?? Infinity;
  return d.impostor.filter((t) => t.probes <= upTo);
}

/** Share of impostor comparisons >= t for a fused probe of p photos (the heavier neighbour), shifted locally. */
function comparisonRate(c: LevelsCalibration, probes: number, t: number): number {
  const d = c.decisions as DecisionCalibration;
  const shift = c.localShift ?? 0;
  return Math.max(...tailsFor(d, probes).map((tail) => tailRate(tail, t - shift)));
}

function comparisonThreshold(c: LevelsCalibration, probes: number, rate: number): number {
  const d = c.decisions as DecisionCalibration;
  const shift = c.localShift ?? 0;
  return Math.min(1, Math.max(...tailsFor(d, probes).map((tail) => tailThreshold(tail, rate))) + shift);
}

function checkCounts(what: string, ...counts: number[]): void {
  for (const n of counts) if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what}: counts must be whole numbers >= 0, not ${n}.`);
}

/** The level's per-comparison threshold plus the local shift: the one place the shift is added to it. */
export function perComparisonFallback(c: LevelsCalibration, level: SecurityLevel): number {
  const t = c.thresholds[level];
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new RangeError(`No calibrated threshold for security level ${level}.`);
  return Math.min(1, t + (c.localShift ?? 0));
}

/** Whether the calibration has per-decision tails (else every decision uses the per-comparison threshold). */
export const hasDecisionTails = (c: LevelsCalibration): boolean => (c.decisions?.impostor.length ?? 0) > 0;

/**
 * Cosine a login attempt's fused probe (of `probeCount` frames) must reach against the best of the
 * claimed identity's `templateCount` templates, so that an impostor attempt passes at the level's rate.
 */
export function loginThreshold(c: LevelsCalibration, level: SecurityLevel, probeCount: number, templateCount: number): number {
  checkCounts('loginThreshold', probeCount, templateCount);
  if (!hasDecisionTails(c)) return perComparisonFallback(c, level);
  return comparisonThreshold(c, probeCount, perComparisonRate(levelRate(level), templateCount));
}

/**
 * Cosine a kiosk visit's fused probe must reach against the best template of the gallery (people
 * and templates enrolled now), so that a stranger is taken for someone on the level's share of visits.
 */
export function visitThreshold(c: LevelsCalibration, level: SecurityLevel, galleryPeople: number, galleryTemplates: number, probeCount = 1): number {
  checkCounts('visitThreshold', galleryPeople, galleryTemplates, probeCount);
  if (!hasDecisionTails(c)) return perComparisonFallback(c, level);
  return comparisonThreshold(c, probeCount, perComparisonRate(levelRate(level), galleryTemplates));
}

/** Expected false accepts of one decision making `comparisons` comparisons at threshold t. */
export function impostorDecisionRate(c: LevelsCalibration, t: number, probeCount: number, comparisons: number): number | null {
  if (!hasDecisionTails(c)) return null;
  return decisionRate(comparisonRate(c, probeCount, t), comparisons);
}

/** Expected share of genuine attempts whose best template cosine is below t (null when not measured). */
export function genuineMissRate(c: LevelsCalibration, t: number, probeCount: number, templateCount: number): number | null {
  const tables = c.decisions?.genuine ?? [];
  if (tables.length === 0) return null;
  // The nearest measured (probes, templates) at or below the asked ones: fewer photos miss more, so
  // the promise errs towards more second looks, never fewer.
  const fit = (want: number, key: 'probes' | 'templates', among: GenuineTable[]) => {
    const values = [...new Set(among.map((g) => g[key]))].sort((a, b) => a - b);
    return values.filter((v) => v <= Math.max(1, want)).pop() ?? (values[0] as number);
  };
  const p = fit(probeCount, 'probes', tables);
  const withP = tables.filter((g) => g.probes === p);
  const k = fit(templateCount, 'templates', withP);
  const g = withP.find((x) => x.templates === k) as GenuineTable;
  const x = (t - g.from) / g.step;
  if (x <= 0) return g.below[0] as number;
  if (x >= g.below.length - 1) return g.below[g.below.length - 1] as number;
  const i = Math.floor(x);
  return (g.below[i] as number) + ((g.below[i + 1] as number) - (g.below[i] as number)) * (x - i);
}

export interface DecisionPromise {
  decision: 'login' | 'visit';
  level: SecurityLevel;
  threshold: number;
  /** The level's target: false accepts per attempt / strangers taken for someone per visit. */
  target: number;
  /** Expected false accepts per decision at the threshold (upper bound of the model); null without decision tails. */
  falseAccept: number | null;
  /** Expected share of genuine attempts / enrolled visitors not accepted; null when not measured. */
  falseReject: number | null;
  /** The same decision for one person with these templates: what the level costs without a gallery. */
  falseRejectAlone: number | null;
  /** The gallery makes this level costly: the enrolled miss often, or several times more than alone. */
  expensive: boolean;
  /** Why, in a sentence; empty when not expensive. */
  expensiveBecause: string;
  /** The thresholds are the per-comparison ones (no decision tails in models/calibration.json). */
  perComparisonOnly: boolean;
}

/** Expensive: one genuine decision in 20 fails, or at least twice (and 2 points more than) what it costs alone. */
function expensive(falseReject: number | null, alone: number | null): boolean {
  if (falseReject === null) return false;
  return falseReject >= 0.05 || (alone !== null && falseReject >= 2 * alone && falseReject - alone >= 0.02);
}

/** What a kiosk visit at this level promises for the gallery enrolled now. */
export function visitPromise(c: LevelsCalibration, level: SecurityLevel, galleryPeople: number, galleryTemplates: number, probeCount = 1): DecisionPromise {
  const threshold = visitThreshold(c, level, galleryPeople, galleryTemplates, probeCount);
  const perPerson = galleryPeople > 0 ? Math.max(1, Math.round(galleryTemplates / galleryPeople)) : 1;
  const falseAccept = impostorDecisionRate(c, threshold, probeCount, galleryTemplates);
  const falseReject = genuineMissRate(c, threshold, probeCount, perPerson);
  const alone = hasDecisionTails(c) ? genuineMissRate(c, visitThreshold(c, level, 1, perPerson, probeCount), probeCount, perPerson) : falseReject;
  const costly = expensive(falseReject, alone);
  return {
    decision: 'visit',
    level,
    threshold,
    target: levelRate(level),
    falseAccept,
    falseReject,
    falseRejectAlone: alone,
    expensive: costly,
    expensiveBecause: costly
      ? `With ${galleryPeople.toLocaleString('en-US')} people enrolled, keeping strangers to ${oneIn(levelRate(level))} visits needs cosine ${threshold.toFixed(3)}, which leaves about ${oneIn(falseReject as number)} enrolled visits unrecognised (${oneIn(alone as number)} with one person enrolled).`
      : '',
    perComparisonOnly: !hasDecisionTails(c),
  };
}

/** What a login attempt at this level promises: `probeCount` frames against `templateCount` templates. */
export function loginPromise(c: LevelsCalibration, level: SecurityLevel, probeCount: number, templateCount: number): DecisionPromise {
  const threshold = loginThreshold(c, level, probeCount, templateCount);
  const falseAccept = impostorDecisionRate(c, threshold, probeCount, templateCount);
  const falseReject = genuineMissRate(c, threshold, probeCount, templateCount);
  const alone = falseReject;
  return {
    decision: 'login',
    level,
    threshold,
    target: levelRate(level),
    falseAccept,
    falseReject,
    falseRejectAlone: alone,
    expensive: expensive(falseReject, null),
    expensiveBecause: expensive(falseReject, null) ? `At this level about ${oneIn(falseReject as number)} genuine login attempts are refused.` : '',
    perComparisonOnly: !hasDecisionTails(c),
  };
}

/** "1 in 10,000" for a rate (rounded to two significant figures of its reciprocal). */
export function oneIn(rate: number): string {
  if (!(rate > 0)) return 'none of the';
  if (rate >= 0.5) return `${Math.round(rate * 100)}% of`;
  const n = 1 / rate;
  const digits = Math.max(0, Math.floor(Math.log10(n)) - 1);
  const rounded = Math.round(n / 10 ** digits) * 10 ** digits;
  return `1 in ${rounded.toLocaleString('en-US')}`;
}

/** The kiosk's promise as one sentence for the screens. */
export function visitSentence(p: DecisionPromise, galleryPeople: number): string {
  const who = `With ${galleryPeople.toLocaleString('en-US')} ${galleryPeople === 1 ? 'person' : 'people'} enrolled`;
  const strangers = `about ${oneIn(p.falseAccept ?? p.target)} stranger visits ${p.perComparisonOnly ? 'may be' : 'is'} taken for someone`;
  const enrolled = p.falseReject === null ? '' : `; about ${oneIn(p.falseReject)} enrolled people's visits need a second look`;
  const caveat = p.perComparisonOnly ? ' (thresholds are per comparison: run `npm run calibrate` for per-visit ones)' : '';
  return `${who}, ${strangers}${enrolled}${caveat}.`;
}
