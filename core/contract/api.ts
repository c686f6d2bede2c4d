// The one list of every call between the UI and the back end: its name, the runtime schema of its
// arguments, the type of its result. Electron's main-process registration, the preload's
// `window.normface`, the browser host's WebSocket dispatcher and the renderer's client are all
// derived from `calls` below: adding a call means one entry here and one handler.
//
// Wire rules: results are plain JSON (ids are strings, times are epoch milliseconds, thumbnails are
// base64 JPEG strings, template vectors never come back to the UI). Arguments accept typed arrays
// (Electron IPC keeps them) or their JSON forms (the WebSocket sends number[] / base64).
import { z } from 'zod';
import { base64ToBytes, isBase64 } from '../vision/base64';
import { checkVector } from '../hypersphere';
import { SECURITY_LEVELS, type SecurityLevel } from '../matching/calibration';
import { LANDMARK_COUNT, LOGIN_MAX_FRAMES, LOGIN_MAX_PROBES, PATCH_TEXT_LENGTH } from '../liveness/evidence';
import type { LivenessReason } from '../liveness/judge';

// ---------------------------------------------------------------------------------------------
// Domain values

export const TEMPLATE_DIM = 512;
/** Unit norm tolerance: the embedder's output is L2-normalised (NormFace), so anything else is a bug. */
export const UNIT_NORM_TOLERANCE = 1e-3;
export const MAX_THUMBNAIL_BYTES = 64 * 1024;
export const MAX_TEMPLATES_PER_CALL = 50;
/** Templates one login attempt or visit carries at most: the login decision's bound. */
export const MAX_PROBES = LOGIN_MAX_PROBES;
/** Probes a kiosk visit fuses (the renderer sends a visit once it has them; promises are stated for it). */
export const VISIT_PROBES = 5;
export const MAX_NAME_LENGTH = 100;
export const MAX_NOTES_LENGTH = 2000;
/** Typed by the user in data.deleteAll: erasing everything must be a deliberate act. */
export const DELETE_ALL_CONFIRMATION = 'DELETE ALL DATA';

/** Security levels are false-match rates; their cosine thresholds come from models/calibration.json. */
export { SECURITY_LEVELS as securityLevels, type SecurityLevel };
export const securityLevelSchema = z.enum(SECURITY_LEVELS);

export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected an id');
export type Id = string;

/** Why a vector cannot be a template, or null when it can. */
export function templateProblem(v: ArrayLike<number>): string | null {
  const checked = checkVector(v, TEMPLATE_DIM);
  if (!checked.ok) return 'length' in checked ? `a template has ${TEMPLATE_DIM} values, got ${checked.length}` : `template value ${checked.index} is not a finite number`;
  const norm = Math.sqrt(checked.squared);
  if (Math.abs(norm - 1) > UNIT_NORM_TOLERANCE) return `a template must be a unit vector, its norm is ${norm.toFixed(4)}`;
  return null;
}

/** A 512-d unit vector; number[] or Float32Array in, Float32Array out. */
export const templateSchema = z
  .union([z.array(z.number()).max(TEMPLATE_DIM * 2), z.custom<Float32Array<ArrayBufferLike>>((v) => v instanceof Float32Array, 'expected a Float32Array or number[]')])
  .superRefine((v, ctx) => {
    const problem = templateProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((v) => (v instanceof Float32Array ? v : Float32Array.from(v)));

function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

/** JPEG bytes, as Uint8Array or base64; Uint8Array out. */
export const thumbnailSchema = z
  .union([
    z
      .string()
      .max(Math.ceil(MAX_THUMBNAIL_BYTES / 3) * 4, `a thumbnail is at most ${MAX_THUMBNAIL_BYTES} bytes`)
      .refine(isBase64, 'a thumbnail is base64 JPEG')
      .transform((s) => base64ToBytes(s)),
    z.custom<Uint8Array<ArrayBufferLike>>((v) => v instanceof Uint8Array, 'expected JPEG bytes').refine((b) => b.length <= MAX_THUMBNAIL_BYTES, `a thumbnail is at most ${MAX_THUMBNAIL_BYTES} bytes`),
  ])
  .refine(isJpeg, 'a thumbnail must be a JPEG image');

export const templateSourceSchema = z.enum(['camera', 'photo']);
export type TemplateSource = z.infer<typeof templateSourceSchema>;

const unit = z.number().min(0).max(1);
/** Quality measured by the face pipeline when the template was taken. */
export const qualitySchema = z.strictObject({
  /** Overall 0..1, the one the UI sorts by. */
  score: unit,
  sharpness: unit.optional(),
  /** Inter-ocular distance in pixels of the source frame. */
  faceSize: z.number().min(0).max(10_000).optional(),
  yaw: z.number().min(-180).max(180).optional(),
  pitch: z.number().min(-180).max(180).optional(),
  brightness: unit.optional(),
  /**
   * The passive liveness score (`passive` elsewhere), which no host writes: kept under its old name because
   * templates already stored, sent in bundles and through a fleet may carry it and are checked strictly.
   */
  liveness: unit.optional(),
});
export type Quality = z.infer<typeof qualitySchema>;

export const newTemplateSchema = z.strictObject({
  vector: templateSchema,
  quality: qualitySchema,
  source: templateSourceSchema,
  thumbnail: thumbnailSchema.optional(),
});
export type NewTemplate = z.input<typeof newTemplateSchema>;

const templatesSchema = z.array(newTemplateSchema).min(1).max(MAX_TEMPLATES_PER_CALL);
function hasControl(s: string, allowLineBreaks: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 || c === 127) && !(allowLineBreaks && (c === 9 || c === 10 || c === 13))) return true;
  }
  return false;
}
// Control characters have no place in names shown on screen and exported to CSV.
export const nameSchema = z.string().trim().min(1, 'a name is required').max(MAX_NAME_LENGTH).refine((s) => !hasControl(s, false), 'a name cannot contain control characters');
export const notesSchema = z.string().max(MAX_NOTES_LENGTH).refine((s) => !hasControl(s, true), 'notes cannot contain control characters');
export const timeSchema = z.number().int().min(0).max(8.64e15);

