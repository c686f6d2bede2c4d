// The kiosk: visits decided by core/decisions/visit.ts and logged here, the check-in log, and the
// operator's manual check-in for a visitor the camera did not recognise.
import { ApiError, COHORT_CAP, COHORT_MAX_AGE_DAYS, type CheckIn, type CohortStatus } from '../../../../core/contract/api';
import { decideVisit } from '../../../../core/decisions/visit';
import type { StoreEvent } from '../../store/types';
import type { ClockStamp } from '../steadyClock';
import type { AppContext } from '../context';
import { checkinsCsv } from '../csv';
import type { Handlers } from '../dispatch';
import { galleryOf, visitThreshold } from '../gallery';
import { requireCurrent } from './login';

type CheckinCalls = 'checkins.visit' | 'checkins.list' | 'checkins.exportCsv' | 'checkins.manual' | 'cohort.clear';

export const cohortPolicy = { cap: COHORT_CAP, maxAgeMs: COHORT_MAX_AGE_DAYS * 86_400_000 };

/** How far ahead of the clock an entry may be stamped before it is flagged (clocks are adjusted by seconds). */
const CLOCK_TOLERANCE_MS = 60_000;

export function checkInOf(e: StoreEvent, now: number): CheckIn {
  return {
    id: String(e.id),
    identityId: e.identityId ?? '',
    name: e.name ?? '(deleted)',
    at: e.at,
    score: e.score ?? 0,
    repeat: e.details?.['repeat'] === true,
    // Stamped later than the clock says it is now: the clock was moved back since (or was ahead then).
    ...(e.at > now + CLOCK_TOLERANCE_MS ? { stampedAhead: true as const } : {}),
  };
}

export function cohortStatus(ctx: AppContext): CohortStatus {
  const s = ctx.db();
  s.pruneCohort(cohortPolicy);
  const { count, oldestAt } = s.cohortSize();
  return { enabled: ctx.settings().keepUnrecognised, count, cap: COHORT_CAP, maxAgeDays: COHORT_MAX_AGE_DAYS, oldestAt };
}

export function checkinCalls(ctx: AppContext): Pick<Handlers, CheckinCalls> {
  /** When each person was last checked in by this process, on the steady clock. */
  const greeted = new Map<string, ClockStamp>();
  /**
   * Whether `identityId` checked in within the repeat window before `t`: this process's own check-ins
   * timed on the steady clock; another's by the log, where a check-in stamped ahead of the clock (it
   * was moved back) counts for no longer than the window itself.
   */
  const checkedInSince = (identityId: string, t: number): boolean => {
    const window = ctx.settings().repeatGreetingMinutes * 60_000;
    const last = greeted.get(identityId);
    return window > 0 && (last !== undefined ? ctx.clock.elapsedSince(last) < window : ctx.db().listEvents({ kinds: ['checkin'], identityId, from: t - window, to: t + 1, limit: 1 }).length > 0);
  };
  const toCheckIn = (e: StoreEvent) => checkInOf(e, ctx.now());
  return {
    'checkins.visit': ({ challenge, evidence }, caller) => {
      const s = ctx.db();
      requireCurrent(ctx, caller, challenge);
      const policy = ctx.settings();
      const l = policy.securityLevel;
      const calibration = ctx.levels();
      const gallery = galleryOf(ctx.gallery.matcher);
      const decided = decideVisit({ frames: evidence.frames, index: ctx.gallery.matcher, agents: ctx.gallery.agents, threshold: (probes) => visitThreshold(calibration, l, gallery, probes), liveness: policy.checkinLiveness });
      if (!decided.ok) throw new ApiError({ code: 'invalid-arguments', message: `The visit cannot be checked in: ${decided.error}.` });
      const threshold = decided.threshold;
      const base = { threshold, level: l, probes: decided.probes, checkIn: null };
      if (decided.outcome === 'liveness') return { ...base, outcome: 'liveness', message: decided.advice };
      if (decided.outcome === 'not-recognised') {
        // A face that failed the liveness setting (a photo held up) is no stranger worth keeping.
        if (policy.keepUnrecognised && decided.live) {
          s.addToCohort(ctx.deps.modelId, decided.fused, cohortPolicy);
          ctx.gallery.changed();
        }
        return { ...base, outcome: 'not-recognised', message: 'Not recognised. Please ask at the desk.' };
      }
      const { identityId, score } = decided;
      const t = ctx.now();
      const repeat = checkedInSince(identityId, t);
      const e = s.logEvent({ kind: 'checkin', identityId, score, decision: 'accept', at: t, details: { repeat, level: l, threshold, probes: decided.probes, liveness: policy.checkinLiveness } });
      greeted.set(identityId, ctx.clock.stamp());
      const done = toCheckIn(e);
      return { ...base, outcome: repeat ? 'repeat' : 'greeting', checkIn: done, message: repeat ? `${done.name}, you are already checked in.` : `Welcome, ${done.name}!` };
    },
    'checkins.manual': ({ identityId }, caller) => {
      const s = ctx.db();
      s.getIdentity(identityId);
      const operator = ctx.access.operatorOf(caller, false);
      const t = ctx.now();
      const e = s.logEvent({ kind: 'checkin', identityId, score: null, decision: 'accept', at: t, details: { repeat: checkedInSince(identityId, t), manual: true, operatorId: operator?.id ?? null, operator: operator?.name ?? null } });
      greeted.set(identityId, ctx.clock.stamp());
      return toCheckIn(e);
    },
    'checkins.list': ({ from, to }) => ctx.db().listEvents({ kinds: ['checkin'], from, to, limit: 10_000 }).map(toCheckIn),
    'checkins.exportCsv': ({ from, to }) => {
      const rows = ctx.db().listEvents({ kinds: ['checkin'], from, to, limit: 10_000 }).map(toCheckIn).reverse();
      return { fileName: `checkins-${new Date(ctx.now()).toISOString().slice(0, 10)}.csv`, csv: checkinsCsv(rows) };
    },
    'cohort.clear': () => {
      ctx.db().clearCohort();
      ctx.gallery.changed();
      return cohortStatus(ctx);
    },
  };
}
