// models/calibration.json, read lazily and re-read when it changes: another tool writes it, and the
// app must run (without verify/identify) before it exists.
import { readFileSync, statSync } from 'node:fs';
import { ApiError, type SecurityLevel } from '../../../core/contract/api';
import { readCalibration, type CalibrationFile } from '../../../core/matching/calibrationFile';

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
    const checked = readCalibration(parsed);
    if (!checked.ok) {
      throw new ApiError({ code: 'unavailable', message: `The calibration file ${path} is not in the expected shape (${checked.problem}); run \`npm run calibrate\` again.` });
    }
    const value = checked.file;
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

/** Whether logins and visits use per-decision thresholds, in a sentence for About and Settings. */
export function decisionsNote(c: CalibrationFile): { perDecision: boolean; note: string } {
  if (c.decisions) return { perDecision: true, note: 'Thresholds hold each level per login attempt and per kiosk visit for the gallery enrolled now.' };
  return { perDecision: false, note: `Thresholds are per comparison, so a level's rate is not held per login attempt or per kiosk visit: ${c.decisionsProblem ?? 'no per-decision section'}; run \`npm run calibrate\` again.` };
}

export function fnmrOf(c: CalibrationFile, level: SecurityLevel): number | null {
  return c.levels?.[level]?.fnmr ?? c.fnmr?.[level] ?? null;
}