/** Frames one kiosk visit may send (a few seconds of camera); at most MAX_PROBES of them carry a template. */
export const MAX_VISIT_FRAMES = 90;
const finite = (lo: number, hi: number) => z.number().min(lo).max(hi);
/**
 * One analysed camera frame (core/liveness/evidence.ts FrameEvidence): measurements of the served
 * face, never a verdict. There is no field by which a caller can say "live" or "matched".
 */
export const frameEvidenceSchema = z.strictObject({
  /** Milliseconds on the attempt's clock. */
  at: finite(0, 8.64e15),
  faces: z.number().int().min(0).max(100),
  face: z
    .strictObject({
      landmarks: z.array(finite(-1e5, 1e5)).length(2 * LANDMARK_COUNT),
      yaw: finite(-180, 180),
      pitch: finite(-180, 180),
      roll: finite(-180, 180),
      interocular: finite(0, 1e5),
      faceHeight: finite(0, 1e5),
      sharpness: finite(0, 1e9),
      brightness: unit,
      eyes: z.strictObject({ left: unit, right: unit }).optional(),
      passive: unit.optional(),
      template: templateSchema.optional(),
      patch: z
        .strictObject({
          x: finite(-1e5, 1e5),
          y: finite(-1e5, 1e5),
          size: finite(1, 1e5),
          luma: z.string().length(PATCH_TEXT_LENGTH).refine(isBase64, 'a face patch is base64'),
        })
        .optional(),
    })
    .optional(),
});
const visitFrameSchema = frameEvidenceSchema;

/** Frames one login attempt may send (the latest few seconds of camera); at most MAX_PROBES carry a template. */
export const MAX_LOGIN_FRAMES = LOGIN_MAX_FRAMES;
/** An attempt's frames span at most this long (30 s of camera, and some slack). */
export const MAX_LOGIN_SPAN_MS = 60_000;
export const loginEvidenceSchema = z
  .strictObject({ frames: z.array(frameEvidenceSchema).min(1).max(MAX_LOGIN_FRAMES) })
  .superRefine((e, ctx) => {
    const templates = e.frames.filter((f) => f.face?.template).length;
    if (templates === 0) ctx.addIssue({ code: 'custom', message: 'a login attempt needs at least one frame with a template' });
    if (templates > MAX_PROBES) ctx.addIssue({ code: 'custom', message: `a login attempt carries at most ${MAX_PROBES} templates, got ${templates}` });
    for (let i = 1; i < e.frames.length; i++) {
      if (e.frames[i]!.at < e.frames[i - 1]!.at) return ctx.addIssue({ code: 'custom', message: `frame ${i + 1} is timed before the frame it follows` });
    }
    if (e.frames.at(-1)!.at - e.frames[0]!.at > MAX_LOGIN_SPAN_MS) ctx.addIssue({ code: 'custom', message: `a login attempt spans at most ${MAX_LOGIN_SPAN_MS / 1000} s of camera` });
  });
export type LoginEvidenceArgs = z.input<typeof loginEvidenceSchema>;
const visitEvidenceSchema = z
  .strictObject({ frames: z.array(visitFrameSchema).min(1).max(MAX_VISIT_FRAMES) })
  .refine((e) => e.frames.filter((f) => f.face?.template).length <= MAX_PROBES, `a visit carries at most ${MAX_PROBES} templates`);

export const settingsSchema = z.strictObject({
  cameraId: z.string().max(512).nullable(),
  resolution: z.enum(['640x480', '1280x720', '1920x1080']),
  backend: z.enum(['auto', 'webgpu', 'wasm']),
  securityLevel: securityLevelSchema,
  /** What a check-in asks for beyond a match. */
  checkinLiveness: z.enum(['off', 'passive', 'challenge']),
  /** A person checking in again within this many minutes is not greeted again. */
  repeatGreetingMinutes: z.number().int().min(0).max(1440),
  /** Consecutive failed verifications that lock an identity... */
  lockoutAttempts: z.number().int().min(1).max(100),
  /** ...and for how long. */
  lockoutMinutes: z.number().int().min(1).max(10_080),
  /** Keep the fused template (never an image) of kiosk visits that ended "not recognised": the cohort. */
  keepUnrecognised: z.boolean(),
  /** Use the thresholds the drift check derived from this gallery's own impostor scores. */
  localThresholds: z.boolean(),
  /** An operator's session ends after this many minutes without a call. */
  operatorIdleMinutes: z.number().int().min(1).max(120),
});
export type Settings = z.infer<typeof settingsSchema>;
export const defaultSettings: Settings = {
  cameraId: null,
  resolution: '1280x720',
  backend: 'auto',
  securityLevel: '1e-4',
  checkinLiveness: 'passive',
  repeatGreetingMinutes: 30,
  lockoutAttempts: 5,
  lockoutMinutes: 15,
  keepUnrecognised: false,
  localThresholds: false,
  operatorIdleMinutes: 5,
};

