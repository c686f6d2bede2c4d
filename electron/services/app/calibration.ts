// models/calibration.json, read lazily and re-read when it changes: another tool writes it, and the
// app must run (without verify/identify) before it exists.
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ApiError, type SecurityLevel } from '../../../core/contract/api';
import type { DecisionCalibration } from '../../../core/matching/levels';

const threshold = z.number().min(-1).max(1);
const rate = z.number().min(0).max(1);
// The per-decision tails (core/matching/levels.ts, `npm run calibrate`). Files written before them
// have no such section: every decision then uses the per-comparison threshold (decisionsNote says so).
const tailSchema = z.object({
  probes: z.number().int().min(1),
  count: z.number().min(0),
  scores: z.array(threshold).min(1),
  rates: z.array(rate).min(1),
  gpd: z.object({ u: threshold, pu: rate, sigma: z.number().positive(), xi: z.number(), exceedances: z.number().min(0) }),
}).refine((t) => t.scores.length === t.rates.length, 'a tail needs one rate per score');
const genuineSchema = z.object({
  probes: z.number().int().min(1),
  templates: z.number().int().min(1),
  attempts: z.number().min(0),
  people: z.number().min(0),
  from: z.number(),
  step: z.number().positive(),
  below: z.array(rate).min(2),
});
const decisionsSchema = z.object({
  version: z.literal(1),
  impostor: z.array(tailSchema).min(1),
  genuine: z.array(genuineSchema),
  provenance: z.record(z.string(), z.unknown()),
});
const fileSchema = z.object({
  modelId: z.string(),
  thresholds: z.object({ '1e-3': threshold, '1e-4': threshold, '1e-5': threshold }),
  fnmr: z.record(z.string(), z.number()).optional(),
  levels: z.record(z.string(), z.object({ fnmr: z.number().optional() }).loose()).optional(),
  lfw: z.object({ accuracy: z.number() }).loose().optional(),
  lfwAccuracy: z.number().optional(),
  decisions: z.unknown().optional(),
}).loose();
export type CalibrationFile = z.infer<typeof fileSchema> & {
  /** Absent in files written before the per-decision levels, or dropped when malformed (see decisionsNote). */
  decisions?: DecisionCalibration;
  /** Why the per-decision section is not used, when it is not. */
  decisionsProblem?: string;
};

export interface CalibrationSource {
  /** null when the file is absent; throws ApiError when it is unreadable. */
  current(): CalibrationFile | null;
  threshold(level: SecurityLevel): number;
}

export function calibrationFile(path: string): CalibrationSource {
  let cached: { mtimeMs: number; value: CalibrationFile } | null = null;
  const current = (): CalibrationFile | null => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      return null;
    }
    if (cached?.mtimeMs === mtimeMs) return cached.value;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ApiError({ code: 'unavailable', message: `The calibration file ${path} cannot be read (${(e as Error).message}); run \`npm run calibrate\` again.` });
    }
    const checked = fileSchema.safeParse(parsed);
    if (!checked.success) {
      throw new ApiError({ code: 'unavailable', message: `The calibration file ${path} is not in the expected shape; run \`npm run calibrate\` again.` });
    }
    const value = withDecisions(checked.data);
    cached = { mtimeMs, value };
    return value;
  };
  return {
    current,
    threshold(level) {
      const c = current();
      if (!c) {
        throw new ApiError({ code: 'unavailable', message: 'The face model is not calibrated yet, so no threshold is known: run `npm run calibrate` first.' });
      }
      return c.thresholds[level];
    },
  };
}

/** The file with its decisions section checked: a malformed one is dropped (per-comparison thresholds) and said why. */
function withDecisions(file: z.infer<typeof fileSchema>): CalibrationFile {
  if (file.decisions === undefined) return { ...file, decisions: undefined, decisionsProblem: 'models/calibration.json has no per-decision section (written before it existed)' };
  const checked = decisionsSchema.safeParse(file.decisions);
  if (!checked.success) return { ...file, decisions: undefined, decisionsProblem: 'the per-decision section of models/calibration.json is malformed' };
  return { ...file, decisions: checked.data as DecisionCalibration };
}

/** Whether logins and visits use per-decision thresholds, in a sentence for About and Settings. */
export function decisionsNote(c: CalibrationFile): { perDecision: boolean; note: string } {
  if (c.decisions) return { perDecision: true, note: 'Thresholds hold each level per login attempt and per kiosk visit for the gallery enrolled now.' };
  return { perDecision: false, note: `Thresholds are per comparison, so a level's rate is not held per login attempt or per kiosk visit: ${c.decisionsProblem ?? 'no per-decision section'}; run \`npm run calibrate\` again.` };
}

export function fnmrOf(c: CalibrationFile, level: SecurityLevel): number | null {
  return c.levels?.[level]?.fnmr ?? c.fnmr?.[level] ?? null;
}

