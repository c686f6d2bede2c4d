// What the handlers need from the parts around them, named by the handlers' needs. The store,
// matcher and training service are adapted to these in backend.ts, so a change in one of them is
// absorbed in one place, and the handlers can be tested against the real store.
import type { BackupInfo, Settings, TrainingOptions, TrainingRun } from '../../../core/contract/api';
import type {
  IdentityDetail,
  IdentitySummary,
  Lockout,
  NewEvent,
  NewTemplate,
  EventQuery,
  StoreEvent,
  StoredTemplate,
  TemplateInfo,
} from '../store/types';

export interface StorePort {
  listIdentities(): IdentitySummary[];
  /** Throws StoreError 'not_found'. */
  getIdentity(id: string): IdentityDetail;
  createIdentity(name: string, notes: string, templates: NewTemplate[]): IdentityDetail;
  updateIdentity(id: string, name: string, notes: string | undefined): IdentityDetail;
  addTemplates(identityId: string, templates: NewTemplate[]): TemplateInfo[];
  removeTemplate(identityId: string, templateId: string): void;
  deleteIdentity(id: string): void;
  thumbnail(templateId: string): Uint8Array | null;
  allTemplates(): StoredTemplate[];
  logEvent(event: NewEvent): StoreEvent;
  listEvents(query: EventQuery): StoreEvent[];
  /** Saved settings; keys never saved are absent. */
  loadSettings(): Partial<Settings>;
  saveSettings(settings: Settings): void;
  getLockout(identityId: string): Lockout;
  setLockout(lockout: Lockout): void;
  createBackup(): BackupInfo;
  deleteAll(): void;
  close(): void;
}

/** Backups are files; listing and restoring them works while the database cannot be opened. */
export interface BackupPort {
  list(): BackupInfo[];
  /** Replaces the (closed) database with the named backup. Throws when the name is not listed. */
  restore(name: string): void;
}

export interface MatchHit {
  identityId: string;
  score: number;
}

export interface MatcherPort {
  /** Replaces everything held (start-up, restore). */
  load(templates: readonly StoredTemplate[]): void;
  add(templates: readonly StoredTemplate[]): void;
  removeTemplate(templateId: string): void;
  removeIdentity(identityId: string): void;
  /** Best score per identity, best first, at most k identities. */
  search(probe: Float32Array, k: number): MatchHit[];
  /** The identity's best score against any of the probes; null when it has no templates. */
  bestScore(identityId: string, probes: readonly Float32Array[]): number | null;
  size(): number;
}

export interface TrainingPort {
  start(options: TrainingOptions): Promise<TrainingRun> | TrainingRun;
  status(): Promise<TrainingRun | null> | TrainingRun | null;
  cancel(): Promise<TrainingRun | null> | TrainingRun | null;
  accept(runId: string): Promise<TrainingRun> | TrainingRun;
  rollback(): Promise<{ activeRunId: string | null }> | { activeRunId: string | null };
  runs(): Promise<TrainingRun[]> | TrainingRun[];
}