/** The cohort keeps at most this many unrecognised faces (oldest go first)... */
export const COHORT_CAP = 2000;
/** ...each for at most this many days. */
export const COHORT_MAX_AGE_DAYS = 90;

export const trainingOptionsSchema = z.strictObject({
  loss: z.enum(['softmax', 'softmax+contrastive', 'softmax+triplet']).optional(),
  /** Fixed scale s of the normalised softmax; absent: learnt. */
  scale: z.number().min(1).max(64).optional(),
  epochs: z.number().int().min(1).max(1000).optional(),
  learningRate: z.number().positive().max(1).optional(),
  /** Train with the kept unrecognised faces (the cohort) as negatives. */
  cohort: z.boolean().optional(),
});
export type TrainingOptions = z.infer<typeof trainingOptionsSchema>;

// ---------------------------------------------------------------------------------------------
// Result types (plain JSON)

export interface ModelInfo {
  role: string;
  file: string;
  architecture: string;
  modelId: string | null;
  sha256: string;
  source: string;
  licence: string;
  installed: boolean;
}
export interface CalibrationLevel {
  level: SecurityLevel;
  fmr: number;
  threshold: number;
  /** False non-match rate measured at this threshold, when calibration recorded it. */
  fnmr: number | null;
}
export type StoreState =
  | { state: 'ok' }
  /** The database could not be opened; the UI offers backup.restore of `latestBackup`. */
  | { state: 'unavailable'; message: string; latestBackup: BackupInfo | null };
/** One desk of a fleet, as PostgreSQL lists it (its label is sealed under the fleet key there). */
export interface FleetDesk {
  id: Id;
  label: string;
  joinedAt: number;
  lastContact: number | null;
  removedAt: number | null;
  thisDesk: boolean;
}
/** Settings -> Fleet: where this desk stands with its fleet. */
export interface FleetStatus {
  member: boolean;
  fleetId: Id | null;
  deskId: Id | null;
  label: string | null;
  /** Connected to the fleet database now. */
  connected: boolean;
  /** This desk created the fleet and holds the administrator's login: it can invite and remove desks. */
  canManage: boolean;
  /** Changes and events made here that PostgreSQL does not hold yet. */
  waiting: number;
  lastContact: number | null;
  /** The last failure, in a sentence; null after a good sync. */
  lastError: string | null;
  /** Rows from the fleet that failed their checks: never applied, kept here to be looked at. */
  setAside: { ref: string; reason: string; at: number }[];
  /** Empty while the fleet database cannot be reached. */
  desks: FleetDesk[];
}
export interface AppInfo {
  name: string;
  version: string;
  host: 'electron' | 'browser';
  models: ModelInfo[];
  /** Measured LFW verification accuracy (0..1) of the embedder, when calibration recorded it. */
  lfwAccuracy: number | null;
  calibration: { modelId: string; levels: CalibrationLevel[] } | null;
  /** What the renderer should try first for inference; it still falls back to WASM. */
  backendHint: 'webgpu' | 'wasm';
  store: StoreState;
  /**
   * How this host keeps the database key, said plainly (Settings and About show it). This, the event
   * log and the store's problems are an operator's to see: null (or empty) for a caller without an
   * operator session. The store's state and message are for everyone: while the database cannot be
   * opened no operator can sign in, and the screen must say why.
   */
  keyCustody: KeyCustody | null;
  /** The event log's MAC chain as last checked (at open: since the sealed checkpoint); null while the database is unavailable or the caller is no operator. */
  eventLog: EventLogCheck | null;
  /**
   * What the person must know about the database (automatic backup failed, backups still in plain
   * text, a journal not yet emptied after a deletion, the key file gone...); Settings, About and
   * `normface list` show each. Empty when all is well.
   */
  storeProblems: StoreProblem[];
}
export interface StoreProblem {
  /** A stable name for the kind of problem, e.g. 'auto-backup-failed'. */
  kind: string;
  /** A sentence the UI shows as is. */
  message: string;
}
/**
 * 'os-keystore': sealed by the OS account (Keychain, DPAPI, libsecret or KWallet); 'weak': Electron's
 * basic_text fallback on Linux without a keyring (a fixed, public password); 'key-file': a 0600 file
 * beside the database (the browser host), as safe as the data folder's permissions.
 */
