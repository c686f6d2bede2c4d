// The app's data as a whole (operator calls but app.info): settings, the event log, backups and
// restore, the passphrase bundle, what each level promises, and erasing everything.
import { join } from 'node:path';
import { ApiError, securityLevels, settingsSchema, type AppEvent, type AppInfo } from '../../../../core/contract/api';
import { bundleHandlers } from './bundle';
import type { StoreEvent } from '../../store/types';
import { backupDir, listBackups, newBackupName } from '../backups';
import { levelRate } from '../../../../core/matching/levels';
import { fnmrOf } from '../calibration';
import type { AppContext } from '../context';
import type { Handlers } from '../dispatch';
import { galleryOf, promises } from '../gallery';
import { cohortStatus } from './checkins';

type DataCalls =
  | 'app.info' | 'settings.get' | 'settings.set' | 'events.list' | 'events.checkLog' | 'gallery.status'
  | 'backup.create' | 'backup.list' | 'backup.restore' | 'data.deleteAll'
  | 'bundle.export' | 'bundle.inspect' | 'bundle.import';

/** What the store's lifecycle offers the data calls (service.ts owns it). */
export interface StoreLifecycle {
  storeState(): AppInfo['store'];
  eventLog(): AppInfo['eventLog'];
  storeProblems(): AppInfo['storeProblems'];
  /** Validates and swaps in a backup, reopens, reloads the gallery. */
  restore(file: string): Promise<void>;
  /** Erases every person, template, event and backup; the gallery empties. */
  deleteAll(): Promise<void>;
}

function eventOf(e: StoreEvent): AppEvent {
  return { id: String(e.id), at: e.at, kind: e.kind, identityId: e.identityId, score: e.score, decision: e.decision, name: e.name, detail: e.details ?? {} };
}

export function dataCalls(ctx: AppContext, lifecycle: StoreLifecycle): Pick<Handlers, DataCalls> {
  /** Stated by the host's keyring; a keyring that says nothing is described as the weak case it may be. */
  const keyCustody = (): AppInfo['keyCustody'] =>
    ctx.deps.keyring.custody?.() ?? { protection: 'weak', backend: 'unknown', summary: 'This host does not say how the database key is protected; assume anyone who can read the data folder can open it.' };

  return {
    ...bundleHandlers({
      db: ctx.db,
      matcher: () => ctx.gallery.matcher,
      threshold: () => ctx.level(undefined).threshold,
      modelId: ctx.deps.modelId,
      now: ctx.now,
      imported: () => ctx.gallery.reload(ctx.db()),
    }),
    'app.info': (_args, caller) => {
      let calibration: AppInfo['calibration'] = null;
      let lfwAccuracy: number | null = null;
      const c = ctx.deps.calibration.current();
      if (c) {
        calibration = {
          modelId: c.modelId,
          levels: securityLevels.map((l) => ({ level: l, fmr: levelRate(l), threshold: c.thresholds[l], fnmr: fnmrOf(c, l) })),
        };
        lfwAccuracy = c.lfw?.accuracy ?? c.lfwAccuracy ?? null;
      }
      const about = { ...ctx.deps.about, lfwAccuracy, calibration };
      const store = lifecycle.storeState();
      if (!ctx.access.operatorOf(caller, false)) {
        // Whoever stands at a kiosk does not learn how the key is kept, whether the log was altered or
        // what is wrong with the data. An unavailable database still says why at every screen: then no
        // operator can sign in (they are in it), and the owner must read "put the key file back" there.
        return { ...about, store, keyCustody: null, eventLog: null, storeProblems: [] };
      }
      return { ...about, store, keyCustody: keyCustody(), eventLog: lifecycle.eventLog(), storeProblems: lifecycle.storeProblems() };
    },

    'settings.get': () => ctx.settings(),
    'settings.set': (changes) => {
      const next = settingsSchema.parse({ ...ctx.settings(), ...changes });
      const s = ctx.db();
      for (const [key, value] of Object.entries(changes)) if (value !== undefined) s.setSetting(key, value);
      // The check's message and offer are for the level in force.
      if (changes.securityLevel !== undefined || changes.localThresholds !== undefined) ctx.gallery.changed();
      return next;
    },

    'events.list': ({ from, to, kind, identityId, limit }) => ctx.db().listEvents({ kinds: kind ? [kind] : undefined, from, to, identityId, limit }).map(eventOf),

    'events.checkLog': () => {
      ctx.db().checkEventLog();
      return lifecycle.eventLog()!;
    },

    'gallery.status': () => {
      const g = galleryOf(ctx.gallery.matcher);
      return { people: g.people, templates: g.templates, current: ctx.settings().securityLevel, levels: promises(ctx.levels(), g), drift: ctx.gallery.currentDrift()?.status ?? null, cohort: cohortStatus(ctx) };
    },

    'backup.create': async () => {
      const name = newBackupName(ctx.now());
      await ctx.db().backup(join(backupDir(ctx.deps.dataDir), name));
      const info = listBackups(ctx.deps.dataDir).find((b) => b.name === name);
      if (!info) throw new ApiError({ code: 'storage', message: `The backup ${name} was written but cannot be found in ${backupDir(ctx.deps.dataDir)}.` });
      return info;
    },
    'backup.list': () => listBackups(ctx.deps.dataDir),
    'backup.restore': async ({ name }) => {
      if (!listBackups(ctx.deps.dataDir).some((b) => b.name === name)) {
        throw new ApiError({ code: 'not-found', message: `There is no backup named ${name}.` });
      }
      await lifecycle.restore(join(backupDir(ctx.deps.dataDir), name));
      return { identities: ctx.db().listIdentities().length };
    },

    'data.deleteAll': async ({ fleetWide }) => {
      // The people of a fleet's desk are the fleet's: erasing them here erases them at every desk.
      if (ctx.db().fleet.membership() && fleetWide !== true) {
        throw new ApiError({
          code: 'conflict',
          message: 'This desk shares its people with a fleet: deleting all data here deletes every person at every desk. Leave the fleet first (Settings, Fleet) to erase this desk only, or confirm that every desk loses its people.',
        });
      }
      await lifecycle.deleteAll();
      return { deleted: true };
    },
  };
}
