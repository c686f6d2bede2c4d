// The renderer's pure decision rules, fed synthetic frames: the liveness challenge (blink, head
// turn), multi-frame fusion and passive liveness, the kiosk's visits and the login attempt.
import { describe, expect, it } from 'vitest';
import { cosine } from '../../core/hypersphere';
import type { Quality } from '../../core/vision/quality';
import { KioskVisit, MAX_TRIES, STRANGER_AFTER, TRY_INTERVAL_MS, VISIT_GAP_MS } from '../../renderer/src/screens/Kiosk/visit';
import { LoginAttempt, PROBES_NEEDED } from '../../renderer/src/screens/Login/loginAttempt';
import { LivenessChallenge, TURN_DEGREES } from '../../renderer/src/vision/challenge';
import { PassiveLiveness, probeFace, ProbeSet } from '../../renderer/src/vision/fusion';
import type { FaceResult, FrameResult } from '../../renderer/src/vision/protocol';

function unit(seed: number, noise = 0, base?: Float32Array): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const v = Float32Array.from({ length: 512 }, (_, i) => (base ? base[i]! : 0) + (base ? noise : 1) * rand());
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const goodQuality: Quality = { faceHeight: 150, interocular: 48, sharpness: 120, brightness: 0.45, yaw: 0, pitch: 5, roll: 0 };

function face(over: Partial<FaceResult> & { yaw?: number } = {}): FaceResult {
  const { yaw, ...rest } = over;
  return {
    box: { x1: 100, y1: 80, x2: 200, y2: 230 },
    score: 0.99,
    landmarks: new Float32Array(136),
    points: [],
    quality: { ...goodQuality, ...(yaw === undefined ? {} : { yaw }) },
    ...rest,
  };
}

function frame(faces: FaceResult[], guidance: FrameResult['guidance'] = []): FrameResult {
  return { width: 640, height: 480, faces, guidance: faces.length ? guidance : ['no_face'], timings: {}, workMs: 10 };
}

const eyes = (open: number) => ({ left: open, right: open });

describe('liveness challenge', () => {
  it('passes on open -> closed -> open eyes, and not on eyes that stay open or stay closed', () => {
    const c = new LivenessChallenge(['blink']);
    [1, 0.98, 0.97].forEach((o, i) => c.observe(face({ eyes: eyes(o) }), i * 100));
    expect(c.passed).toBe(false);
    const closed = new LivenessChallenge(['blink']);
    [0.02, 0.01, 0.03].forEach((o, i) => closed.observe(face({ eyes: eyes(o) }), i * 100));
    expect(closed.passed).toBe(false);
    [0.9, 0.05, 0.95].forEach((o, i) => c.observe(face({ eyes: eyes(o) }), 400 + i * 100));
    expect(c.passedWith).toBe('blink');
  });

  it('reads the more open eye, so one eye the model always misreads as closed is neither a blink nor a block', () => {
    const c = new LivenessChallenge(['blink']);
    for (let i = 0; i < 10; i++) c.observe(face({ eyes: { left: 0.99, right: i % 2 ? 0.01 : 0.6 } }), i * 100);
    expect(c.passed).toBe(false);
    c.observe(face({ eyes: { left: 0.02, right: 0.0 } }), 1100);
    c.observe(face({ eyes: { left: 0.97, right: 0.01 } }), 1200);
    expect(c.passed).toBe(true);
  });

  it('does not count a closure that lasts too long, or one broken by the face leaving', () => {
    const slow = new LivenessChallenge(['blink']);
    slow.observe(face({ eyes: eyes(0.9) }), 0);
    slow.observe(face({ eyes: eyes(0.05) }), 100);
    slow.observe(face({ eyes: eyes(0.95) }), 5000);
    expect(slow.passed).toBe(false);
    const swapped = new LivenessChallenge(['blink']);
    swapped.observe(face({ eyes: eyes(0.9) }), 0);
    swapped.observe(face({ eyes: eyes(0.05) }), 100);
    swapped.observe(undefined, 200);
    swapped.observe(face({ eyes: eyes(0.95) }), 300);
    expect(swapped.passed).toBe(false);
  });

  it('passes a head turn away and back, not a head that stays turned or barely moves', () => {
    const small = new LivenessChallenge(['turn']);
    [0, 4, -5, 3, 0].forEach((yaw, i) => small.observe(face({ yaw }), i * 100));
    expect(small.passed).toBe(false);
    const stays = new LivenessChallenge(['turn']);
    [0, 10, TURN_DEGREES + 5, TURN_DEGREES + 6].forEach((yaw, i) => stays.observe(face({ yaw }), i * 100));
    expect(stays.passed).toBe(false);
    [6, 2].forEach((yaw, i) => stays.observe(face({ yaw }), 500 + i * 100));
    expect(stays.passedWith).toBe('turn');
  });
});

