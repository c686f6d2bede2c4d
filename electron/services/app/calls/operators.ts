// Operators and the window's state: who is signed in here, the first start's operator, sign-in
// (passphrase always; the face as well for an operator tied to an enrolled person, never alone: an
// RGB camera cannot stop a screen replay), the locked kiosk, and managing operators.
import { ApiError, type OperatorInfo, type SessionStatus } from '../../../../core/contract/api';
import type { StoredOperator } from '../../store/types';
import type { Caller, SignedIn } from '../access';
import type { AppContext } from '../context';
import type { Handlers } from '../dispatch';
import { galleryOf, promises } from '../gallery';
import { afterAttempt, attemptsLeft, isLocked } from '../loginPolicy';
import { hashPassphrase, passphraseMatches, spendPassphraseCost } from '../passphrase';
import { judgeAttempt, requireCurrent } from './login';

type OperatorCalls =
  | 'session.status' | 'operators.setup' | 'operators.signIn' | 'operators.signOut' | 'operators.list' | 'operators.add' | 'operators.remove'
  | 'kiosk.start' | 'kiosk.leave';

/** Settings key of the kiosk lock: stored, so a reload or a restart does not unlock the kiosk. */
const KIOSK_LOCKED = 'kioskLocked';

export function kioskLocked(ctx: AppContext): boolean {
  try {
    return ctx.db().getSetting(KIOSK_LOCKED) === true;
  } catch {
    return false;
  }
}

