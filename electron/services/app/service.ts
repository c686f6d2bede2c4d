// The back end behind every contract call: opens the store (or records why it cannot, so the UI can
// offer a restore), owns its lifecycle and the live gallery, and composes the call groups in calls/.
// Who may make a call is decided before any of them runs, by the gate (dispatch.ts) from the
// contract's table; what a call does lives in its group.
import { ApiError, type StoreState } from '../../../core/contract/api';
import type { AgentSet } from '../../../core/matching/identify';
import type { TemplateIndex } from '../../../core/matching/templateIndex';
import { operatorsInFile, openStore, restoreDatabase, StoreError, type Store } from '../store/index';
import { Access } from './access';
import { backupDir, listBackups } from './backups';
import { join } from 'node:path';
import { checkinCalls } from './calls/checkins';
import { dataCalls, type StoreLifecycle } from './calls/data';
import { identityCalls } from './calls/identities';
import { loginCalls, loginOverRate } from './calls/login';
import { kioskLocked, operatorCalls } from './calls/operators';
import { trainingCalls } from './calls/training';
import { calibratedOr, levelsCalibration, readSettings, stricterLevel, thresholdsOf, type AppContext, type AppDeps } from './context';
import { createGate, type Gate, type Handlers } from './dispatch';
import { LiveGallery } from './liveGallery';
import type { TrainingPort } from './ports';
import { createFleet, type Fleet } from '../fleet/index';
import { parseStamp, systemClock } from './steadyClock';

export type { AppDeps } from './context';

export interface AppService {
  handlers: Handlers;
  /** Connects windows, sockets and the command line; checks every call's right. */
  gate: Gate;
  access: Access;
  storeState(): StoreState;
  /** Whether the window must show the locked check-in kiosk. */
  kioskLocked(): boolean;
  /** Templates held by the matcher (for figures and tests). */
  matcher: TemplateIndex;
  /** The fleet this desk syncs with (fleet.* calls, and for tests: syncNow, verifyChains). */
  fleet: Fleet;
  /** The agents identify ranks by (the accepted run's), or null: ranked by templates. */
  agents: AgentSet | null;
  /** Closes the database; later calls answer 'unavailable'. */
  close(): void;
}

/** Operator calls that change something are logged with who made them; these argument fields say what they touched. */
const TARGET_FIELDS = ['id', 'identityId', 'runId', 'templateId'] as const;

