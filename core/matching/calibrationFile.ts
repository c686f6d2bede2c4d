// models/calibration.json: its one schema. `npm run calibrate` writes it through calibrationText
// (which refuses to write what the app would not read back whole) and the app reads it through
// readCalibration, so the writer and the reader cannot drift apart. The types come from the schema.
import { z } from 'zod';
import { SECURITY_LEVELS, type SecurityLevel } from './calibration';

const cosine = z.number().min(-1).max(1);
const rate = z.number().min(0).max(1);
const count = z.number().min(0);

/** One value per security level, every level present. */
const perLevel = <T extends z.ZodType>(value: T) => z.object(Object.fromEntries(SECURITY_LEVELS.map((l) => [l, value])) as { [L in SecurityLevel]: T });

/** P(score >= t) for impostor comparisons: a measured body, then a generalised Pareto tail (core/matching/levels.ts). */
const impostorTailSchema = z.object({
  /** Probes fused (normalised mean) into the one compared with a template. */
  probes: z.number().int().min(1),
  /** Impostor comparisons measured. */
  count,
  /** Measured body: scores ascending, `rates[i]` = share of scores >= `scores[i]`. Ends at (gpd.u, gpd.pu). */
  scores: z.array(cosine).min(1),
  rates: z.array(rate).min(1),
  /** Beyond u: P(s >= t) = pu (1 + xi (t - u) / sigma)^(-1/xi) (xi = 0: pu exp(-(t - u) / sigma)). */
  gpd: z.object({ u: cosine, pu: rate, sigma: z.number().positive(), xi: z.number(), exceedances: count }),
}).refine((t) => t.scores.length === t.rates.length, 'a tail needs one rate per score');
export type ImpostorTail = z.infer<typeof impostorTailSchema>;

/** Genuine attempts: share whose best template cosine lies below each grid score (the FNMR there). */
const genuineTableSchema = z.object({
  probes: z.number().int().min(1),
  templates: z.number().int().min(1),
  attempts: count,
  people: count,
  /** Scores from `from` in steps of `step`. */
  from: z.number(),
  step: z.number().positive(),
  below: z.array(rate).min(2),
});
export type GenuineTable = z.infer<typeof genuineTableSchema>;

/** The per-decision section (login attempt, kiosk visit); files written before it have none. */
const decisionCalibrationSchema = z.object({
  version: z.literal(1),
  /** One per measured probe count, ascending. */
  impostor: z.array(impostorTailSchema).min(1),
  genuine: z.array(genuineTableSchema),
  provenance: z.record(z.string(), z.unknown()),
});
export type DecisionCalibration = z.infer<typeof decisionCalibrationSchema>;

const levelCalibrationSchema = z.object({
  fmr: rate,
  /** Cosine at or above which a comparison is a match. */
  threshold: cosine,
  /** False non-match rate at that threshold, every person weighing the same. */
  fnmr: rate,
  /** The same over all genuine comparisons (dominated by the people with the most images). */
  fnmrPairs: rate,
  /** Counts behind the rates, so a test can derive binomial ranges. */
  impostorMatches: count,
  genuineNonMatches: count,
});
export type LevelCalibration = z.infer<typeof levelCalibrationSchema>;

/** LFW View 2 verification figures of the same embedder (10-fold protocol). */
const lfwSchema = z.object({ view: z.literal(2), pairs: count, accuracy: rate, accuracyStd: z.number().min(0), auc: rate, tarAtFar1e3: rate, command: z.string() });

/** The file as `npm run calibrate` writes it now. */
export const calibrationSchema = z.object({
  modelId: z.string(),
  thresholds: perLevel(cosine),
  levels: perLevel(levelCalibrationSchema),
  genuineCount: count,
  impostorCount: count,
  lfw: lfwSchema,
  decisions: decisionCalibrationSchema,
  provenance: z.record(z.string(), z.unknown()),
});
export type Calibration = z.infer<typeof calibrationSchema>;

// What the app accepts: the same fields, of which older files have only the model and its thresholds
// (and the top-level fnmr and lfwAccuracy of the first files). The decisions section is checked on
// its own, so a malformed one costs per-decision thresholds, not the whole file.
const readableSchema = calibrationSchema.extend({
  levels: perLevel(levelCalibrationSchema.partial()).partial().optional(),
  genuineCount: count.optional(),
  impostorCount: count.optional(),
  lfw: lfwSchema.partial().optional(),
  decisions: z.unknown().optional(),
  provenance: z.record(z.string(), z.unknown()).optional(),
  fnmr: perLevel(rate).partial().optional(),
  lfwAccuracy: rate.optional(),
});

export type CalibrationFile = Omit<z.infer<typeof readableSchema>, 'decisions'> & {
  /** Absent in files written before the per-decision levels, or dropped when malformed (see decisionsProblem). */
  decisions?: DecisionCalibration;
  /** Why the per-decision section is not used, when it is not. */
  decisionsProblem?: string;
};

/** The parsed JSON of a calibration file checked; `problem` names the first field out of shape. */
export function readCalibration(json: unknown): { ok: true; file: CalibrationFile } | { ok: false; problem: string } {
  const checked = readableSchema.safeParse(json);
  if (!checked.success) return { ok: false, problem: firstIssue(checked.error) };
  const file = checked.data;
  if (file.decisions === undefined) return { ok: true, file: { ...file, decisions: undefined, decisionsProblem: 'models/calibration.json has no per-decision section (written before it existed)' } };
  const decisions = decisionCalibrationSchema.safeParse(file.decisions);
  if (!decisions.success) return { ok: true, file: { ...file, decisions: undefined, decisionsProblem: 'the per-decision section of models/calibration.json is malformed' } };
  return { ok: true, file: { ...file, decisions: decisions.data } };
}

/**
 * The text `npm run calibrate` writes: checked against the schema, arrays of numbers on one line each
 * (the decision tables stay a few KB and diffs readable), and read back as the app reads it.
 * Throws rather than return a file the app would refuse or read without its per-decision section.
 */
export function calibrationText(calibration: Calibration): string {
  const checked = calibrationSchema.safeParse(calibration);
  if (!checked.success) throw new RangeError(`The calibration is not in the file's shape (${firstIssue(checked.error)}); nothing was written.`);
  const text = JSON.stringify(checked.data, null, 2).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_, nums: string) => `[${nums.split(/,\s*/).join(', ')}]`) + '\n';
  const read = readCalibration(JSON.parse(text));
  if (!read.ok) throw new RangeError(`The app would refuse this calibration (${read.problem}); nothing was written.`);
  if (read.file.decisionsProblem !== undefined) throw new RangeError(`The app would drop this calibration's per-decision section (${read.file.decisionsProblem}); nothing was written.`);
  return text;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unknown problem';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}