export interface KeyCustody {
  protection: 'os-keystore' | 'weak' | 'key-file';
  /** e.g. keychain, dpapi, gnome_libsecret, kwallet5, basic_text, file. */
  backend: string;
  /** A sentence the UI shows as is. */
  summary: string;
}
export interface EventLogCheck {
  intact: boolean;
  entries: number;
  /** The first entry changed or removed outside the app; null when intact. */
  firstAlteredId: number | null;
  firstAlteredAt: number | null;
  /** A sentence the UI shows as is; null when intact. */
  message: string | null;
  /** The newest restore rewound the log: the entries it discarded, said in `message`. Absent when there was none. */
  restored?: { at: number; discarded: number; fromId: number | null; toId: number | null; message: string } | null;
}
/** Bundles travel as base64 in one call; the browser host takes frames of up to 8 MiB. */
export const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;
export const MIN_BUNDLE_PASSPHRASE = 8;
export interface BundlePerson {
  /** The identity's id inside the bundle (the key of `choices` in bundle.import). */
  id: Id;
  name: string;
  templateCount: number;
  /** Someone enrolled here is the same person (same id, or a face match at the current level): merge or skip. */
  match: { identityId: Id; name: string; score: number | null; by: 'id' | 'face' } | null;
}

export interface TemplateInfo {
  id: Id;
  modelId: string;
  quality: Quality;
  source: TemplateSource;
  createdAt: number;
  /** base64 JPEG */
  thumbnail: string | null;
}
export interface IdentitySummary {
  id: Id;
  name: string;
  notes: string;
  createdAt: number;
  updatedAt: number;
  templateCount: number;
  /** base64 JPEG of the best-quality template, if any has one. */
  thumbnail: string | null;
  lockedUntil: number | null;
}
export interface Identity extends IdentitySummary {
  templates: TemplateInfo[];
}

export interface Candidate {
  identityId: Id;
  name: string;
  /** Cosine, -1..1. */
  score: number;
}
export interface DuplicateCheck {
  /** The enrolled identity these templates already match, best first; null when none does. */
  duplicate: Candidate | null;
  threshold: number;
  level: SecurityLevel;
}
export type VerdictReason = 'match' | 'no-match' | 'locked' | 'liveness-failed' | 'no-templates';
export interface Verdict {
  accepted: boolean;
  /** Best cosine of the probes against the identity (null when not compared). */
  score: number | null;
  threshold: number;
  level: SecurityLevel;
  reason: VerdictReason;
  /** Which part of the liveness rule decided (core/liveness/judge); null when not judged (locked). */
  livenessReason: LivenessReason | null;
  /** A sentence the UI can show as is. */
  message: string;
  /** Set when this attempt (or an earlier one) locked the identity. */
  lockedUntil: number | null;
  /** Failed attempts left before the lock; null when locked or accepted. */
  attemptsLeft: number | null;
}
export interface Identification {
  candidates: Candidate[];
  /** Top candidate when its score reaches the threshold (open-set: otherwise "not recognised"). */
  recognised: Candidate | null;
  threshold: number;
  level: SecurityLevel;
}
export interface CheckIn {
  id: Id;
  identityId: Id;
  name: string;
  at: number;
  score: number;
  /** True when the same person checked in within repeatGreetingMinutes: do not greet again. */
  repeat: boolean;
  /** Stamped later than the back end's clock now: the clock was moved back since, so the time is doubtful. */
  stampedAhead?: true;
}
/** The back end's answer to one kiosk visit (it logged the check-in itself when there is one). */
export interface VisitAnswer {
  /** greeting: checked in now; repeat: recognised within repeatGreetingMinutes, not greeted again. */
  outcome: 'greeting' | 'repeat' | 'not-recognised' | 'liveness';
  checkIn: CheckIn | null;
  /** A sentence the kiosk shows as is (the liveness advice when outcome is 'liveness'). */
  message: string;
  /** The per-visit threshold used for this gallery and level. */
  threshold: number;
  level: SecurityLevel;
  /** Probes fused into the visit's one probe. */
  probes: number;
}
export interface CohortStatus {
  enabled: boolean;
  count: number;
  cap: number;
  maxAgeDays: number;
  /** When the oldest kept face was seen; null when none is kept. */
  oldestAt: number | null;
}
/** What one security level promises for the gallery enrolled now. */
export interface LevelPromise {
  level: SecurityLevel;
  /** Kiosk: cosine a visit's fused probe must reach, for this many people and templates. */
  visitThreshold: number;
  /** Expected share of stranger visits taken for someone enrolled. */
  visitFpir: number;
  /** Expected share of enrolled people's visits that are not recognised (they need a second look); null when uncalibrated. */
  visitFnir: number | null;
  /** Login with the usual attempt (up to 10 probes, the median template count): expected false accepts per attempt... */
  loginFmr: number;
  /** ...and false rejects per attempt; null when uncalibrated. */
  loginFnmr: number | null;
  /** The gallery makes this level costly: the enrolled miss too often (set by the level model). */
  expensive: boolean;
  /** One sentence for the screens, e.g. "With 312 people enrolled, about 1 stranger in 10,000 visits is taken for someone; ...". */
  sentence: string;
}
/** The local calibration check: this gallery's own impostor scores against LFW's at the thresholds in use. */
export interface DriftStatus {
  warn: boolean;
  /** Cross-identity template pairs (and cohort-vs-gallery pairs) the check used. */
  pairs: number;
  /** False-match rate per comparison estimated on local data at the current level's threshold. */
  localRate: number | null;
  /** What LFW's calibration expects at that threshold. */
  expectedRate: number;
  /** Per-comparison thresholds that hold each level on local data; null when not drifting. */
  suggestedThresholds: Record<SecurityLevel, number> | null;
  /** Whether settings.localThresholds is on and the local thresholds are in force. */
  usingLocal: boolean;
  /** A sentence for Settings and About. */
  message: string;
  checkedAt: number;
}
export interface GalleryStatus {
  people: number;
  templates: number;
  /** settings.securityLevel */
  current: SecurityLevel;
  levels: LevelPromise[];
  drift: DriftStatus | null;
  cohort: CohortStatus;
}
/** Same kinds as the store's event log; finer actions (rename, template added) are in `detail.action`. */
export const eventKinds = ['enroll', 'delete', 'verify', 'identify', 'checkin', 'lockout', 'backup', 'restore', 'training', 'operator', 'drift-check'] as const;
export type EventKind = (typeof eventKinds)[number];
export interface AppEvent {
  id: Id;
  at: number;
  kind: EventKind;
  identityId: Id | null;
  score: number | null;
  decision: 'accept' | 'reject' | 'locked' | null;
  /** The identity's name when the event was logged (kept after it is deleted). */
  name: string | null;
  detail: Record<string, unknown>;
}
export interface BackupInfo {
  /** File name inside the app's backup folder (never a path). */
  name: string;
  createdAt: number;
  bytes: number;
}
export type TrainingState = 'idle' | 'running' | 'done' | 'failed' | 'cancelled' | 'accepted' | 'rolled-back';
export interface TrainingRun {
  id: Id;
  state: TrainingState;
  startedAt: number;
  finishedAt: number | null;
  options: TrainingOptions;
  /** Progress 0..1 while running. */
  progress: number;
  /** Figures the training service reports (loss, accuracy before/after...). */
  metrics: Record<string, number>;
  /** The training loss so far, one point per step (thinned to at most MAX_LOSS_POINTS). */
  lossCurve: { step: number; loss: number }[];
  message: string | null;
}
export const MAX_LOSS_POINTS = 200;

