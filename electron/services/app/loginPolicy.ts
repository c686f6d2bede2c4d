// The login policy: N consecutive failed verifications lock an identity for M minutes; a success
// clears the count. Pure, so its edges are tested without a database.
import type { Lockout } from '../store/types';

export interface PolicySettings {
  lockoutAttempts: number;
  lockoutMinutes: number;
}

export function isLocked(lockout: Lockout, now: number): boolean {
  return lockout.lockedUntil !== null && now < lockout.lockedUntil;
}

/** The lockout after one attempt's outcome. An expired lock starts a fresh count. */
export function afterAttempt(lockout: Lockout, accepted: boolean, now: number, policy: PolicySettings): Lockout {
  if (accepted) return { identityId: lockout.identityId, failures: 0, lockedUntil: null };
  const expired = lockout.lockedUntil !== null && now >= lockout.lockedUntil;
  const failures = (expired ? 0 : lockout.failures) + 1;
  if (failures >= policy.lockoutAttempts) {
    return { identityId: lockout.identityId, failures, lockedUntil: now + policy.lockoutMinutes * 60_000 };
  }
  return { identityId: lockout.identityId, failures, lockedUntil: null };
}

export function attemptsLeft(lockout: Lockout, policy: PolicySettings): number {
  return Math.max(0, policy.lockoutAttempts - lockout.failures);
}