describe('fusion', () => {
  it('refuses frames without a template, with no face, two people, a far face or a strong turn', () => {
    const t = unit(1);
    expect(probeFace(frame([face({ template: t })]))).not.toBeNull();
    expect(probeFace(frame([face()]))).toBeNull();
    expect(probeFace(frame([face({ template: t }), face()], ['one_person_only']))).toBeNull();
    expect(probeFace(frame([face({ template: t })], ['move_closer']))).toBeNull();
    expect(probeFace(frame([face({ template: t, yaw: 55 })]))).toBeNull();
    // Milder advice does not block a probe.
    expect(probeFace(frame([face({ template: t })], ['open_eyes', 'too_dark']))).not.toBeNull();
  });

  it('fuses one person\'s noisy frames closer to them than a single frame is, and refuses a different person', () => {
    const person = unit(7);
    const set = new ProbeSet(10);
    const singles: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t = unit(100 + i, 0.06, person);
      singles.push(cosine(t, person));
      expect(set.add(face({ template: t }))).toBe(true);
    }
    expect(cosine(set.fused(), person)).toBeGreaterThan(Math.max(...singles));
    expect(set.add(face({ template: unit(999) }))).toBe(false);
    expect(set.size).toBe(8);
  });

  it('keeps at most its capacity, preferring sharp frontal frames', () => {
    const person = unit(3);
    const set = new ProbeSet(3);
    for (let i = 0; i < 6; i++) set.add(face({ template: unit(200 + i, 0.05, person), yaw: i * 5 }));
    expect(set.size).toBe(3);
    expect(set.offered).toBe(6);
  });

  it('scores passive liveness as the mean of the upper half of the frames', () => {
    const p = new PassiveLiveness();
    expect(p.score()).toBe(0);
    [0.2, 0.3, 0.7, 0.6, 0.25, 0.65].forEach((liveness) => p.add(face({ liveness })));
    p.add(face()); // a frame that did not measure it
    expect(p.count).toBe(6);
    expect(p.score()).toBeCloseTo((0.7 + 0.65 + 0.6) / 3, 6);
    const photo = new PassiveLiveness();
    [0.1, 0.2, 0.15, 0.1].forEach((liveness) => photo.add(face({ liveness })));
    expect(photo.score()).toBeLessThan(0.5);
  });
});

describe('kiosk visit', () => {
  const person = unit(11);
  const seen = (i: number) => frame([face({ template: unit(300 + i, 0.05, person), liveness: 0.8 })]);

  it('asks identify with a fused probe, spaced in time, and calls a stranger only after several misses', () => {
    const v = new KioskVisit();
    const first = v.observe(seen(0), 0, false);
    expect(first.kind).toBe('identify');
    expect(v.observe(seen(1), TRY_INTERVAL_MS / 2, false).kind).toBe('wait');
    let t = 0;
    for (let i = 1; i < STRANGER_AFTER; i++) {
      expect(v.decide(false)).toBe('open');
      t += TRY_INTERVAL_MS;
      expect(v.observe(seen(i + 1), t, false).kind).toBe('identify');
    }
    expect(v.decide(false)).toBe('stranger');
    // Still tries (the person may turn to the camera), but never more than MAX_TRIES in a visit.
    let tries = STRANGER_AFTER;
    for (let i = 0; i < 20; i++) {
      t += TRY_INTERVAL_MS;
      if (v.observe(seen(50 + i), t, false).kind === 'identify') tries++;
      v.decide(false);
    }
    expect(tries).toBe(MAX_TRIES);
    expect(v.wantsTemplates).toBe(false);
  });

  it('stops needing templates once recognised, and starts a new visit after the face has gone', () => {
    const v = new KioskVisit();
    v.observe(seen(0), 0, false);
    expect(v.decide(true)).toBe('recognised');
    expect(v.wantsTemplates).toBe(false);
    expect(v.observe(seen(1), 300, false).kind).toBe('wait');
    expect(v.observe(frame([]), 400, false).kind).toBe('wait');
    expect(v.observe(frame([]), 300 + VISIT_GAP_MS + 1, false).kind).toBe('left');
    expect(v.outcome).toBe('open');
    expect(v.observe(seen(2), 3000, false).kind).toBe('identify');
  });

  it('does not use up tries while a match waits for liveness, and waits while a call is in flight', () => {
    const v = new KioskVisit();
    let t = 0;
    for (let i = 0; i < MAX_TRIES * 2; i++, t += TRY_INTERVAL_MS) {
      expect(v.observe(seen(i), t, false).kind).toBe('identify');
      v.decide(true, true);
    }
    expect(v.wantsTemplates).toBe(true);
    expect(v.observe(seen(99), t + TRY_INTERVAL_MS, true).kind).toBe('wait');
  });
});