/** Operators manage the app; a passphrase (never a face alone: a screen replay can show a face) signs one in. */
export const MIN_OPERATOR_PASSPHRASE = 10;
export const operatorPassphraseSchema = z
  .string()
  .min(MIN_OPERATOR_PASSPHRASE, `an operator's passphrase has at least ${MIN_OPERATOR_PASSPHRASE} characters`)
  .max(1024);
export interface OperatorInfo {
  id: Id;
  name: string;
  /** The enrolled person whose face this operator must also show at sign-in; null: passphrase only. */
  faceIdentityId: Id | null;
  createdAt: number;
  lockedUntil: number | null;
}
/** What the screen in front of the back end may know before anyone signs in. */
export interface SessionStatus {
  /** No operator exists yet: the first start asks for one (operators.setup). */
  needsSetup: boolean;
  /** The operator signed in on this window or socket, or null. */
  operator: { id: Id; name: string; idleMinutes: number } | null;
  /** The window is a locked check-in kiosk: only visits, logins and an operator sign-in. */
  kiosk: boolean;
  /** What the camera screens need from the settings, readable without an operator. */
  screen: Pick<Settings, 'cameraId' | 'resolution' | 'backend' | 'securityLevel' | 'checkinLiveness' | 'repeatGreetingMinutes'>;
  /** The kiosk's promise for the gallery enrolled now, one sentence; null when uncalibrated. */
  visitPromise: string | null;
}
/** A single-use value that binds one login attempt or kiosk visit to now (attempt.challenge). */
export interface AttemptChallenge {
  challenge: string;
  /** Epoch ms after which the back end refuses it. */
  expiresAt: number;
  /** Milliseconds it stays valid. */
  validMs: number;
}
export const challengeSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'expected a challenge from attempt.challenge');

// ---------------------------------------------------------------------------------------------
// The calls

/**
 * Who may make a call. 'public': anyone at the screen (a kiosk visit, a login attempt, what a locked
 * screen needs); 'operator': a signed-in operator only. `effect: 'read'` marks operator calls that
 * change nothing (every other operator call is written to the event log with the operator's name).
 */
