// Who is calling, and what they may do now: one Caller per window or socket, the operator session
// bound to it, the single-use attempt challenges, and per-caller rate limits. Durations use a
// monotonic clock, so a moved wall clock neither ends a session early nor stretches it.
import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { AttemptChallenge, CallName } from '../../../core/contract/api';

/** One window (Electron webContents), one WebSocket, or one run of the command line. */
export interface Caller {
  readonly id: string;
}

export interface SignedIn {
  id: string;
  name: string;
}

/** How long a challenge from attempt.challenge stays valid. */
export const CHALLENGE_MS = 60_000;

export interface RateLimit {
  /** Sustained calls per minute... */
  perMinute: number;
  /** ...after a burst of this many. */
  burst: number;
  /** What is being limited, for the sentence a refused caller reads. */
  what: string;
}
/**
 * Per caller. A login attempt takes a few seconds of camera, so 10 a minute (after 5 at once, the
 * default lockout) is more than a person needs; a kiosk asks again at most every 0.5 s while a visit
 * waits for liveness; sign-ins are a typed passphrase each.
 */
export const RATE_LIMITS: Partial<Record<CallName, RateLimit>> = {
  login: { perMinute: 10, burst: 5, what: 'login attempts' },
  'checkins.visit': { perMinute: 90, burst: 20, what: 'check-ins' },
  'attempt.challenge': { perMinute: 120, burst: 30, what: 'attempts' },
  'operators.signIn': { perMinute: 5, burst: 3, what: 'operator sign-ins' },
  'operators.setup': { perMinute: 5, burst: 3, what: 'operator set-ups' },
};

interface Bucket {
  tokens: number;
  at: number;
}

interface CallerState {
  session: (SignedIn & { lastActive: number }) | null;
  buckets: Map<CallName, Bucket>;
}

export class Access {
  private readonly callers = new Map<string, CallerState>();
  private readonly challenges = new Map<string, { callerId: string; issuedAt: number }>();

  /**
   * @param idleMs how long an operator session lasts without a call (read on each check: it is a setting)
   * @param clock monotonic milliseconds
   * @param wallClock epoch milliseconds, only to tell the screen when a challenge expires
   */
  constructor(
    private readonly idleMs: () => number,
    private readonly clock: () => number = () => performance.now(),
    private readonly wallClock: () => number = Date.now,
  ) {}

  connect(): Caller {
    const caller = { id: randomUUID() };
    this.callers.set(caller.id, { session: null, buckets: new Map() });
    return caller;
  }

  /**
   * The command line is the data folder's operator by file permissions: a caller whose process owns
   * the folder (only that user, or root, can read its key anyway). Anyone else gets a public caller.
   */
  connectAsFolderOwner(dataDir: string): Caller {
    const caller = this.connect();
    const uid = process.getuid?.();
    let ownerUid: number | null = null;
    try {
      ownerUid = statSync(dataDir).uid;
    } catch {
      ownerUid = null;
    }
    if (uid !== undefined && ownerUid === uid) {
      // Never idle: the command ends with its process.
      this.callers.get(caller.id)!.session = { id: `os-user:${uid}`, name: `${safeUserName()} (owner of the data folder)`, lastActive: Infinity };
    }
    return caller;
  }

  disconnect(caller: Caller): void {
    this.callers.delete(caller.id);
    for (const [value, c] of this.challenges) if (c.callerId === caller.id) this.challenges.delete(value);
  }

  /** The live operator session of this caller, kept alive by the call; null when none or idle too long. */
  operatorOf(caller: Caller, touch = true): SignedIn | null {
    const s = this.callers.get(caller.id);
    const session = s?.session;
    if (!s || !session) return null;
    const now = this.clock();
    if (now - session.lastActive > this.idleMs()) {
      s.session = null;
      return null;
    }
    if (touch && Number.isFinite(session.lastActive)) session.lastActive = now;
    return { id: session.id, name: session.name };
  }

  signIn(caller: Caller, operator: SignedIn): void {
    const s = this.callers.get(caller.id);
    if (!s) throw new Error('sign-in on a closed connection');
    s.session = { ...operator, lastActive: this.clock() };
  }

  signOut(caller: Caller): void {
    const s = this.callers.get(caller.id);
    if (s) s.session = null;
  }

  /** Ends every session of an operator (removed, or the kiosk was started elsewhere). */
  signOutEverywhere(operatorId?: string): void {
    for (const s of this.callers.values()) {
      if (s.session && (operatorId === undefined || s.session.id === operatorId) && Number.isFinite(s.session.lastActive)) s.session = null;
    }
  }

  issueChallenge(caller: Caller): AttemptChallenge {
    const now = this.clock();
    // Expired challenges go as new ones are issued, so the map stays small.
    for (const [value, c] of this.challenges) if (now - c.issuedAt > CHALLENGE_MS) this.challenges.delete(value);
    const challenge = randomBytes(18).toString('base64url');
    this.challenges.set(challenge, { callerId: caller.id, issuedAt: now });
    return { challenge, expiresAt: this.wallClock() + CHALLENGE_MS, validMs: CHALLENGE_MS };
  }

  /**
   * Uses up a challenge: null when it was this caller's, unused and current; else why not, as a
   * sentence. (Frame times cannot be checked against it: a video file is read faster than it plays.)
   */
  consumeChallenge(caller: Caller, challenge: string): string | null {
    const c = this.challenges.get(challenge);
    this.challenges.delete(challenge);
    if (!c || c.callerId !== caller.id || this.clock() - c.issuedAt > CHALLENGE_MS) {
      return 'This attempt is not current (its challenge is unknown, used or expired): start again.';
    }
    return null;
  }

  /** Takes one call from the caller's allowance; false when over the rate. */
  take(caller: Caller, call: CallName): boolean {
    const limit = RATE_LIMITS[call];
    if (!limit) return true;
    const s = this.callers.get(caller.id);
    if (!s) return false;
    const now = this.clock();
    const b = s.buckets.get(call) ?? { tokens: limit.burst, at: now };
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) * limit.perMinute) / 60_000);
    b.at = now;
    s.buckets.set(call, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}
