// What every call group shares: the host's dependencies, the open store (or why it is not open),
// the live gallery, the settings and thresholds in force, and who is calling (access.ts).
import { ApiError, defaultSettings, securityLevels, settingsSchema, type ModelInfo, type SecurityLevel, type Settings } from '../../../core/contract/api';
import { perComparisonFallback, type LevelsCalibration } from '../../../core/matching/levels';
import type { Keyring, Lockout, Store, StoredOperator } from '../store/index';
import type { SteadyClock } from './steadyClock';
import type { Access } from './access';
import type { CalibrationFile } from '../../../core/matching/calibrationFile';
import type { CalibrationSource } from './calibration';
import { levelsCalibration, type Thresholds } from './gallery';
import type { LiveGallery } from './liveGallery';
import type { TrainingFactory, TrainingPort } from './ports';

export interface AppDeps {
  /** Folder of the database, its backups (and, for the browser host, its key file). */
  dataDir: string;
  keyring: Keyring;
  calibration: CalibrationSource;
  /** Builds the training service over the opened store; null: this host offers no training. */
  training: TrainingFactory | null;
  about: { name: string; version: string; host: 'electron' | 'browser'; models: ModelInfo[]; backendHint: 'webgpu' | 'wasm' };
  /** The embedder's modelId: templates are tagged with it and matching never mixes models. */
  modelId: string;
  /** Copy the database to backups/auto-backup.db at open (default). The `normface` command, started at every login, does not. */
  autoBackup?: boolean;
  /**
   * Check the whole event log in the background this long after start (ms; default 5000): opening checks
   * only the entries since the last checkpoint. null: never (the command, which lives for one login).
   */
  fullLogCheckAfterMs?: number | null;
  now?: () => number;
  /** Measures durations (lockout, repeat greeting) so that moving the wall clock changes none. Default: systemClock(). */
  clock?: SteadyClock;
  log?: (message: string, error: unknown) => void;
  /** Sync with a fleet when this desk is in one (default); false: the `normface` command, which leaves that to the app. */
  fleet?: { pollMs?: number } | false;
  /** Told when the window must enter or leave the locked check-in kiosk (Electron sets kiosk mode). */
  onKioskChange?: (locked: boolean) => void;
}

export interface AppContext {
  deps: AppDeps;
  now(): number;
  clock: SteadyClock;
  /**
   * What the lock on this lockout row has left, or null when none is in force, measured from the
   * lockout entry's steady-clock stamp (the wall clock may have moved since).
   */
  lockRemaining(l: Lockout): number | null;
  log(message: string, error: unknown): void;
  access: Access;
  gallery: LiveGallery;
  /** The open store; throws 'unavailable' (with the restore advice) when it is not open. */
  db(): Store;
  /** The training service over the open store; throws when this host has none. */
  trainer(): TrainingPort;
  settings(): Settings;
  calibrated(): CalibrationFile;
  /** The calibration as levels.ts reads it, moved by the local shift when chosen and found. */
  levels(): LevelsCalibration;
  /** Per-comparison thresholds in force (the duplicate check at enrollment). */
  thresholds(): Thresholds;
  /** The level in Settings, or a stricter one the caller asked for (never a laxer one). */
  level(requested: SecurityLevel | undefined): { level: SecurityLevel; threshold: number };
  /**
   * Who may sign in: the live database's operators, or, while it cannot be opened, those of the backup
   * the screen offers to restore (so that one of them can restore it).
   */
  signInOperators(): { operators: StoredOperator[]; fromBackup: boolean };
}

const settingKeys = Object.keys(settingsSchema.shape) as (keyof Settings)[];

/** The settings as saved, over the defaults; a value an older version saved that no longer validates falls back to its default. */
export function readSettings(store: Store, log: AppContext['log']): Settings {
  const stored: Record<string, unknown> = {};
  for (const key of settingKeys) {
    const v = store.getSetting(key);
    if (v !== undefined) stored[key] = v;
  }
  const saved = settingsSchema.partial().safeParse(stored);
  if (!saved.success) {
    log('normface: saved settings are invalid, using defaults for them', saved.error);
    return { ...defaultSettings };
  }
  return { ...defaultSettings, ...saved.data };
}

/** The stricter of two levels (a lower false-match rate). */
export function stricterLevel(a: SecurityLevel, b: SecurityLevel | undefined): SecurityLevel {
  if (b === undefined) return a;
  return securityLevels.indexOf(b) > securityLevels.indexOf(a) ? b : a;
}

export function thresholdsOf(c: LevelsCalibration): Thresholds {
  return Object.fromEntries(securityLevels.map((l) => [l, perComparisonFallback(c, l)])) as Thresholds;
}

export function calibratedOr(source: CalibrationSource): CalibrationFile {
  const c = source.current();
  if (c) return c;
  throw new ApiError({ code: 'unavailable', message: 'The face model is not calibrated yet, so no threshold is known: run `npm run calibrate` first.' });
}

export { levelsCalibration };
