// The enrollment wizard's choice of camera samples: the first frontal frame sets the person's own
// frontal pose, each missing pose is taken when it shows up, and a stalled capture falls back to any
// new angle after a wait, so it never hangs on a person (or a clip) that does not turn.
import { describe, expect, it } from 'vitest';
import { MIN_INTERVAL_MS, MIN_SAMPLES, nextPose, poseOf, posesOf, shouldTake, VARIETY_AFTER_MS } from '../../renderer/src/screens/Enroll/poses';

describe('enrollment poses', () => {
  it('names poses relative to the frontal one (yaw + is the subject’s left, pitch + is up)', () => {
    expect(poseOf(0, 0)).toBe('frontal');
    expect(poseOf(12, 2)).toBe('left');
    expect(poseOf(-12, -2)).toBe('right');
    expect(poseOf(1, 10)).toBe('up');
    expect(poseOf(-1, -10)).toBe('down');
    // A face whose landmarks read 8 degrees "up" when frontal: relative to its own frontal pose.
    expect(poseOf(0, 8, { yaw: 0, pitch: 8 })).toBe('frontal');
    expect(poseOf(0, 18, { yaw: 0, pitch: 8 })).toBe('up');
    expect(posesOf([{ yaw: 2, pitch: 8 }, { yaw: 14, pitch: 8 }, { yaw: 2, pitch: -2 }]).map((p) => p.pose)).toEqual(['frontal', 'left', 'down']);
  });

  it('takes a frontal first, then only new poses until the wait is over, and stops at the minimum', () => {
    const t0 = 10_000;
    expect(shouldTake(20, 0, [], { now: t0, lastAt: 0 })).toBe(false);
    expect(shouldTake(3, 7, [], { now: t0, lastAt: 0 })).toBe(true);
    const taken = posesOf([{ yaw: 3, pitch: 7 }]);
    // Too soon after the last sample, whatever the pose.
    expect(shouldTake(20, 7, taken, { now: t0 + MIN_INTERVAL_MS - 1, lastAt: t0 })).toBe(false);
    expect(shouldTake(20, 7, taken, { now: t0 + MIN_INTERVAL_MS, lastAt: t0 })).toBe(true);
    // The same pose again waits for the variety fallback, and then needs a new angle.
    expect(shouldTake(4, 8, taken, { now: t0 + VARIETY_AFTER_MS - 1, lastAt: t0 })).toBe(false);
    expect(shouldTake(3.5, 7.5, taken, { now: t0 + VARIETY_AFTER_MS, lastAt: t0 })).toBe(false);
    expect(shouldTake(6, 7, taken, { now: t0 + VARIETY_AFTER_MS, lastAt: t0 })).toBe(true);
    // A head that never moves is still sampled, only later.
    expect(shouldTake(3.5, 7.5, taken, { now: t0 + 2 * VARIETY_AFTER_MS, lastAt: t0 })).toBe(true);
    expect(nextPose(taken)).toBe('left');
    const full = posesOf([0, 12, -12, 0, 0].map((yaw, i) => ({ yaw, pitch: [0, 0, 0, 10, -10][i]! })));
    expect(full).toHaveLength(MIN_SAMPLES);
    expect(nextPose(full)).toBeNull();
    expect(shouldTake(30, 0, full, { now: t0 + 1e6, lastAt: t0 })).toBe(false);
  });
});