/** Opens the database (or records why it cannot be opened: the UI then offers a restore). */
export async function createAppService(deps: AppDeps): Promise<AppService> {
  const clock = deps.clock ?? systemClock();
  const now = deps.now ?? clock.now;
  const log = deps.log ?? console.error;
  let store: Store | null = null;
  /** True while a restore copies into the live file: a write from this process would wait on it with the event loop blocked. */
  let restoring = false;
  let problem: StoreError | null = null;
  let trainer: TrainingPort | null = null;

  /**
   * Only a damaged database is helped by a restore: a missing or wrong key opens no backup either (they
   * are sealed with the same key), and a folder that cannot be written cannot take a restore.
   */
  const restoreHelps = (): boolean => problem?.code === 'corrupt';
  const db = (): Store => {
    if (restoring) throw new ApiError({ code: 'unavailable', message: 'A backup is being restored; try again in a moment.' });
    if (store) return store;
    throw new ApiError({
      code: 'unavailable',
      message: problem ? `${problem.message}${restoreHelps() ? ' Your data is safe in the backups: restore one from Settings.' : ''}` : 'The database is closed.',
    });
  };
  const settings = () => readSettings(db(), log);
  const gallery = new LiveGallery({
    modelId: deps.modelId,
    now,
    log,
    calibration: () => deps.calibration.current(),
    policy: (s) => {
      const current = readSettings(s, log);
      return { level: current.securityLevel, localThresholds: current.localThresholds };
    },
  });
  const access = new Access(() => (store ? settings().operatorIdleMinutes : 5) * 60_000);

  const levels = () => levelsCalibration(calibratedOr(deps.calibration), settings().localThresholds ? (gallery.currentDrift()?.localShift ?? 0) : 0);
  const ctx: AppContext = {
    deps,
    now,
    clock,
    lockRemaining: (l) => {
      if (l.lockedUntil === null) return null;
      const entry = db().listEvents({ kinds: ['lockout'], identityId: l.identityId, limit: 20 }).find((e) => e.details?.['lockedUntil'] === l.lockedUntil);
      const stamp = parseStamp(entry?.details?.['clock']);
      const lockMs = entry?.details?.['lockMs'];
      // An entry without a stamp (an older version's) counts from the wall clock, never longer than the lock's length.
      const remaining = stamp !== null && typeof lockMs === 'number' ? lockMs - clock.elapsedSince(stamp) : Math.min(l.lockedUntil - now(), settings().lockoutMinutes * 60_000);
      return remaining > 0 ? remaining : null;
    },
    log,
    access,
    gallery,
    db,
    trainer: () => {
      db();
      if (trainer) return trainer;
      throw new ApiError({ code: 'unavailable', message: 'Local training is not available in this version of the app yet.' });
    },
    settings,
    calibrated: () => calibratedOr(deps.calibration),
    levels,
    thresholds: () => thresholdsOf(levels()),
    level: (requested) => {
      const level = stricterLevel(settings().securityLevel, requested);
      return { level, threshold: thresholdsOf(levels())[level] };
    },
    signInOperators: () => {
      if (store) return { operators: store.listOperators(), fromBackup: false };
      const latest = listBackups(deps.dataDir)[0];
      if (!latest) return { operators: [], fromBackup: true };
      let key: Buffer;
      try {
        key = deps.keyring.getKey();
      } catch {
        return { operators: [], fromBackup: true };
      }
      return { operators: operatorsInFile(join(backupDir(deps.dataDir), latest.name), key), fromBackup: true };
    },
  };

  async function open(): Promise<void> {
    try {
      store = await openStore({ dir: deps.dataDir, keyring: deps.keyring, autoBackup: deps.autoBackup, currentModel: { modelId: deps.modelId } });
      problem = null;
      gallery.reload(store);
      trainer = deps.training ? deps.training(store) : null;
      store.changedElsewhere();
    } catch (e) {
      store?.close();
      store = null;
      gallery.reload(null);
      if (!(e instanceof StoreError)) throw e;
      problem = e;
      log('normface: the database could not be opened', e);
    }
  }
  await open();

  // The full chain check is deferred: start-up pays only for the entries since the last checkpoint.
  const fullLogCheckAfter = deps.fullLogCheckAfterMs === undefined ? 5000 : deps.fullLogCheckAfterMs;
  // In steps with a pause between them, so calls are answered meanwhile.
  const fullLogCheck = fullLogCheckAfter === null ? undefined : setTimeout(() => {
    store?.checkEventLogInSteps(() => new Promise((resolve) => setImmediate(resolve))).catch((e: unknown) => log('normface: the event log could not be checked in full', e));
  }, fullLogCheckAfter);
  fullLogCheck?.unref?.();

  function storeState(): StoreState {
    if (store) return { state: 'ok' };
    return { state: 'unavailable', message: problem?.message ?? 'The database is closed.', latestBackup: restoreHelps() ? (listBackups(deps.dataDir)[0] ?? null) : null };
  }

  const lifecycle: StoreLifecycle = {
    storeState,
    eventLog: () => {
      if (!store) return null;
      const c = store.eventLog();
      const restored = c.restored ? { at: c.restored.at, discarded: c.restored.discarded, fromId: c.restored.fromId, toId: c.restored.toId, message: c.restored.message } : null;
      return { intact: c.intact, entries: c.entries, firstAlteredId: c.firstAltered?.id ?? null, firstAlteredAt: c.firstAltered?.at ?? null, message: c.message, ...(restored ? { restored } : {}) };
    },
    /** The store's problems and the keyring's (a key file removed under the running app). */
    storeProblems: () => {
      const found = store ? store.problems() : [];
      const keyProblem = deps.keyring.problem?.() ?? null;
      if (keyProblem !== null) found.push(keyProblem);
      return found;
    },
    async restore(file) {
      // A run in progress trains on the data being replaced: stop it, its result would be stale.
      await trainer?.cancel();
      trainer?.dispose?.();
      trainer = null;
      if (store) {
        // The store validates the backup before copying it in and logs the restore.
        const live = store;
        restoring = true;
        try {
          await live.restoreFrom(file);
        } finally {
          restoring = false;
        }
        live.close();
      } else {
        restoreDatabase({ dir: deps.dataDir, keyring: deps.keyring, currentModel: { modelId: deps.modelId } }, file);
      }
      store = null;
      await open();
    },
    async deleteAll() {
      // Stopped first: a run finishing into the emptied tables would have nowhere to go.
      await trainer?.cancel();
      db().deleteAllData();
      gallery.reload(db());
    },
  };

  const fleet = createFleet({ store: db, applied: (changed) => gallery.applyFleetChanges(changed), now, log, pollMs: deps.fleet === false ? 2 ** 30 : deps.fleet?.pollMs });

  const groups: Handlers = {
    ...loginCalls(ctx),
    ...checkinCalls(ctx),
    ...identityCalls(ctx),
    ...operatorCalls(ctx),
    ...dataCalls(ctx, lifecycle),
    ...trainingCalls(ctx),
    ...fleet.handlers,
  };
  // Another process on the same database (the `normface` command enrolling from a folder) changes people under this one.
  const handlers = Object.fromEntries(
    Object.entries(groups).map(([name, handler]) => [name, (args: never, caller: never) => {
      gallery.followOtherWriters();
      const out = (handler as (a: never, c: never) => unknown)(args, caller);
      // A call may have changed something the fleet shares: send it soon.
      if (deps.fleet !== false) fleet.nudge();
      return out;
    }]),
  ) as Handlers;

  const gate = createGate(
    handlers,
    access,
    {
      audit(call, args, operator) {
        if (!store) return;
        const a = args as Record<string, unknown>;
        const target = TARGET_FIELDS.map((f) => a[f]).find((v) => typeof v === 'string') as string | undefined;
        try {
          store.logEvent({ kind: 'operator', decision: 'accept', details: { action: call, operatorId: operator.id, operator: operator.name, ...(target ? { target } : {}) } });
        } catch (e) {
          log(`normface: ${call} was done but could not be logged`, e);
        }
      },
      overRate(call, args) {
        if (call === 'login' && store) loginOverRate(ctx, args as Parameters<typeof loginOverRate>[1]);
      },
    },
    log,
  );

  return {
    handlers,
    gate,
    access,
    storeState,
    kioskLocked: () => kioskLocked(ctx),
    get matcher() {
      return gallery.matcher;
    },
    get agents() {
      return gallery.agents;
    },
    fleet,
    close() {
      void fleet.close();
      clearTimeout(fullLogCheck);
      gallery.close();
      trainer?.dispose?.();
      trainer = null;
      store?.close();
      store = null;
    },
  };
}
