// The kiosk: visits decided by core/decisions/visit.ts and logged here, the check-in log, and the
// operator's manual check-in for a visitor the camera did not recognise.
import { ApiError, COHORT_CAP, COHORT_MAX_AGE_DAYS, type CheckIn, type CohortStatus } from '../../../../core/contract/api';
import { decideVisit } from '../../../../core/decisions/visit';
import type { StoreEvent } from '../../store/types';
import type { AppContext } from '../context';
import { checkinsCsv } from '../csv';
import type { Handlers } from '../dispatch';
import { galleryOf, visitThreshold } from '../gallery';
import { requireCurrent } from './login';

type CheckinCalls = 'checkins.visit' | 'checkins.list' | 'checkins.exportCsv' | 'checkins.manual' | 'cohort.clear';

export const cohortPolicy = { cap: COHORT_CAP, maxAgeMs: COHORT_MAX_AGE_DAYS * 86_400_000 };

export function checkInOf(e: StoreEvent): CheckIn {
  return {
    id: String(e.id),
    identityId: e.identityId ?? '',
    name: e.displayName ?? '(deleted)',
    at: e.at,
    score: e.score ?? 0,
    repeat: e.details?.['repeat'] === true,
  };
}

export function cohortStatus(ctx: AppContext): CohortStatus {
  const s = ctx.db();
  s.pruneCohort(cohortPolicy);
  const { count, oldestAt } = s.cohortSize();
  return { enabled: ctx.settings().keepUnrecognised, count, cap: COHORT_CAP, maxAgeDays: COHORT_MAX_AGE_DAYS, oldestAt };
}

export function checkinCalls(ctx: AppContext): Pick<Handlers, CheckinCalls> {
  /** Whether `identityId` checked in within the repeat window before `t`. */
  const checkedInSince = (identityId: string, t: number): boolean => {
    const window = ctx.settings().repeatGreetingMinutes * 60_000;
    return window > 0 && ctx.db().listEvents({ kinds: ['checkin'], identityId, from: t - window, limit: 1 }).length > 0;
  };
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
      const done = checkInOf(e);
      return { ...base, outcome: repeat ? 'repeat' : 'greeting', checkIn: done, message: repeat ? `${done.name}, you are already checked in.` : `Welcome, ${done.name}!` };
    },
    'checkins.manual': ({ identityId }, caller) => {
      const s = ctx.db();
      s.getIdentity(identityId);
      const operator = ctx.access.operatorOf(caller, false);
      const t = ctx.now();
      const e = s.logEvent({ kind: 'checkin', identityId, score: null, decision: 'accept', at: t, details: { repeat: checkedInSince(identityId, t), manual: true, operatorId: operator?.id ?? null, operator: operator?.name ?? null } });
      return checkInOf(e);
    },
    'checkins.list': ({ from, to }) => ctx.db().listEvents({ kinds: ['checkin'], from, to, limit: 10_000 }).map(checkInOf),
    'checkins.exportCsv': ({ from, to }) => {
      const rows = ctx.db().listEvents({ kinds: ['checkin'], from, to, limit: 10_000 }).map(checkInOf).reverse();
      return { fileName: `checkins-${new Date(ctx.now()).toISOString().slice(0, 10)}.csv`, csv: checkinsCsv(rows) };
    },
    'cohort.clear': () => {
      ctx.db().clearCohort();
      ctx.gallery.changed();
      return cohortStatus(ctx);
    },
  };
}