export function operatorCalls(ctx: AppContext): Pick<Handlers, OperatorCalls> {
  const log = (action: string, decision: 'accept' | 'reject' | 'locked' | null, details: Record<string, string | number | boolean | null>) =>
    ctx.db().logEvent({ kind: 'operator', decision, details: { action, ...details } });

  const status = (caller: Caller): SessionStatus => {
    const op = ctx.access.operatorOf(caller, false);
    let needsSetup = false;
    let screen: SessionStatus['screen'] | null = null;
    let visitPromise: string | null = null;
    try {
      const s = ctx.settings();
      needsSetup = ctx.db().listOperators().length === 0;
      screen = { cameraId: s.cameraId, resolution: s.resolution, backend: s.backend, securityLevel: s.securityLevel, checkinLiveness: s.checkinLiveness, repeatGreetingMinutes: s.repeatGreetingMinutes };
      const c = ctx.deps.calibration.current();
      if (c) visitPromise = promises(ctx.levels(), galleryOf(ctx.gallery.matcher)).find((p) => p.level === s.securityLevel)?.sentence ?? null;
    } catch {
      // The store is not open: app.info says why; the screen falls back to the defaults.
    }
    return {
      needsSetup,
      operator: op ? { ...op, idleMinutes: screen ? ctx.settings().operatorIdleMinutes : 5 } : null,
      kiosk: kioskLocked(ctx),
      screen: screen ?? { cameraId: null, resolution: '1280x720', backend: 'auto', securityLevel: '1e-4', checkinLiveness: 'passive', repeatGreetingMinutes: 30 },
      visitPromise,
    };
  };

  /**
   * What an operator's lock has left: counted from the wall clock, but never longer than the lock's
   * length, so a clock moved back cannot lock an operator out for a day.
   */
  const lockLeft = (o: StoredOperator): number | null => {
    if (o.lockedUntil === null) return null;
    const left = Math.min(o.lockedUntil - ctx.now(), ctx.settings().lockoutMinutes * 60_000);
    return left > 0 ? left : null;
  };
  const info = (o: StoredOperator): OperatorInfo => ({
    id: o.id,
    name: o.name,
    faceIdentityId: o.faceIdentityId,
    createdAt: o.createdAt,
    lockedUntil: isLocked(lockLeft(o)) ? o.lockedUntil : null,
  });

  const setKiosk = (locked: boolean) => {
    ctx.db().setSetting(KIOSK_LOCKED, locked);
    ctx.deps.onKioskChange?.(locked);
  };

  /** A failed sign-in counts against the operator like a failed login against a person. */
  const failed = (o: StoredOperator, reason: string): never => {
    const t = ctx.now();
    const policy = ctx.settings();
    const after = afterAttempt({ identityId: o.id, failures: o.failures, lockedUntil: o.lockedUntil }, false, lockLeft(o), t, policy);
    ctx.db().setOperatorLockout(o.id, after.failures, after.lockedUntil);
    const locked = after.lockedUntil !== null;
    log('sign-in', locked ? 'locked' : 'reject', { operatorId: o.id, operator: o.name, reason });
    const left = attemptsLeft(after, policy);
    throw new ApiError({
      code: 'forbidden',
      message: locked
        ? `Too many failed sign-ins: ${o.name} is locked for ${policy.lockoutMinutes} min.`
        : `${reason === 'face' ? 'The face did not match this operator' : 'The name or passphrase is wrong'}; ${left} attempt${left === 1 ? '' : 's'} left before the lock.`,
    });
  };

  return {
    'session.status': (_args, caller) => status(caller),

    'operators.setup': async ({ name, passphrase }, caller) => {
      if (ctx.db().listOperators().length > 0) throw new ApiError({ code: 'forbidden', message: 'The first operator has already been created: sign in instead.' });
      const created = ctx.db().addOperator({ name, passphraseHash: await hashPassphrase(passphrase), faceIdentityId: null }, true);
      ctx.access.signIn(caller, { id: created.id, name: created.name });
      log('setup', 'accept', { operatorId: created.id, operator: created.name });
      return status(caller);
    },

    'operators.signIn': async ({ name, passphrase, challenge, evidence }, caller) => {
      const wanted = name.trim().toLowerCase();
      const { operators, fromBackup } = ctx.signInOperators();
      const o = operators.find((x) => x.name.toLowerCase() === wanted);
      if (fromBackup) {
        // The database cannot be opened: an operator of the backup on offer may sign in to restore it
        // (nothing can be counted or logged until then; the rate limit still holds).
        if (!o || !(await passphraseMatches(passphrase, o.passphraseHash))) {
          if (!o) await spendPassphraseCost(passphrase);
          throw new ApiError({ code: 'forbidden', message: 'The name or passphrase is wrong (the database cannot be opened: sign in as an operator of the backup to restore it).' });
        }
        ctx.access.signIn(caller, { id: o.id, name: o.name });
        return status(caller);
      }
      if (!o) {
        await spendPassphraseCost(passphrase);
        log('sign-in', 'reject', { reason: 'unknown-operator' });
        throw new ApiError({ code: 'forbidden', message: 'The name or passphrase is wrong.' });
      }
      const left = lockLeft(o);
      if (isLocked(left)) {
        log('sign-in', 'locked', { operatorId: o.id, operator: o.name, reason: 'locked' });
        throw new ApiError({ code: 'locked', message: `${o.name} is locked after too many failed sign-ins; try again in ${Math.ceil((left ?? 0) / 60_000)} min.` });
      }
      if (!(await passphraseMatches(passphrase, o.passphraseHash))) return failed(o, 'passphrase');
      const face = o.faceIdentityId !== null && ctx.gallery.nameOf(o.faceIdentityId) !== null ? o.faceIdentityId : null;
      if (face !== null) {
        if (!evidence) throw new ApiError({ code: 'forbidden', message: `${o.name} signs in with the passphrase and their face: look at the camera.` });
        requireCurrent(ctx, caller, challenge);
        const d = judgeAttempt(ctx, face, evidence.frames, ctx.settings().securityLevel);
        if (!d.accepted) return failed(o, 'face');
      }
      ctx.db().setOperatorLockout(o.id, 0, null);
      const signedIn: SignedIn = { id: o.id, name: o.name };
      ctx.access.signIn(caller, signedIn);
      log('sign-in', 'accept', { operatorId: o.id, operator: o.name, face: face !== null });
      return status(caller);
    },

    'operators.signOut': (_args, caller) => {
      const op = ctx.access.operatorOf(caller, false);
      ctx.access.signOut(caller);
      if (op) log('sign-out', null, { operatorId: op.id, operator: op.name });
      return status(caller);
    },

    'operators.list': () => ctx.db().listOperators().map(info),
    'operators.add': async ({ name, passphrase, faceIdentityId }) => {
      if (faceIdentityId !== undefined) ctx.db().getIdentity(faceIdentityId);
      return info(ctx.db().addOperator({ name, passphraseHash: await hashPassphrase(passphrase), faceIdentityId: faceIdentityId ?? null }, false));
    },
    'operators.remove': ({ id }) => {
      ctx.db().removeOperator(id);
      ctx.access.signOutEverywhere(id);
      return { removed: id };
    },

    'kiosk.start': (_args, caller) => {
      setKiosk(true);
      // The operator walks away from a kiosk: every operator session ends with it (another tab of the
      // browser host included), and every screen shows the kiosk at its next look at session.status.
      ctx.access.signOutEverywhere();
      return status(caller);
    },
    'kiosk.leave': (_args, caller) => {
      setKiosk(false);
      return status(caller);
    },
  };
}