export type CallRight = 'public' | 'operator';
interface CallSpec<S extends z.ZodType, R> {
  args: S;
  right: CallRight;
  effect: 'read' | 'write';
  /** Phantom: carries the result type only. */
  result?: R;
}
function call<R>() {
  return <S extends z.ZodType>(args: S, right: CallRight, effect: 'read' | 'write' = 'write'): CallSpec<S, R> => ({ args, right, effect });
}
const none = z.strictObject({});
const fleetConnectionSchema = z.string().min(1).max(2000).regex(/^postgres(ql)?:\/\//, 'a PostgreSQL connection string starts with postgresql://');
const fleetPassphraseSchema = z.string().min(MIN_BUNDLE_PASSPHRASE, `a passphrase of at least ${MIN_BUNDLE_PASSPHRASE} characters protects the join code`).max(1024);
const range = z.strictObject({ from: timeSchema.optional(), to: timeSchema.optional() });

const levelRequest = securityLevelSchema.optional();
const bundleText = z.string().min(1).max(Math.ceil(MAX_BUNDLE_BYTES / 3) * 4).refine(isBase64, 'a bundle is base64');

export const calls = {
  // --- public: what a person at the screen (or a locked kiosk) may do --------------------------
  'app.info': call<AppInfo>()(none, 'public'),
  /** Who is signed in here, whether the first operator must be created, whether this is a locked kiosk. */
  'session.status': call<SessionStatus>()(none, 'public'),
  /** A single-use value every login attempt, kiosk visit and face sign-in must carry. */
  'attempt.challenge': call<AttemptChallenge>()(none, 'public'),
  /**
   * 1:1 login. Who: `identityId`, or the `name` typed on the Log in screen. The level is Settings';
   * `level` may only ask for a stricter one. Every attempt is logged; failures count towards the lock.
   */
  login: call<Verdict>()(
    z
      .strictObject({
        identityId: idSchema.optional(),
        name: nameSchema.optional(),
        level: levelRequest,
        challenge: challengeSchema,
        /** The attempt's frames: the back end replays the liveness rule over them and fuses their templates. */
        evidence: loginEvidenceSchema,
      })
      .refine((a) => (a.identityId === undefined) !== (a.name === undefined), 'give either identityId or name'),
    'public',
  ),
  /**
   * One kiosk visit: the frames of the face in view (measurements and templates, never a verdict).
   * The back end decides it (the visit threshold for this gallery, the liveness setting) and, when
   * recognised, logs the check-in itself.
   */
  'checkins.visit': call<VisitAnswer>()(z.strictObject({ challenge: challengeSchema, evidence: visitEvidenceSchema }), 'public'),
  /** Only while no operator exists (first start): creates the first one and signs this window in. */
  'operators.setup': call<SessionStatus>()(z.strictObject({ name: nameSchema, passphrase: operatorPassphraseSchema }), 'public'),
  /** Passphrase always; an operator tied to an enrolled face also shows it (evidence + challenge). */
  'operators.signIn': call<SessionStatus>()(
    z.strictObject({ name: nameSchema, passphrase: z.string().min(1).max(1024), challenge: challengeSchema.optional(), evidence: loginEvidenceSchema.optional() }),
    'public',
  ),
  'operators.signOut': call<SessionStatus>()(none, 'public'),

  // --- operator -----------------------------------------------------------------------------
  'operators.list': call<OperatorInfo[]>()(none, 'operator', 'read'),
  'operators.add': call<OperatorInfo>()(
    z.strictObject({ name: nameSchema, passphrase: operatorPassphraseSchema, faceIdentityId: idSchema.optional() }),
    'operator',
  ),
  /** The last operator cannot be removed. */
  'operators.remove': call<{ removed: Id }>()(z.strictObject({ id: idSchema }), 'operator'),
  /** Locks this window into the check-in kiosk and ends the operator's session; leaving needs a sign-in. */
  'kiosk.start': call<SessionStatus>()(none, 'operator'),
  'kiosk.leave': call<SessionStatus>()(none, 'operator'),

  'identities.list': call<IdentitySummary[]>()(z.strictObject({ query: nameSchema.optional() }), 'operator', 'read'),
  'identities.get': call<Identity>()(z.strictObject({ id: idSchema }), 'operator', 'read'),
  'identities.create': call<Identity>()(
    z.strictObject({ name: nameSchema, notes: notesSchema.optional(), templates: templatesSchema }),
    'operator',
  ),
  'identities.rename': call<Identity>()(z.strictObject({ id: idSchema, name: nameSchema, notes: notesSchema.optional() }), 'operator'),
  'identities.addTemplates': call<Identity>()(z.strictObject({ id: idSchema, templates: templatesSchema }), 'operator'),
  'identities.removeTemplate': call<Identity>()(z.strictObject({ id: idSchema, templateId: idSchema }), 'operator'),
  'identities.delete': call<{ deleted: Id }>()(z.strictObject({ id: idSchema }), 'operator'),

  /** Before enrolling: does someone enrolled already match these templates? */
  'enroll.checkDuplicate': call<DuplicateCheck>()(
    z.strictObject({ templates: z.array(templateSchema).min(1).max(MAX_TEMPLATES_PER_CALL), level: levelRequest }),
    'operator',
    'read',
  ),
  /** 1:N, top-k with open-set rejection ("who is this photo?"). */
  identify: call<Identification>()(
    z.strictObject({ probe: templateSchema, k: z.number().int().min(1).max(50).optional(), level: levelRequest }),
    'operator',
    'read',
  ),

  /** A visitor the kiosk did not recognise, checked in by an operator (logged with the operator's name). */
  'checkins.manual': call<CheckIn>()(z.strictObject({ identityId: idSchema }), 'operator'),
  'checkins.list': call<CheckIn[]>()(range, 'operator', 'read'),
  /** What each level promises for the gallery enrolled now, the drift check and the cohort. */
  'gallery.status': call<GalleryStatus>()(none, 'operator', 'read'),
  /** Erases every kept unrecognised face now. */
  'cohort.clear': call<CohortStatus>()(none, 'operator'),
  'checkins.exportCsv': call<{ fileName: string; csv: string }>()(range, 'operator', 'read'),

  /** Checks every entry of the event log from the first (an open checks only those since the last checkpoint). */
  'events.checkLog': call<EventLogCheck>()(none, 'operator'),
  'events.list': call<AppEvent[]>()(
    z.strictObject({
      from: timeSchema.optional(),
      to: timeSchema.optional(),
      kind: z.enum(eventKinds).optional(),
      identityId: idSchema.optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
    }),
    'operator',
    'read',
  ),

  'settings.get': call<Settings>()(none, 'operator', 'read'),
  /** Partial update; returns the whole settings after it. */
  'settings.set': call<Settings>()(settingsSchema.partial(), 'operator'),

  'backup.create': call<BackupInfo>()(none, 'operator'),
  'backup.list': call<BackupInfo[]>()(none, 'operator', 'read'),
  'backup.restore': call<{ identities: number }>()(
    z.strictObject({ name: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'expected a backup name from backup.list') }),
    'operator',
  ),

  /** Chosen identities (all when absent) sealed with a passphrase, as a file's bytes the UI saves. */
  'bundle.export': call<{ fileName: string; bundle: string; identities: number; bytes: number }>()(
    z.strictObject({
      identityIds: z.array(idSchema).min(1).max(10_000).optional(),
      passphrase: z.string().min(MIN_BUNDLE_PASSPHRASE, `a passphrase of at least ${MIN_BUNDLE_PASSPHRASE} characters protects the file`).max(1024),
    }),
    'operator',
  ),
  /** Opens a bundle (nothing is written) and says who in it is already enrolled here. */
  'bundle.inspect': call<{ modelId: string; people: BundlePerson[] }>()(
    z.strictObject({ bundle: bundleText, passphrase: z.string().min(1).max(1024) }),
    'operator',
    'read',
  ),
  /** Imports a bundle in one transaction; people already enrolled are merged or skipped (default: skip). */
  'bundle.import': call<{ added: number; merged: number; skipped: number; templates: number }>()(
    z.strictObject({
      bundle: bundleText,
      passphrase: z.string().min(1).max(1024),
      choices: z.record(idSchema, z.enum(['merge', 'skip'])).optional(),
    }),
    'operator',
  ),

  /**
   * Erases this desk's data. On a desk of a fleet, every person's deletion travels to every desk: the
   * caller must say so with `fleetWide: true` (or leave the fleet first to erase this desk only).
   */
  'data.deleteAll': call<{ deleted: true }>()(z.strictObject({ confirm: z.literal(DELETE_ALL_CONFIRMATION), fleetWide: z.boolean().optional() }), 'operator'),

  'training.start': call<TrainingRun>()(z.strictObject({ options: trainingOptionsSchema.optional() }), 'operator'),
  'training.status': call<TrainingRun | null>()(none, 'operator', 'read'),
  'training.cancel': call<TrainingRun | null>()(none, 'operator'),
  /** Use the finished run's agents for identification. */
  'training.accept': call<TrainingRun>()(z.strictObject({ runId: idSchema }), 'operator'),
  /** Go back to the agents in use before the last accepted run (or to plain templates). */
  'training.rollback': call<{ activeRunId: Id | null }>()(none, 'operator'),
  'training.runs': call<TrainingRun[]>()(none, 'operator', 'read'),

  // The fleet (electron/services/fleet): several desks sharing one list of people through PostgreSQL.
  'fleet.status': call<FleetStatus>()(none, 'operator', 'read'),
  /** Makes this desk the first of a new fleet in the (empty) database the connection string names. */
  'fleet.create': call<FleetStatus>()(z.strictObject({ connection: fleetConnectionSchema, label: nameSchema }), 'operator'),
  /** A login for one more desk, with the fleet key, sealed under a passphrase: the join code. */
  'fleet.invite': call<{ deskId: Id; joinCode: string }>()(z.strictObject({ label: nameSchema, passphrase: fleetPassphraseSchema }), 'operator'),
  'fleet.join': call<FleetStatus>()(
    z.strictObject({ connection: fleetConnectionSchema, joinCode: z.string().min(1).max(4000), passphrase: z.string().min(1).max(1024) }),
    'operator',
  ),
  /** Stops syncing and forgets the fleet's key and login; the people enrolled stay on this desk. */
  'fleet.leave': call<FleetStatus>()(none, 'operator'),
  /** Revokes a desk's login at the server (the desk that created the fleet only). */
  'fleet.removeDesk': call<FleetStatus>()(z.strictObject({ deskId: idSchema }), 'operator'),
  'fleet.sync': call<FleetStatus>()(none, 'operator'),
} as const;

