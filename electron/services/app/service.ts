// The handlers behind every contract call: glue between the contract, the store, the matcher, the
// calibration and the login policy. Arguments arrive validated (dispatch.ts); results are plain JSON.
import {
  ApiError,
  defaultSettings,
  settingsSchema,
  type AppEvent,
  type AppInfo,
  type Candidate,
  type CheckIn,
  type CohortStatus,
  type DriftStatus,
  COHORT_CAP,
  COHORT_MAX_AGE_DAYS,
  type Identity,
  type IdentitySummary as ApiIdentitySummary,
  type ModelInfo,
  type ParsedArgs,
  type SecurityLevel,
  type Settings,
  type StoreState,
  type TemplateInfo as ApiTemplateInfo,
  securityLevels,
} from '../../../core/contract/api';
import { TemplateIndex } from '../../../core/matching/templateIndex';
import { agentSetFrom, identify, type AgentSet } from '../../../core/matching/verdict';
import { decideVisit } from '../../../core/decisions/visit';
import { loginThreshold } from '../../../core/matching/levels';
import { decideLogin } from '../../../core/decisions/login';
import { LIVENESS_REASON_TEXT } from '../../../core/liveness/judge';
import { openStore, restoreDatabase, StoreError, type FleetPerson, type Keyring, type Store } from '../store/index';
import type { IdentityDetail, IdentitySummary, JsonObject, NewTemplate, StoredTemplate, StoreEvent, TemplateInfo } from '../store/types';
import { backupDir, listBackups, newBackupName } from './backups';
import type { CalibrationSource } from './calibration';
import { fnmrOf, levelFmr } from './calibration';
import { checkinsCsv } from './csv';
import { driftStatus, galleryOf, groupedTemplates, levelsCalibration, promises, visitThreshold, type Thresholds } from './gallery';
import type { Handlers } from './dispatch';
import { afterAttempt, attemptsLeft, isLocked } from './loginPolicy';
import type { TrainingFactory, TrainingPort } from './ports';
import { join } from 'node:path';
import { bundleHandlers } from '../bundle/handlers';
import { createFleet, type Fleet } from '../fleet/index';


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
  now?: () => number;
  log?: (message: string, error: unknown) => void;
  /** Sync with a fleet when this desk is in one (default); false: the `normface` command, which leaves that to the app. */
  fleet?: { pollMs?: number } | false;
}

export interface AppService {
  handlers: Handlers;
  storeState(): StoreState;
  /** Templates held by the matcher (for figures and tests). */
  matcher: TemplateIndex;
  /** The agents identify ranks by (the accepted run's), or null: ranked by templates. */
  agents: AgentSet | null;
  /** The fleet this desk syncs with (fleet.* calls, and for tests: syncNow, verifyChains). */
  fleet: Fleet;
  /** Closes the database; later calls answer 'unavailable'. */
  close(): void;
}