describe('login attempt', () => {
  const person = unit(21);
  it('is ready after enough good frames and a passed challenge, with the challenge recorded', () => {
    const a = new LoginAttempt();
    let state = a.observe(frame([face({ template: unit(400, 0.05, person), eyes: eyes(0.95), liveness: 0.7 })]), 0);
    expect(state.ready).toBe(false);
    const opens = [0.95, 0.02, 0.96, 0.97, 0.95, 0.96];
    for (let i = 0; i < PROBES_NEEDED + 1 && !state.ready; i++) {
      state = a.observe(frame([face({ template: unit(401 + i, 0.05, person), eyes: eyes(opens[i]!), liveness: 0.7 })]), 100 + i * 100);
    }
    expect(state).toEqual({ ready: true, challengePassed: true });
    expect(a.probes.size).toBeGreaterThanOrEqual(PROBES_NEEDED);
    expect(a.passive.score()).toBeCloseTo(0.7, 5);
  });

  it('waits for a live-looking face rather than failing on its first frames, and refuses one that never looks live', () => {
    const a = new LoginAttempt();
    const opens = [0.95, 0.02, 0.96, 0.97, 0.95, 0.96, 0.97];
    let state = a.observe(frame([face({ template: unit(700, 0.05, person), eyes: eyes(0.95), liveness: 0.3 })]), 0);
    for (let i = 0; i < opens.length; i++) state = a.observe(frame([face({ template: unit(701 + i, 0.05, person), eyes: eyes(opens[i]!), liveness: 0.3 })]), 100 + i * 100);
    expect(a.challenge.passed).toBe(true);
    expect(state).toEqual({ ready: false, instruction: 'Look straight at the camera, in good light.' });
    // Better frames arrive: the upper half of the scores now reaches the bar.
    for (let i = 0; i < 10 && !state.ready; i++) state = a.observe(frame([face({ template: unit(720 + i, 0.05, person), eyes: eyes(0.96), liveness: 0.75 })]), 1000 + i * 100);
    expect(state).toEqual({ ready: true, challengePassed: true });
    expect(a.passive.live).toBe(true);

    const photo = new LoginAttempt();
    for (let i = 0; i < 10; i++) photo.observe(frame([face({ template: unit(800 + i, 0.05, person), eyes: eyes(i === 3 ? 0.02 : 0.95), liveness: 0.2 })]), i * 100);
    expect(photo.observe(frame([face({ template: unit(850, 0.05, person), eyes: eyes(0.95), liveness: 0.2 })]), 31_000)).toEqual({ ready: true, challengePassed: true });
    expect(photo.passive.live).toBe(false);
  });

  it('asks for one person only when two are in view, and gives up with a failed challenge after its time', () => {
    const a = new LoginAttempt();
    const two = a.observe(frame([face({ template: unit(500, 0.05, person) }), face()], ['one_person_only']), 0);
    expect(two).toEqual({ ready: false, instruction: 'Only one person please.' });
    for (let i = 0; i < 6; i++) a.observe(frame([face({ template: unit(501 + i, 0.05, person), eyes: eyes(0.99) })]), 100 * i);
    expect(a.observe(frame([face({ template: unit(600, 0.05, person), eyes: eyes(0.99) })]), 31_000)).toEqual({ ready: true, challengePassed: false });
  });
});
