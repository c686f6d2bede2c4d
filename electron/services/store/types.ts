// The store's public shapes. Times are milliseconds since the Unix epoch; ids are UUID strings
// (events use increasing integers). Vectors are unit Float32Arrays.
import type { FallThroughCause } from '../../../core/contract/eventWords';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type TemplateSource = 'camera' | 'photo';

export interface NewTemplate {
  /** The embedder that produced the vector (models/manifest.json id); matching never mixes models. */
  modelId: string;
  vector: Float32Array;
  /** Quality measures from the vision pipeline (sharpness, pose, ...), kept for review and re-enrolment. */
  quality: JsonObject;
  source: TemplateSource;
  /** Encoded JPEG or PNG of the aligned face, shown in the UI; sealed like the vector. */
  thumbnail?: Uint8Array | null;
}

export interface TemplateRecord {
  id: string;
  identityId: string;
  modelId: string;
  dim: number;
  quality: JsonObject;
  source: TemplateSource;
  hasThumbnail: boolean;
  createdAt: number;
}

/** What the matcher loads at start-up. */
export interface StoredTemplate {
  id: string;
  identityId: string;
  modelId: string;
  vector: Float32Array;
}

export interface Identity {
  id: string;
  name: string;
  notes: string;
  createdAt: number;
  updatedAt: number;
  /** Last accepted verification, identification or check-in; null if never seen. */
  lastSeenAt: number | null;
}

export interface IdentityDetail extends Identity {
  templates: TemplateRecord[];
}

export interface IdentitySummaryRow extends Identity {
  templateCount: number;
  /** The oldest template's thumbnail, if any has one. */
  thumbnail: Uint8Array | null;
}

export type EventKind =
  | 'enroll'
  | 'delete'
  | 'verify'
  | 'identify'
  | 'checkin'
  | 'lockout'
  | 'backup'
  | 'restore'
  | 'training'
  | 'operator'
  | 'drift-check';
export const EVENT_KINDS: readonly EventKind[] = ['enroll', 'delete', 'verify', 'identify', 'checkin', 'lockout', 'backup', 'restore', 'training', 'operator', 'drift-check'];

/** 'accept' on verify/identify/checkin also updates the identity's lastSeenAt. */
export type EventDecision = 'accept' | 'reject' | 'locked';
export const EVENT_DECISIONS: readonly EventDecision[] = ['accept', 'reject', 'locked'];

// The causes live with their words (core/contract/eventWords.ts): one list for the record and the log's reader.
export { FALL_THROUGH_CAUSES, type FallThroughCause } from '../../../core/contract/eventWords';

/** One fall-through as PAM describes it; the texts come from whoever starts the login and are bounded when stored. */
export interface FallThrough {
  cause: FallThroughCause;
  /** The record the system user maps to, when it does. */
  identityId: string | null;
  /** PAM_USER, PAM_SERVICE, PAM_TTY, PAM_RHOST. */
  user?: string;
  service?: string;
  tty?: string;
  rhost?: string;
  /** A short code (the camera's error), never a sentence. */
  code?: string;
}

export interface NewEvent {
  kind: EventKind;
  identityId?: string | null;
  /** Defaults to the identity's current name, so the log still reads after the identity is deleted. */
  name?: string | null;
  score?: number | null;
  decision?: EventDecision | null;
  details?: JsonObject | null;
  at?: number;
}

export interface StoreEvent {
  id: number;
  at: number;
  kind: EventKind;
  identityId: string | null;
  name: string | null;
  score: number | null;
  decision: EventDecision | null;
  details: JsonObject | null;
}

export interface EventQuery {
  kinds?: readonly EventKind[];
  /** Inclusive. */
  from?: number;
  /** Exclusive. */
  to?: number;
  identityId?: string;
  /** Newest first; default 500, at most 10,000. */
  limit?: number;
}

export interface Lockout {
  identityId: string;
  /** Consecutive failed verifications since the last success. */
  failures: number;
  /** Locked while now < lockedUntil; null when not locked. */
  lockedUntil: number | null;
}

export type TrainingStatus = 'running' | 'accepted' | 'rejected' | 'rolled_back' | 'failed';

export interface TrainingRunRow {
  id: string;
  /** 1, 2, 3... in creation order. */
  version: number;
  settings: JsonObject;
  metrics: JsonObject | null;
  status: TrainingStatus;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  acceptedAt: number | null;
  agentCount: number;
}

export interface Agent {
  identityId: string;
  vector: Float32Array;
}

export interface TrainingOutcome {
  status: 'accepted' | 'rejected' | 'failed';
  metrics: JsonObject;
  /** One unit vector per identity; ignored when status is 'failed'. */
  agents: readonly Agent[];
}

export interface FinishedRun {
  run: TrainingRunRow;
  /** Identities deleted while the run trained: their agents were not stored. */
  droppedIdentityIds: string[];
}

export interface ActiveAgents {
  run: TrainingRunRow;
  agents: Agent[];
}

export interface BackupInfo {
  file: string;
  bytes: number;
  identities: number;
  templates: number;
}

/** A kiosk visit that ended "not recognised": its fused template, no identity, no image. */
export interface CohortTemplate {
  id: string;
  modelId: string;
  vector: Float32Array;
  createdAt: number;
}

/** How many cohort faces are kept, and for how long. */
export interface CohortPolicy {
  cap: number;
  maxAgeMs: number;
}

/** The event log's MAC chain as checked at open. A break never stops the app; it is shown to the person. */
export interface LogCheck {
  intact: boolean;
  /** Rows in the log now. */
  entries: number;
  /** The first entry that does not verify: changed (or forged) in place, or removed. */
  firstAltered: { id: number; at: number | null; how: 'changed' | 'removed' } | null;
  /** A sentence for Settings, About and the log view; null when intact. */
  message: string | null;
  /** The newest restore, which rewound the log (the entries it discarded), or null when there was none. */
  restored?: RestoreRecord | null;
}

export interface RestoreRecord {
  /** The restore's own entry in the log. */
  entryId: number;
  at: number;
  discarded: number;
  fromId: number | null;
  toId: number | null;
  message: string;
}

/** One identity with everything needed to enrol it elsewhere (the bundle's payload), opened. */
export interface PortableIdentity {
  id: string;
  name: string;
  notes: string;
  createdAt: number;
  templates: {
    modelId: string;
    vector: Float32Array;
    quality: JsonObject;
    source: TemplateSource;
    thumbnail: Uint8Array | null;
    createdAt: number;
  }[];
}

/** How to import one bundle identity: a new person, templates added to a local one, or not at all. */
export type ImportAction = { kind: 'add' } | { kind: 'merge'; into: string } | { kind: 'skip' };

export interface ImportOutcome {
  added: number;
  merged: number;
  skipped: number;
  /** Templates written (merges leave out those already held). */
  templates: number;
}

/** An operator as the store keeps one (the passphrase hash is the app's; the store only holds it). */
export interface StoredOperator {
  id: string;
  name: string;
  passphraseHash: string;
  faceIdentityId: string | null;
  createdAt: number;
  failures: number;
  lockedUntil: number | null;
}

/** Something the person must know about the database: the same shape as the contract's StoreProblem. */
export interface StoreProblem {
  kind: string;
  message: string;
}