const b64 = (bytes: Uint8Array | null | undefined): string | null => (bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') : null);

/** Opens the database (or records why it cannot be opened: the UI then offers a restore). */
export async function createAppService(deps: AppDeps): Promise<AppService> {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? console.error;
  let store: Store | null = null;
  let problem: StoreError | null = null;
  const names = new Map<string, string>();
  let matcher = new TemplateIndex({ firstPass: 'int8' });
  let trainer: TrainingPort | null = null;
  /** The accepted run's agents by identity and its scale s; null when no run is in force. */
  let accepted: { vectors: Map<string, Float32Array>; scale: number } | null = null;
  let agents: AgentSet | null = null;
  /** The last local calibration check; null: the gallery changed since (recomputed on demand). */
  let drift: { status: DriftStatus; localShift: number } | null = null;
  let driftTimer: ReturnType<typeof setTimeout> | undefined;

  /** The matcher holds only templates of the current embedder: scores across models mean nothing. */
  function load(templates: Iterable<StoredTemplate>, into: TemplateIndex): void {
    for (const t of templates) if (t.modelId === deps.modelId) into.add(t.identityId, t.id, t.vector);
  }

  async function open(): Promise<void> {
    try {
      store = await openStore({ dir: deps.dataDir, keyring: deps.keyring, autoBackup: deps.autoBackup });
      problem = null;
      names.clear();
      for (const i of store.listIdentities()) names.set(i.id, i.displayName);
      matcher = new TemplateIndex({ firstPass: 'int8' });
      load(store.allTemplates(), matcher);
      trainer = deps.training ? deps.training(store) : null;
      loadAgents();
      store.changedElsewhere();
    } catch (e) {
      store?.close();
      store = null;
      if (!(e instanceof StoreError)) throw e;
      problem = e;
      log('normface: the database could not be opened', e);
    }
  }
  await open();

  /** Reads the accepted run's agents (after open, accept, rollback). */
  function loadAgents(): void {
    let active: ReturnType<Store['activeAgents']> = null;
    try {
      active = db().activeAgents();
    } catch (e) {
      // A damaged agent must not lock people out: identify falls back to templates, and says why.
      if (!(e instanceof StoreError)) throw e;
      log('normface: the accepted agents could not be read; identifying by templates', e);
    }
    if (!active) {
      accepted = null;
    } else {
      const learnt = active.run.metrics?.['scale'];
      const fixed = active.run.settings['scale'];
      const scale = typeof learnt === 'number' && learnt > 0 ? learnt : typeof fixed === 'number' && fixed > 0 ? fixed : 10;
      accepted = { vectors: new Map(active.agents.map((a) => [a.identityId, a.vector])), scale };
    }
    rebuildAgents();
  }

  /**
   * One agent per identity the matcher holds. A person enrolled after the run has no agent: they
   * are ranked by the normalised mean of their templates, which is where a run starts an agent.
   */
  function rebuildAgents(checkAfterMs = 500): void {
    galleryChanged(checkAfterMs);
    agents = null;
    if (!accepted || matcher.size === 0) return;
    const ids = matcher.ownerIds();
    const dim = matcher.dim;
    const rows = new Float32Array(ids.length * dim);
    ids.forEach((id, i) => {
      const row = rows.subarray(i * dim, (i + 1) * dim);
      const agent = accepted?.vectors.get(id);
      if (agent && agent.length === dim) {
        row.set(agent);
        return;
      }
      for (const t of matcher.templateIdsOf(id)) {
        const v = matcher.templateVector(t);
        if (v) for (let d = 0; d < dim; d++) row[d]! += v[d]!;
      }
    });
    const set = agentSetFrom(ids, rows, accepted.scale, dim);
    if ('ok' in set) log('normface: the accepted agents cannot be used; identifying by templates', new Error(set.error));
    else agents = set;
  }

  function db(): Store {
    if (store) return store;
    throw new ApiError({
      code: 'unavailable',
      message: problem ? `${problem.message} Your data is safe in the backups: restore one from Settings.` : 'The database is closed.',
    });
  }

  function storeState(): StoreState {
    if (store) return { state: 'ok' };
    const latest = safeBackups()[0] ?? null;
    return { state: 'unavailable', message: problem?.message ?? 'The database is closed.', latestBackup: latest };
  }

  function safeBackups() {
    return listBackups(deps.dataDir);
  }

  const settingKeys = Object.keys(settingsSchema.shape) as (keyof Settings)[];
  function settings(): Settings {
    const s = db();
    const stored: Record<string, unknown> = {};
    for (const key of settingKeys) {
      const v = s.getSetting(key);
      if (v !== undefined) stored[key] = v;
    }
    const saved = settingsSchema.partial().safeParse(stored);
    if (!saved.success) {
      // A setting saved by an older version that no longer validates: say so, use the defaults.
      log('normface: saved settings are invalid, using defaults for them', saved.error);
      return { ...defaultSettings };
    }
    return { ...defaultSettings, ...saved.data };
  }

  function templateInfo(t: TemplateInfo): ApiTemplateInfo {
    return {
      id: t.id,
      modelId: t.modelId,
      quality: t.quality as unknown as ApiTemplateInfo['quality'],
      source: t.source,
      createdAt: t.createdAt,
      thumbnail: t.hasThumbnail ? b64(db().templateThumbnail(t.id)) : null,
    };
  }

  function lockedUntil(identityId: string): number | null {
    const l = db().getLockout(identityId);
    return isLocked(l, now()) ? l.lockedUntil : null;
  }

  function summary(i: IdentitySummary): ApiIdentitySummary {
    return {
      id: i.id,
      name: i.displayName,
      notes: i.notes,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      templateCount: i.templateCount,
      thumbnail: b64(i.thumbnail),
      lockedUntil: lockedUntil(i.id),
    };
  }

  function identity(d: IdentityDetail): Identity {
    const templates = d.templates.map(templateInfo);
    const best = [...templates].sort((a, b) => b.quality.score - a.quality.score).find((t) => t.thumbnail);
    return {
      id: d.id,
      name: d.displayName,
      notes: d.notes,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      templateCount: templates.length,
      thumbnail: best?.thumbnail ?? null,
      lockedUntil: lockedUntil(d.id),
      templates,
    };
  }

  function toNewTemplates(templates: ParsedArgs<'identities.create'>['templates']): NewTemplate[] {
    return templates.map((t) => ({
      modelId: deps.modelId,
      vector: t.vector,
      quality: t.quality as JsonObject,
      source: t.source,
      thumbnail: t.thumbnail ?? null,
    }));
  }

  /** Re-reads an identity's templates into the matcher after a change to them. */
  function reindex(identityId: string): void {
    matcher.removeOwner(identityId);
    const mine = [...db().allTemplates(identityId)];
    load(mine, matcher);
    rebuildAgents();
  }

  function level(requested: SecurityLevel | undefined): { level: SecurityLevel; threshold: number } {
    const l = requested ?? settings().securityLevel;
    return { level: l, threshold: thresholds()[l] };
  }

  function calibrated(): NonNullable<ReturnType<CalibrationSource['current']>> {
    const c = deps.calibration.current();
    if (c) return c;
    throw new ApiError({ code: 'unavailable', message: 'The face model is not calibrated yet, so no threshold is known: run `npm run calibrate` first.' });
  }

  /** The calibration as levels.ts reads it, moved by the local shift when the person chose it and the check found drift. */
  function levels() {
    const c = calibrated();
    return levelsCalibration(c, settings().localThresholds ? (currentDrift()?.localShift ?? 0) : 0);
  }

  /** Per-comparison thresholds in force (the duplicate check at enrollment). */
  function thresholds(): Thresholds {
    const c = levels();
    const shift = c.localShift ?? 0;
    return Object.fromEntries(securityLevels.map((l) => [l, Math.min(1, c.thresholds[l] + shift)])) as Thresholds;
  }

  const cohortPolicy = { cap: COHORT_CAP, maxAgeMs: COHORT_MAX_AGE_DAYS * 86_400_000 };
  function cohortStatus(): CohortStatus {
    const s = db();
    s.pruneCohort(cohortPolicy);
    const { count, oldestAt } = s.cohortSize();
    return { enabled: settings().keepUnrecognised, count, cap: COHORT_CAP, maxAgeDays: COHORT_MAX_AGE_DAYS, oldestAt };
  }

  /** The gallery (or the cohort) changed: the local check is stale; redo it soon, off the caller's path. */
  function galleryChanged(checkAfterMs = 500): void {
    drift = null;
    clearTimeout(driftTimer);
    driftTimer = setTimeout(() => {
      try {
        currentDrift();
      } catch (e) {
        log('normface: the local calibration check failed', e);
      }
    }, checkAfterMs);
    driftTimer.unref?.();
  }

  /** Runs the local calibration check when stale, and logs a warning when it starts to warn. */
  function currentDrift(): { status: DriftStatus; localShift: number } | null {
    if (drift) return drift;
    const c = deps.calibration.current();
    if (!c || !store) return null;
    const s = store;
    const cohort = [...s.cohortTemplates()].filter((t) => t.modelId === deps.modelId && t.vector.length === matcher.dim).map((t) => t.vector);
    const l = settings().securityLevel;
    const usingLocal = settings().localThresholds;
    const { status: next, localShift } = driftStatus(levelsCalibration(c, 0), l, groupedTemplates(matcher, cohort), usingLocal, now());
    const wasWarning = s.listEvents({ kinds: ['identify'], limit: 50 }).find((e) => e.details?.['action'] === 'calibration-check')?.details?.['warn'] === true;
    if (next.warn !== wasWarning) {
      // Logged on each change of state, so the log says when the camera's faces drifted and when they came back.
      s.logEvent({ kind: 'identify', details: { action: 'calibration-check', warn: next.warn, level: l, pairs: next.pairs, localRate: next.localRate, expectedRate: next.expectedRate, message: next.message } });
    }
    drift = { status: next, localShift };
    return drift;
  }

  function candidate(identityId: string, score: number): Candidate {
    return { identityId, name: names.get(identityId) ?? '(deleted)', score };
  }

  function event(e: StoreEvent): AppEvent {
    return { id: String(e.id), at: e.at, kind: e.kind, identityId: e.identityId, score: e.score, decision: e.decision, name: e.displayName, detail: e.details ?? {} };
  }

  function checkIn(e: StoreEvent): CheckIn {
    return {
      id: String(e.id),
      identityId: e.identityId ?? '',
      name: e.displayName ?? '(deleted)',
      at: e.at,
      score: e.score ?? 0,
      repeat: e.details?.['repeat'] === true,
    };
  }

  function training(): TrainingPort {
    db();
    if (trainer) return trainer;
    throw new ApiError({ code: 'unavailable', message: 'Local training is not available in this version of the app yet.' });
  }

  /** Stated by the host's keyring; a keyring that says nothing is described as the weak case it may be. */
  function keyCustody(): AppInfo['keyCustody'] {
    return deps.keyring.custody?.() ?? { protection: 'weak', backend: 'unknown', summary: 'This host does not say how the database key is protected; assume anyone who can read the data folder can open it.' };
  }

  function eventLog(): AppInfo['eventLog'] {
    if (!store) return null;
    const c = store.eventLog();
    return { intact: c.intact, entries: c.entries, firstAlteredId: c.firstAltered?.id ?? null, firstAlteredAt: c.firstAltered?.at ?? null, message: c.message };
  }

  /** Re-reads everyone after the people changed behind the handlers (an import). */
  function reloadPeople(): void {
    names.clear();
    for (const i of db().listIdentities()) names.set(i.id, i.displayName);
    matcher = new TemplateIndex({ firstPass: 'int8' });
    load(db().allTemplates(), matcher);
    rebuildAgents();
  }

  /** People the fleet changed here, as they now are (null: deleted). */
  function fleetChanged(changed: readonly { id: string; person: FleetPerson | null }[]): void {
    for (const { id, person } of changed) {
      matcher.removeOwner(id);
      if (person) names.set(id, person.displayName);
      else names.delete(id);
      if (person) load(person.templates.map((t) => ({ ...t, identityId: id })), matcher);
    }
    // Changes from the fleet come in streams (a desk joining takes thousands): check the calibration once they settle.
    rebuildAgents(10_000);
  }

  const fleet = createFleet({ store: db, applied: fleetChanged, now, log, pollMs: deps.fleet === false ? 2 ** 30 : deps.fleet?.pollMs });

  const handlers: Handlers = {
    ...bundleHandlers({
      db,
      matcher: () => matcher,
      threshold: () => level(undefined).threshold,
      modelId: deps.modelId,
      now,
      imported: reloadPeople,
    }),
    ...fleet.handlers,
    'app.info': () => {
      let calibration: AppInfo['calibration'] = null;
      let lfwAccuracy: number | null = null;
      const c = deps.calibration.current();
      if (c) {
        calibration = {
          modelId: c.modelId,
          levels: securityLevels.map((l) => ({ level: l, fmr: levelFmr[l], threshold: c.thresholds[l], fnmr: fnmrOf(c, l) })),
        };
        lfwAccuracy = c.lfw?.accuracy ?? c.lfwAccuracy ?? null;
      }
      return { ...deps.about, lfwAccuracy, calibration, store: storeState(), keyCustody: keyCustody(), eventLog: eventLog(), storeProblems: store?.problems() ?? [] };
    },

    'identities.list': ({ query }) => {
      const q = query?.trim().toLowerCase();
      return db()
        .listIdentities()
        .filter((i) => !q || i.displayName.toLowerCase().includes(q))
        .map(summary);
    },
    'identities.get': ({ id }) => identity(db().getIdentity(id)),
    'identities.create': ({ name, notes, templates }) => {
      const created = db().createIdentity({ displayName: name, notes: notes ?? '', templates: toNewTemplates(templates) });
      names.set(created.id, created.displayName);
      reindex(created.id);
      db().logEvent({ kind: 'enroll', identityId: created.id, details: { action: 'create', templates: templates.length } });
      return identity(created);
    },
    'identities.rename': ({ id, name, notes }) => {
      const s = db();
      const renamed = s.renameIdentity(id, name);
      if (notes !== undefined) s.updateNotes(id, notes);
      names.set(id, renamed.displayName);
      db().logEvent({ kind: 'enroll', identityId: id, details: { action: 'rename' } });
      return identity(s.getIdentity(id));
    },
    'identities.addTemplates': ({ id, templates }) => {
      db().addTemplates(id, toNewTemplates(templates));
      reindex(id);
      db().logEvent({ kind: 'enroll', identityId: id, details: { action: 'add-templates', templates: templates.length } });
      return identity(db().getIdentity(id));
    },
    'identities.removeTemplate': ({ id, templateId }) => {
      if (!db().getIdentity(id).templates.some((t) => t.id === templateId)) {
        throw new ApiError({ code: 'not-found', message: 'That template does not belong to this person (it may have been removed already).' });
      }
      db().removeTemplate(templateId);
      matcher.removeTemplate(templateId);
      rebuildAgents();
      db().logEvent({ kind: 'enroll', identityId: id, details: { action: 'remove-template' } });
      return identity(db().getIdentity(id));
    },
    'identities.delete': ({ id }) => {
      // The store logs the deletion itself.
      db().deleteIdentity(id);
      matcher.removeOwner(id);
      names.delete(id);
      rebuildAgents();
      return { deleted: id };
    },

    'enroll.checkDuplicate': ({ templates, level: requested }) => {
      const { level: l, threshold } = level(requested);
      let best: Candidate | null = null;
      for (const t of templates) {
        const hit = matcher.size > 0 ? matcher.search(t, 1)[0] : undefined;
        if (hit && hit.score >= threshold && (!best || hit.score > best.score)) best = candidate(hit.ownerId, hit.score);
      }
      return { duplicate: best, threshold, level: l };
    },

    verify: ({ identityId, evidence, level: requested }) => {
      const s = db();
      const { level: l, threshold } = level(requested);
      const policy = settings();
      const name = s.getIdentity(identityId).displayName;
      const before = s.getLockout(identityId);
      const t = now();
      const base = { threshold, level: l };
      if (isLocked(before, t)) {
        s.logEvent({ kind: 'verify', identityId, score: null, decision: 'locked', details: { level: l, threshold, reason: 'locked' } });
        const minutes = Math.ceil(((before.lockedUntil ?? t) - t) / 60_000);
        return { ...base, accepted: false, score: null, reason: 'locked', livenessReason: null, message: `${name} is locked after too many failed attempts; try again in ${minutes} min.`, lockedUntil: before.lockedUntil, attemptsLeft: null };
      }
      // The one login rule (core/decisions/login): liveness replayed from the frames, then the fused probe.
      // The level is per attempt: the threshold depends on how many probes are fused and how many templates the identity has.
      const calibration = levels();
      const d = decideLogin({ frames: evidence.frames, index: matcher, identityId, threshold: (probes, templates) => loginThreshold(calibration, l, probes, templates) });
      const lv = d.liveness;
      const details = {
        level: l,
        threshold: d.threshold ?? threshold,
        reason: d.reason,
        detail: d.detail,
        liveness: lv.reason,
        challenge: lv.details.challenge ?? 'none',
        passiveLiveness: Number(lv.details.passive.toFixed(3)),
        planarRatio: lv.details.planarity.ratio === null ? -1 : Number(lv.details.planarity.ratio.toFixed(3)),
        frames: lv.details.frames,
        probes: d.probes,
      };
      if (d.reason === 'no-templates') {
        s.logEvent({ kind: 'verify', identityId, score: null, decision: 'reject', details });
        return { ...base, accepted: false, score: null, reason: 'no-templates', livenessReason: lv.reason, message: `${name} has no templates for the current face model: enrol again.`, lockedUntil: null, attemptsLeft: null };
      }
      const accepted = d.accepted;
      const after = afterAttempt(before, accepted, t, policy);
      s.setLockout(after);
      s.logEvent({ kind: 'verify', identityId, score: d.score, decision: accepted ? 'accept' : 'reject', details });
      const nowLocked = isLocked(after, t);
      if (nowLocked) s.logEvent({ kind: 'lockout', identityId, decision: 'locked', details: { failures: after.failures, lockedUntil: after.lockedUntil ?? 0 } });
      const message = accepted
        ? `Welcome, ${name}.`
        : d.reason === 'liveness-failed'
          ? `The liveness check failed (${LIVENESS_REASON_TEXT[lv.reason]}): look at the camera, blink once or turn your head and back, and try again.`
          : nowLocked
            ? `Not recognised as ${name}. Too many failed attempts: locked for ${policy.lockoutMinutes} min.`
            : `Not recognised as ${name}.`;
      return {
        ...base,
        threshold: d.threshold ?? threshold,
        accepted,
        score: d.score,
        reason: d.reason,
        livenessReason: lv.reason,
        message,
        lockedUntil: nowLocked ? after.lockedUntil : null,
        attemptsLeft: accepted || nowLocked ? null : attemptsLeft(after, policy),
      };
    },

    identify: ({ probe, k, level: requested }) => {
      // "Is this photo anyone enrolled?" is a 1:N decision like a kiosk visit of one probe: its level
      // holds per question against the whole gallery, so it gets the visit's threshold, not one comparison's.
      const l = requested ?? settings().securityLevel;
      const threshold = visitThreshold(levels(), l, galleryOf(matcher), 1);
      let candidates: Candidate[] = [];
      if (agents) {
        // Ranked by cosine to each person's agent; the open-set threshold stays the calibrated one.
        const found = identify(matcher, probe, k ?? 5, threshold, agents);
        if (!found.ok) throw new ApiError({ code: 'invalid-arguments', message: `The probe cannot be identified: ${found.error}.` });
        candidates = found.candidates.map((h) => candidate(h.ownerId, h.score));
      } else if (matcher.size > 0) {
        candidates = matcher.search(probe, k ?? 5).map((h) => candidate(h.ownerId, h.score));
      }
      const top = candidates[0];
      return { candidates, recognised: top && top.score >= threshold ? top : null, threshold, level: l };
    },

    'checkins.visit': ({ evidence }) => {
      const s = db();
      const policy = settings();
      const l = policy.securityLevel;
      const calibration = levels();
      const gallery = galleryOf(matcher);
      const decided = decideVisit({ frames: evidence.frames, index: matcher, agents, threshold: (probes) => visitThreshold(calibration, l, gallery, probes), liveness: policy.checkinLiveness });
      if (!decided.ok) throw new ApiError({ code: 'invalid-arguments', message: `The visit cannot be checked in: ${decided.error}.` });
      const threshold = decided.threshold;
      const base = { threshold, level: l, probes: decided.probes, checkIn: null };
      if (decided.outcome === 'liveness') return { ...base, outcome: 'liveness', message: decided.advice };
      if (decided.outcome === 'not-recognised') {
        // A face that failed the liveness setting (a photo held up) is no stranger worth keeping.
        if (policy.keepUnrecognised && decided.live) {
          s.addToCohort(deps.modelId, decided.fused, cohortPolicy);
          galleryChanged();
        }
        return { ...base, outcome: 'not-recognised', message: 'Not recognised. Please ask at the desk to be enrolled.' };
      }
      const { identityId, score } = decided;
      const t = now();
      const window = policy.repeatGreetingMinutes * 60_000;
      const repeat = window > 0 && s.listEvents({ kinds: ['checkin'], identityId, from: t - window, limit: 1 }).length > 0;
      const e = s.logEvent({ kind: 'checkin', identityId, score, decision: 'accept', at: t, details: { repeat, level: l, threshold, probes: decided.probes, liveness: policy.checkinLiveness } });
      const done = checkIn(e);
      return { ...base, outcome: repeat ? 'repeat' : 'greeting', checkIn: done, message: repeat ? `${done.name}, you are already checked in.` : `Welcome, ${done.name}!` };
    },
    'checkins.list': ({ from, to }) => db().listEvents({ kinds: ['checkin'], from, to, limit: 10_000 }).map(checkIn),
    'checkins.exportCsv': ({ from, to }) => {
      const rows = db().listEvents({ kinds: ['checkin'], from, to, limit: 10_000 }).map(checkIn).reverse();
      return { fileName: `checkins-${new Date(now()).toISOString().slice(0, 10)}.csv`, csv: checkinsCsv(rows) };
    },

    'gallery.status': () => {
      const g = galleryOf(matcher);
      return { people: g.people, templates: g.templates, current: settings().securityLevel, levels: promises(levels(), g), drift: currentDrift()?.status ?? null, cohort: cohortStatus() };
    },
    'cohort.clear': () => {
      db().clearCohort();
      galleryChanged();
      return cohortStatus();
    },

    'events.list': ({ from, to, kind, identityId, limit }) => db().listEvents({ kinds: kind ? [kind] : undefined, from, to, identityId, limit }).map(event),

    'settings.get': () => settings(),
    'settings.set': (changes) => {
      const next = settingsSchema.parse({ ...settings(), ...changes });
      const s = db();
      for (const [key, value] of Object.entries(changes)) if (value !== undefined) s.setSetting(key, value);
      // The check's message and offer are for the level in force.
      if (changes.securityLevel !== undefined || changes.localThresholds !== undefined) drift = null;
      return next;
    },

    'backup.create': async () => {
      const name = newBackupName(now());
      await db().backup(join(backupDir(deps.dataDir), name));
      const info = safeBackups().find((b) => b.name === name);
      if (!info) throw new ApiError({ code: 'storage', message: `The backup ${name} was written but cannot be found in ${backupDir(deps.dataDir)}.` });
      return info;
    },
    'backup.list': () => safeBackups(),
    'backup.restore': async ({ name }) => {
      if (!safeBackups().some((b) => b.name === name)) {
        throw new ApiError({ code: 'not-found', message: `There is no backup named ${name}.` });
      }
      const file = join(backupDir(deps.dataDir), name);
      // A run in progress trains on the data being replaced: stop it, its result would be stale.
      await trainer?.cancel();
      trainer?.dispose?.();
      trainer = null;
      if (store) {
        // The store validates the backup before swapping it in and logs the restore.
        store.restoreFrom(file);
        store.close();
      } else {
        restoreDatabase({ dir: deps.dataDir, keyring: deps.keyring }, file);
      }
      store = null;
      await open();
      return { identities: db().listIdentities().length };
    },

    'data.deleteAll': async () => {
      db();
      // Stopped first: a run finishing into the emptied tables would have nowhere to go.
      await trainer?.cancel();
      db().deleteAllData();
      names.clear();
      matcher = new TemplateIndex({ firstPass: 'int8' });
      accepted = null;
      agents = null;
      galleryChanged();
      return { deleted: true };
    },

    'training.start': ({ options }) => training().start(options ?? {}),
    'training.status': () => training().status(),
    'training.cancel': () => training().cancel(),
    'training.accept': async ({ runId }) => {
      const run = await training().accept(runId);
      loadAgents();
      return run;
    },
    'training.rollback': async () => {
      const active = await training().rollback();
      loadAgents();
      return active;
    },
    'training.runs': () => training().runs(),
  };

  /**
   * Another process on the same database (the `normface` command enrolling a class from a folder, or
   * renaming someone) changes people under this one: each call first catches up when SQLite says
   * someone else committed, and re-reads the templates only when the people's template counts or
   * update times moved (another process's logins only add events).
   */
  let peopleSeen = '';
  function followOtherWriters(): void {
    if (!store?.changedElsewhere()) return;
    const people = store.listIdentities();
    names.clear();
    for (const i of people) names.set(i.id, i.displayName);
    const fingerprint = people.map((i) => `${i.id}:${i.templateCount}:${i.updatedAt}`).join(',');
    if (fingerprint === peopleSeen) return;
    peopleSeen = fingerprint;
    matcher = new TemplateIndex({ firstPass: 'int8' });
    load(store.allTemplates(), matcher);
    loadAgents();
    galleryChanged();
  }
  const current = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [name, (args: never) => {
      followOtherWriters();
      const out = (handler as (a: never) => unknown)(args);
      if (deps.fleet !== false) fleet.nudge();
      return out;
    }]),
  ) as Handlers;

  return {
    handlers: current,
    storeState,
    get matcher() {
      return matcher;
    },
    get agents() {
      return agents;
    },
    fleet,
    close() {
      clearTimeout(driftTimer);
      void fleet.close();
      trainer?.dispose?.();
      trainer = null;
      store?.close();
      store = null;
    },
  };
}
