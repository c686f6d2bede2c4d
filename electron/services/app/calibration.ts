// models/calibration.json, read lazily and re-read when it changes: another tool writes it, and the
// app must run (without verify/identify) before it exists.
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ApiError, securityLevels, type SecurityLevel } from '../../../core/contract/api';

const threshold = z.number().min(-1).max(1);
const fileSchema = z.object({
  modelId: z.string(),
  thresholds: z.object({ '1e-3': threshold, '1e-4': threshold, '1e-5': threshold }),
  fnmr: z.record(z.string(), z.number()).optional(),
  levels: z.record(z.string(), z.object({ fnmr: z.number().optional() }).loose()).optional(),
  lfw: z.object({ accuracy: z.number() }).loose().optional(),
  lfwAccuracy: z.number().optional(),
}).loose();
export type CalibrationFile = z.infer<typeof fileSchema>;

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
    cached = { mtimeMs, value: checked.data };
    return checked.data;
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

export function fnmrOf(c: CalibrationFile, level: SecurityLevel): number | null {
  return c.levels?.[level]?.fnmr ?? c.fnmr?.[level] ?? null;
}

export const levelFmr: Record<SecurityLevel, number> = Object.fromEntries(securityLevels.map((l) => [l, Number(l)])) as Record<SecurityLevel, number>;
