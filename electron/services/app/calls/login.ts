// Login attempts (1:1): the challenge that binds an attempt to now, and verify. The rule itself is
// core/decisions/login.ts; here: who is claimed, the level in force, the lockout and the log.
import { ApiError, type ParsedArgs, type SecurityLevel, type Verdict } from '../../../../core/contract/api';
import { decideLogin, type LoginDecision } from '../../../../core/decisions/login';
import type { FrameEvidence } from '../../../../core/liveness/evidence';
import { LIVENESS_REASON_TEXT } from '../../../../core/liveness/judge';
import { loginThreshold } from '../../../../core/matching/levels';
import type { Caller } from '../access';
import type { AppContext } from '../context';
import type { Handlers } from '../dispatch';
import type { Lockout } from '../../store/index';
import { afterAttempt, attemptsLeft, isLocked } from '../loginPolicy';

type LoginCalls = 'login' | 'attempt.challenge';

/** Uses up the attempt's challenge; throws 'forbidden' with a sentence when it is not current. */
export function requireCurrent(ctx: AppContext, caller: Caller, challenge: string | undefined): void {
  const problem = challenge === undefined ? 'This attempt carries no challenge: start again.' : ctx.access.consumeChallenge(caller, challenge);
  if (problem) throw new ApiError({ code: 'forbidden', message: problem });
}

/** The login rule over the frames, for one enrolled identity at one level (also an operator's face). */
export function judgeAttempt(ctx: AppContext, identityId: string, frames: FrameEvidence[], level: SecurityLevel): LoginDecision {
  const calibration = ctx.levels();
  // The level is per attempt: the threshold depends on how many probes are fused and how many templates the identity has.
  return decideLogin({ frames, index: ctx.gallery.matcher, identityId, threshold: (probes, templates) => loginThreshold(calibration, level, probes, templates) });
}

/** The details every verify event carries. */
export function attemptDetails(level: SecurityLevel, threshold: number, d: LoginDecision): Record<string, string | number> {
  const lv = d.liveness;
  return {
    level,
    threshold: d.threshold ?? threshold,
    reason: d.reason,
    detail: d.detail,
    liveness: lv.reason,
    challenge: lv.details.challenge ?? 'none',
    passiveLiveness: Number(lv.details.passive.toFixed(3)),
    planarRatio: lv.details.planarity.ratio === null ? -1 : Number(lv.details.planarity.ratio.toFixed(3)),
    surface: lv.details.planarity.surface === null ? -1 : Number(lv.details.planarity.surface.toFixed(3)),
    frames: lv.details.frames,
    probes: d.probes,
  };
}

/** The one person `name` or `identityId` names, or null when nobody enrolled has that name. */
function claimed(ctx: AppContext, args: { identityId?: string; name?: string }): { id: string; name: string } | null {
  if (args.identityId !== undefined) return { id: args.identityId, name: ctx.db().getIdentity(args.identityId).name };
  const wanted = args.name!.trim().toLowerCase();
  const found = ctx.db().listIdentities().filter((i) => i.name.trim().toLowerCase() === wanted);
  if (found.length > 1) throw new ApiError({ code: 'conflict', message: `Several people are enrolled as ${args.name}: ask an operator to tell them apart.` });
  return found[0] ? { id: found[0].id, name: found[0].name } : null;
}

/**
 * Saves an attempt's outcome on the person's lockout; true when it locked them. The lock's entry
 * carries its length and a steady-clock stamp: what decides when it ends, in this process or another.
 */
function recordOutcome(ctx: AppContext, before: Lockout, remaining: number | null, accepted: boolean): { after: Lockout; locked: boolean } {
  const s = ctx.db();
  const policy = ctx.settings();
  const after = afterAttempt(before, accepted, remaining, ctx.now(), policy);
  s.setLockout(after);
  const locked = after.lockedUntil !== null;
  if (locked) {
    s.logEvent({ kind: 'lockout', identityId: before.identityId, decision: 'locked', details: { failures: after.failures, lockedUntil: after.lockedUntil ?? 0, lockMs: policy.lockoutMinutes * 60_000, clock: { ...ctx.clock.stamp() } } });
  }
  return { after, locked };
}

/** One more failed attempt against `identityId` (a replay, an attempt over the rate), logged with why. */
export function countFailure(ctx: AppContext, identityId: string, reason: string, level: SecurityLevel): void {
  const s = ctx.db();
  const before = s.getLockout(identityId);
  const remaining = ctx.lockRemaining(before);
  if (isLocked(remaining)) return;
  s.logEvent({ kind: 'verify', identityId, score: null, decision: 'reject', details: { level, reason } });
  recordOutcome(ctx, before, remaining, false);
}

/** A verify refused for its rate counts against the person claimed, like a failed attempt. */
export function loginOverRate(ctx: AppContext, args: ParsedArgs<'login'>): void {
  const who = claimed(ctx, args);
  if (who) countFailure(ctx, who.id, 'rate-limited', ctx.settings().securityLevel);
}

export function loginCalls(ctx: AppContext): Pick<Handlers, LoginCalls> {
  return {
    'attempt.challenge': (_args, caller) => ctx.access.issueChallenge(caller),

    login: (args, caller) => {
      const s = ctx.db();
      const policy = ctx.settings();
      const { level: l, threshold } = ctx.level(args.level);
      const base = { threshold, level: l };
      const who = claimed(ctx, args);
      const stale = ctx.access.consumeChallenge(caller, args.challenge);
      if (!who) {
        // Nobody by that name: answered like any refusal, so the screen does not tell who is enrolled.
        s.logEvent({ kind: 'verify', identityId: null, score: null, decision: 'reject', details: { level: l, threshold, reason: 'unknown-name' } });
        return { ...base, accepted: false, score: null, reason: 'no-match', livenessReason: null, message: `Not recognised as ${args.name}.`, lockedUntil: null, attemptsLeft: null } satisfies Verdict;
      }
      const { id: identityId, name } = who;
      const t = ctx.now();
      const before = s.getLockout(identityId);
      const remaining = ctx.lockRemaining(before);
      if (isLocked(remaining)) {
        s.logEvent({ kind: 'verify', identityId, score: null, decision: 'locked', details: { level: l, threshold, reason: 'locked' } });
        const minutes = Math.ceil((remaining ?? 0) / 60_000);
        return { ...base, accepted: false, score: null, reason: 'locked', livenessReason: null, message: `${name} is locked after too many failed attempts; try again in ${minutes} min.`, lockedUntil: t + (remaining ?? 0), attemptsLeft: null };
      }
      if (stale) {
        // A replayed or stale attempt is an attack on this person's login: it counts.
        countFailure(ctx, identityId, 'stale-challenge', l);
        throw new ApiError({ code: 'forbidden', message: stale });
      }
      // The one login rule (core/decisions/login): liveness replayed from the frames, then the fused probe.
      const d = judgeAttempt(ctx, identityId, args.evidence.frames, l);
      const lv = d.liveness;
      const details = attemptDetails(l, threshold, d);
      if (d.reason === 'no-templates') {
        s.logEvent({ kind: 'verify', identityId, score: null, decision: 'reject', details });
        return { ...base, accepted: false, score: null, reason: 'no-templates', livenessReason: lv.reason, message: `${name} has no templates for the current face model: enrol again.`, lockedUntil: null, attemptsLeft: null };
      }
      const accepted = d.accepted;
      s.logEvent({ kind: 'verify', identityId, score: d.score, decision: accepted ? 'accept' : 'reject', details });
      const { after, locked: nowLocked } = recordOutcome(ctx, before, remaining, accepted);
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
  };
}
