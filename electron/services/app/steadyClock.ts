// Durations (a lockout, the repeat-greeting window) measured on a clock nobody can wind: moving the
// wall clock must neither end a lock early nor lock people out for a day. A stamp records the wall
// time and two steady readings: the time since boot (shared by every process on the machine: the
// `normface` command at a login checks a lock the app set) and this process's monotonic clock.
import { readFileSync } from 'node:fs';
import { uptime } from 'node:os';

export interface ClockStamp {
  /** Wall-clock time (ms since 1970): shown to people, and the last resort across reboots. */
  at: number;
  /** Linux's boot id, with `up` the ms since that boot; null where the system does not say. */
  boot: string | null;
  up: number | null;
  /** This process (pid and start time) and its monotonic clock reading, for durations within it. */
  process: string;
  mono: number;
}

export interface SteadyClock {
  /** Wall-clock time, for stamps people read. */
  now(): number;
  stamp(): ClockStamp;
  /** Milliseconds elapsed since `stamp`, never negative, measured on the steadiest clock both share. */
  elapsedSince(stamp: ClockStamp): number;
}

function readBootId(): string | null {
  if (process.platform !== 'linux') return null;
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * The machine's clocks. On Linux the time since boot is read from /proc/uptime (os.uptime), which
 * setting the date does not move; elsewhere os.uptime is derived from the wall clock, so only this
 * process's monotonic clock is trusted, and the wall clock between processes.
 */
export function systemClock(): SteadyClock {
  const boot = readBootId();
  const self = `${process.pid}@${performance.timeOrigin}`;
  return {
    now: () => Date.now(),
    stamp: () => ({ at: Date.now(), boot, up: boot === null ? null : uptime() * 1000, process: self, mono: performance.now() }),
    elapsedSince(s) {
      if (s.process === self) return Math.max(0, performance.now() - s.mono);
      if (boot !== null && s.boot === boot && s.up !== null) return Math.max(0, uptime() * 1000 - s.up);
      return Math.max(0, Date.now() - s.at);
    },
  };
}

/** Reads a stamp back from stored JSON; null when it is not one (an entry written by an older version). */
export function parseStamp(value: unknown): ClockStamp | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (!num(v['at']) || !num(v['mono']) || typeof v['process'] !== 'string') return null;
  const boot = typeof v['boot'] === 'string' ? v['boot'] : null;
  const up = num(v['up']) ? v['up'] : null;
  return { at: v['at'], boot, up, process: v['process'], mono: v['mono'] };
}