// ---------------------------------------------------------------------------------------------
// Types derived from `calls`

export type Calls = typeof calls;
export type CallName = keyof Calls;
export const callNames = Object.keys(calls) as CallName[];
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}
/** The calls anyone at the screen may make; every other call needs a signed-in operator. */
export const publicCalls = callNames.filter((n) => calls[n].right === 'public');
/** What the caller passes. */
export type Args<N extends CallName> = z.input<Calls[N]['args']>;
/** What a handler receives (validated, typed arrays decoded). */
export type ParsedArgs<N extends CallName> = z.output<Calls[N]['args']>;
export type Result<N extends CallName> = Calls[N] extends CallSpec<z.ZodType, infer R> ? R : never;

export type ApiErrorCode =
  | 'invalid-arguments'
  | 'unknown-call'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'locked'
  | 'unavailable'
  | 'storage'
  | 'rate-limited'
  | 'internal';
export interface ApiErrorBody {
  code: ApiErrorCode;
  /** A sentence the UI can show as is. */
  message: string;
  /** For invalid-arguments: which field, and what is wrong with it. */
  issues?: { path: string; message: string }[];
}
/** What crosses every transport: errors are values, they survive contextBridge and JSON alike. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly issues: { path: string; message: string }[];
  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
    this.issues = body.issues ?? [];
  }
  toBody(): ApiErrorBody {
    return this.issues.length ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

/** Validates a call's arguments; the error lists every bad field. */
export function parseArgs<N extends CallName>(name: N, args: unknown): Envelope<ParsedArgs<N>> {
  const parsed = calls[name].args.safeParse(args);
  if (parsed.success) return { ok: true, value: parsed.data as ParsedArgs<N> };
  const issues = parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.') || '(arguments)', message: i.message }));
  const first = issues[0];
  return {
    ok: false,
    error: {
      code: 'invalid-arguments',
      message: first ? `${name}: ${first.path} — ${first.message}` : `${name}: invalid arguments`,
      issues,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Client shapes: `api.identities.list({})`, `api.login({...})`.

type GroupOf<N> = N extends `${infer G}.${string}` ? G : never;
type TopLevel = Exclude<CallName, `${string}.${string}`>;
type Fn<N extends CallName, R> = Record<string, never> extends Args<N> ? (args?: Args<N>) => Promise<R> : (args: Args<N>) => Promise<R>;
type Shape<Wrap extends 'value' | 'envelope'> = {
  [G in GroupOf<CallName>]: {
    [N in CallName as N extends `${G}.${infer M}` ? M : never]: Fn<N, Wrap extends 'value' ? Result<N> : Envelope<Result<N>>>;
  };
} & { [N in TopLevel]: Fn<N, Wrap extends 'value' ? Result<N> : Envelope<Result<N>>> };

/** The typed client: resolves with the result, rejects with ApiError. */
export type Client = Shape<'value'>;
/** `window.normface`: the same calls, resolving with an Envelope (what the preload exposes). */
export type Bridge = Shape<'envelope'>;

/** Sends one call and resolves with its Envelope (IPC, WebSocket, or a direct dispatcher in tests). */
export type Transport = (call: CallName, args: unknown) => Promise<unknown>;

function isEnvelope(v: unknown): v is Envelope<unknown> {
  if (typeof v !== 'object' || v === null || typeof (v as { ok?: unknown }).ok !== 'boolean') return false;
  if ((v as { ok: boolean }).ok) return 'value' in v;
  const e = (v as { error?: unknown }).error;
  return typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string';
}

function buildShape<T>(each: (name: CallName) => (args?: unknown) => Promise<unknown>): T {
  const root: Record<string, unknown> = {};
  for (const name of callNames) {
    const dot = name.indexOf('.');
    if (dot < 0) {
      root[name] = each(name);
    } else {
      const group = name.slice(0, dot);
      const inner = (root[group] ??= {}) as Record<string, unknown>;
      inner[name.slice(dot + 1)] = each(name);
    }
  }
  return root as T;
}

/** The Bridge shape over a transport: what the preload (and the browser host's client) install as window.normface. */
export function createBridge(transport: Transport): Bridge {
  return buildShape<Bridge>((name) => async (args) => {
    try {
      const reply = await transport(name, args ?? {});
      if (isEnvelope(reply)) return reply;
      return { ok: false, error: { code: 'internal', message: `${name}: the back end sent a malformed reply` } };
    } catch (e) {
      return { ok: false, error: { code: 'unavailable', message: `${name}: the back end cannot be reached (${e instanceof Error ? e.message : String(e)})` } };
    }
  });
}

/** The typed client over a transport. */
export function createClient(transport: Transport): Client {
  return clientFromBridge(createBridge(transport));
}

/** The typed client over an existing window.normface. */
export function clientFromBridge(bridge: Bridge): Client {
  const b = bridge as unknown as Record<string, Record<string, (a?: unknown) => Promise<Envelope<unknown>>> | ((a?: unknown) => Promise<Envelope<unknown>>)>;
  return buildShape<Client>((name) => {
    const dot = name.indexOf('.');
    const fn = (dot < 0 ? b[name] : (b[name.slice(0, dot)] as Record<string, (a?: unknown) => Promise<Envelope<unknown>>> | undefined)?.[name.slice(dot + 1)]) as
      | ((a?: unknown) => Promise<Envelope<unknown>>)
      | undefined;
    return async (args) => {
      if (typeof fn !== 'function') throw new ApiError({ code: 'unknown-call', message: `${name} is not offered by this back end` });
      const reply = await fn(args ?? {});
      if (reply.ok) return reply.value;
      throw new ApiError(reply.error);
    };
  });
}
