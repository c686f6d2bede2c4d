// The login policy: N consecutive failed verifications lock an identity for M minutes; a success
// clears the count. Pure, so its edges are tested without a database. How long a lock has left is
// measured by the caller on a steady clock (steadyClock.ts), never from the wall clock alone.
import type { Lockout } from '../store/types';

export interface PolicySettings {
  lockoutAttempts: number;
  lockoutMinutes: number;
}

/** `remainingMs`: what the lock in force has left, or null when none is. */
export function isLocked(remainingMs: number | null): boolean {
  return remainingMs !== null && remainingMs > 0;
}

/**
 * The lockout after one attempt's outcome. An expired lock starts a fresh count. `now` (wall clock)
 * only stamps the new lock's end for people to read; whether it holds is decided by its duration.
 */
export function afterAttempt(lockout: Lockout, accepted: boolean, remainingMs: number | null, now: number, policy: PolicySettings): Lockout {
  if (accepted) return { identityId: lockout.identityId, failures: 0, lockedUntil: null };
  const expired = lockout.lockedUntil !== null && !isLocked(remainingMs);
  const failures = (expired ? 0 : lockout.failures) + 1;
  if (failures >= policy.lockoutAttempts) {
    return { identityId: lockout.identityId, failures, lockedUntil: now + policy.lockoutMinutes * 60_000 };
  }
  return { identityId: lockout.identityId, failures, lockedUntil: null };
}

export function attemptsLeft(lockout: Lockout, policy: PolicySettings): number {
  return Math.max(0, policy.lockoutAttempts - lockout.failures);
}
