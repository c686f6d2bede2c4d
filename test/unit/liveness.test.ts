// The liveness rule and the login decision (core/liveness, core/decisions/login) on synthetic
// evidence whose truth is known: the challenge (blink, head turn), the planarity test (a face with
// depth turned vs. the same face flattened into a picture and turned), the frozen-picture test,
// the passive bar, the decision's order and the attempt gatherer's bounds. Last, the rule on real
// frames of the genuine clip (skipped without ../shared).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideLogin, LOGIN_MAX_FRAMES, LOGIN_MAX_PROBES, LoginEvidence } from '../../core/decisions/login';
import { LivenessChallenge, TURN_DEGREES } from '../../core/liveness/challenge';
import { frameEvidence, type FaceEvidence, type FrameEvidence } from '../../core/liveness/evidence';
import { judgeLiveness, measurePlanarity, PLANARITY } from '../../core/liveness/judge';
import { passiveScore } from '../../core/liveness/passive';
import { deformation, fitHomography, noseParallax } from '../../core/liveness/planarity';
import { TemplateIndex } from '../../core/matching/templateIndex';
import { clipFrames } from '../pad/clips';
import { createNodePipeline } from '../support/node-pipeline';
import { hasMedia, mediaRoot, noMediaReason, skipReason, titled } from '../support/shared';
import { seededRandom } from '../../native-train/prng';
import { seededTemplate as unit } from '../support/synthetic-templates';
import { changingPicture, HEAD, seenAt, sweep } from '../support/synthetic-face';

let noiseSeed = 1;
const noise = (amp: number) => {
  noiseSeed = (noiseSeed * 16807) % 2147483647;
  return (noiseSeed / 2147483647 - 0.5) * 2 * amp;
};

/** The head (or, flat, a photo of it) turned by `yaw` degrees, seen 50 px per inter-ocular distance, with pixel jitter. */
function landmarks(yaw: number, flat = false, jitter = 0.3): number[] {
  const t = (yaw * Math.PI) / 180;
  return HEAD.flatMap(([x, y, z]) => {
    const depth = flat ? 0 : z;
    return [320 + 50 * (x * Math.cos(t) + depth * Math.sin(t)) + noise(jitter), 240 + 50 * y + noise(jitter)];
  });
}

let pictureSeed = 1;
/** A real face's evidence: its picture changes from frame to frame beyond one homography (surface.test.ts tests that part). */
function face(over: Partial<FaceEvidence> = {}): FaceEvidence {
  const f: FaceEvidence = { landmarks: landmarks(0), yaw: 0, pitch: 3, roll: 0, interocular: 50, faceHeight: 160, sharpness: 120, brightness: 0.5, eyes: { left: 0.97, right: 0.97 }, passive: 0.95, ...over };
  return 'patch' in over ? f : { ...f, patch: changingPicture(f.landmarks, pictureSeed++) };
}

const at = (i: number) => i * 100;
const eyes = (open: number) => ({ left: open, right: open });
/** Frames of a person who blinks once in the middle (open -> closed on two frames -> open), templates on the last frames. */
function blinking(n: number, over: (i: number) => Partial<FaceEvidence> = () => ({}), templates: Float32Array[] = []): FrameEvidence[] {
  return Array.from({ length: n }, (_, i) => {
    const closed = i === Math.floor(n / 2) || i === Math.floor(n / 2) + 1;
    const t = templates[i - (n - templates.length)];
    return { at: at(i), faces: 1, face: face({ landmarks: landmarks(0), eyes: eyes(closed ? 0.03 : 0.96), ...(t ? { template: t } : {}), ...over(i) }) };
  });
}

const framesOf = (poses: readonly (readonly [number, number])[], opts: { flat?: boolean; focal?: number; seed?: number; noise?: boolean }): FrameEvidence[] =>
  poses.map(([yaw, pitch], i) => ({ at: at(i), faces: 1, face: face({ landmarks: seenAt(yaw, pitch, opts), yaw: opts.flat ? 0 : yaw, pitch: opts.flat ? 0 : pitch }) }));

describe('liveness challenge (one rule for the screen and the back end)', () => {
  const seen = (c: LivenessChallenge, f: Partial<FaceEvidence> | undefined, t: number) => c.observe(f ? { at: t, faces: 1, face: face(f) } : { at: t, faces: 0 });

  /** Eye-open scores at 100 ms per frame, from `t0`; every other field of the face from `over`. */
  const eyesSeen = (c: LivenessChallenge, opens: number[], t0 = 0, over: (i: number) => Partial<FaceEvidence> = () => ({})) => opens.forEach((o, i) => seen(c, { eyes: eyes(o), ...over(i) }, t0 + i * 100));
  const OPEN = [0.95, 0.96, 0.97, 0.95, 0.96, 0.97];

  it('passes on eyes closed on consecutive frames between open ones, once the face was seen steady around them', () => {
    const c = new LivenessChallenge(['blink']);
    eyesSeen(c, [...OPEN, 0.05, 0.04, 0.9]);
    // Reopened, but the steady stretch after the closure is not seen yet.
    expect(c.passed).toBe(false);
    eyesSeen(c, OPEN, 900);
    expect(c.passedWith).toBe('blink');
    const closed = new LivenessChallenge(['blink']);
    eyesSeen(closed, [0.02, 0.01, 0.03, 0.02, 0.01, 0.02]);
    expect(closed.passed).toBe(false);
  });

  it('does not take one closed frame for a blink, nor closed frames broken by a half-open one', () => {
    const once = new LivenessChallenge(['blink']);
    eyesSeen(once, [...OPEN, 0.05, ...OPEN, 0.04, ...OPEN]);
    expect(once.passed).toBe(false);
    const broken = new LivenessChallenge(['blink']);
    eyesSeen(broken, [...OPEN, 0.05, 0.45, 0.04, ...OPEN]);
    expect(broken.passed).toBe(false);
  });

  it('is no blink when the face changes shape or pose across the closure (a picture warped until its eyes read as closed)', () => {
    const closure = [...OPEN, 0.05, 0.04, ...OPEN];
    const squeezed = new LivenessChallenge(['blink']);
    eyesSeen(squeezed, closure, 0, (i) => (i >= 4 && i <= 8 ? { faceHeight: 160 * 0.8 } : {}));
    expect(squeezed.passed).toBe(false);
    const tilted = new LivenessChallenge(['blink']);
    eyesSeen(tilted, closure, 0, (i) => ({ pitch: 3 + Math.max(0, 4 - Math.abs(i - 6.5)) * 5 }));
    expect(tilted.passed).toBe(false);
    const turnedPhoto = new LivenessChallenge(['blink']);
    eyesSeen(turnedPhoto, closure, 0, (i) => ({ landmarks: landmarks(Math.max(0, 4 - Math.abs(i - 6.5)) * 12, true, 0.3) }));
    expect(turnedPhoto.passed).toBe(false);
    // The same closure on a steady face is a blink.
    const steady = new LivenessChallenge(['blink']);
    eyesSeen(steady, closure);
    expect(steady.passed).toBe(true);
  });

  it('reads the more open eye, so one eye the model always misreads as closed is neither a blink nor a block', () => {
    const c = new LivenessChallenge(['blink']);
    for (let i = 0; i < 10; i++) seen(c, { eyes: { left: 0.99, right: i % 2 ? 0.01 : 0.6 } }, i * 100);
    expect(c.passed).toBe(false);
    seen(c, { eyes: { left: 0.02, right: 0.0 } }, 1000);
    seen(c, { eyes: { left: 0.03, right: 0.01 } }, 1100);
    for (let i = 0; i < 6; i++) seen(c, { eyes: { left: 0.97, right: 0.01 } }, 1200 + i * 100);
    expect(c.passed).toBe(true);
  });

  it('does not count a closure that lasts too long, or one broken by the face leaving or a second face', () => {
    const slow = new LivenessChallenge(['blink']);
    eyesSeen(slow, [...OPEN, ...Array<number>(25).fill(0.05), ...OPEN]);
    expect(slow.passed).toBe(false);
    const swapped = new LivenessChallenge(['blink']);
    eyesSeen(swapped, [...OPEN, 0.05, 0.05]);
    seen(swapped, undefined, 800);
    eyesSeen(swapped, OPEN, 900);
    expect(swapped.passed).toBe(false);
    const two = new LivenessChallenge(['blink']);
    eyesSeen(two, OPEN);
    two.observe({ at: 600, faces: 2, face: face({ eyes: eyes(0.05) }) });
    two.observe({ at: 700, faces: 2, face: face({ eyes: eyes(0.05) }) });
    eyesSeen(two, OPEN, 800);
    expect(two.passed).toBe(false);
  });

  it('passes a head turn away and back, not a head that stays turned or barely moves', () => {
    const small = new LivenessChallenge(['turn']);
    [0, 4, -5, 3, 0].forEach((yaw, i) => seen(small, { yaw }, i * 100));
    expect(small.passed).toBe(false);
    const stays = new LivenessChallenge(['turn']);
    [0, 10, TURN_DEGREES + 5, TURN_DEGREES + 6].forEach((yaw, i) => seen(stays, { yaw }, i * 100));
    expect(stays.passed).toBe(false);
    [6, 2].forEach((yaw, i) => seen(stays, { yaw }, 500 + i * 100));
    expect(stays.passedWith).toBe('turn');
  });
});

describe('planarity', () => {
  it('recovers a homography exactly (normalised DLT) and measures no nose parallax for a plane', () => {
    const src = Float64Array.from(landmarks(0, true, 0));
    const H = [1.1, 0.05, 3, -0.02, 0.95, -4, 0.0008, -0.0003, 1];
    const dst = src.map((_, i) => {
      const k = i >> 1;
      const [x, y] = [src[2 * k]!, src[2 * k + 1]!];
      const w = H[6]! * x + H[7]! * y + H[8]!;
      return i % 2 ? (H[3]! * x + H[4]! * y + H[5]!) / w : (H[0]! * x + H[1]! * y + H[2]!) / w;
    });
    const fit = fitHomography(src, dst)!;
    fit.forEach((h, i) => expect(h).toBeCloseTo(H[i]!, 6));
    expect(deformation(Array.from(src), Array.from(dst), 50)).toBeGreaterThan(0.02);
    // A flat nose goes where the face plane's homography carries it.
    expect(noseParallax(Array.from(src), Array.from(dst), 50)!.parallax).toBeLessThan(1e-9);
  });

  it('finds every photo planar, turned any way up to 60 degrees about either axis in perspective, with real landmark noise', () => {
    const random = seededRandom(2026);
    for (let k = 0; k < 40; k++) {
      const peak = 15 + 45 * random();
      const axis = random();
      const [yaw, pitch] = axis < 1 / 3 ? [peak, 0] : axis < 2 / 3 ? [0, peak] : [peak * 0.7, peak * 0.7];
      const sign = random() < 0.5 ? -1 : 1;
      const focal = 2 + 8 * random();
      // Away and back to one side, or to both sides in turn.
      const poses = random() < 0.5 ? sweep(sign * yaw, sign * pitch) : [...sweep(yaw, pitch, 6), ...sweep(-yaw, -pitch, 6)];
      const m = measurePlanarity(framesOf(poses, { flat: true, focal, seed: k + 1 }), PLANARITY, 'turn');
      expect(m.depthFrames, `photo ${k}: peak ${peak.toFixed(0)} deg, focal ${focal.toFixed(1)}: ${JSON.stringify(m)}`).toBeLessThan(PLANARITY.minFrames);
      expect(m.planar).toBe(true);
    }
  });

  // This head's nose stands about 0.23 inter-ocular distances in front of its face plane (a real one
  // about 0.3): turned 20-25 degrees it sits at the threshold, and less reads as a picture.
  it('finds depth in a head turning from 30 to 60 degrees about either axis, with the landmark noise of real faces', () => {
    const turns: [number, number][] = [[30, 0], [-35, 0], [0, -35], [40, 10], [-50, 0], [0, 45], [60, 0], [0, -60]];
    for (const [k, [yaw, pitch]] of turns.entries()) {
      const m = measurePlanarity(framesOf(sweep(yaw, pitch), { seed: 100 + k }), PLANARITY, 'turn');
      expect(m.planar, `head turned ${yaw}/${pitch}: ${JSON.stringify(m)}`).toBe(false);
      expect(m.depthFrames).toBeGreaterThanOrEqual(PLANARITY.minFrames);
    }
    // A face that hardly moves says nothing either way, unless a head turn was claimed.
    expect(measurePlanarity(blinking(20), PLANARITY, 'blink')).toMatchObject({ planar: false, depthFrames: 0 });
    expect(measurePlanarity(blinking(20), PLANARITY, 'turn')).toMatchObject({ planar: true });
  });
});

describe('passiveScore', () => {
  it('is the mean of the upper half of the frames that measured it, trusted from 5 frames on', () => {
    const frames = (scores: (number | undefined)[]) => scores.map((passive, i) => ({ at: at(i), faces: 1, face: face({ passive }) }));
    expect(passiveScore([])).toEqual({ score: 0, frames: 0, live: false });
    // One frame's p(live) swings on a real face; a frame that did not measure it does not count.
    const real = passiveScore(frames([0.2, 0.3, 0.7, 0.6, 0.25, 0.65, undefined]));
    expect(real.frames).toBe(6);
    expect(real.score).toBeCloseTo((0.7 + 0.65 + 0.6) / 3, 6);
    expect(real.live).toBe(true);
    expect(passiveScore(frames([0.1, 0.2, 0.15, 0.1, 0.12])).live).toBe(false);
    expect(passiveScore(frames([0.9, 0.9, 0.9])).live).toBe(false);
  });
});

describe('judgeLiveness', () => {
  it('is live for a blinking face and says which part failed otherwise', () => {
    expect(judgeLiveness(blinking(20))).toMatchObject({ live: true, reason: 'live', details: { challenge: 'blink' } });
    expect(judgeLiveness([])).toMatchObject({ live: false, reason: 'no-face' });
    // One picture repeated exactly is not a camera, whatever its eye scores say.
    const still = blinking(20).map((f) => ({ ...f, face: { ...f.face!, landmarks: landmarks(0, false, 0) } }));
    expect(judgeLiveness(still).reason).toBe('frozen');
    expect(judgeLiveness(blinking(20, () => ({ eyes: eyes(0.97) }))).reason).toBe('no-challenge');
    expect(judgeLiveness(blinking(20, () => ({ passive: 0.2 }))).reason).toBe('passive');
    expect(judgeLiveness(blinking(20, (i) => ({ passive: i < 17 ? undefined : 0.95 }))).reason).toBe('passive');
    // A photo turned to 50 degrees and back, read by the pose estimate as a head turn: planar.
    const yaws = [0, 10, 20, 30, 40, 50, 40, 30, 20, 10, 0, 0, 0, 0, 0, 0];
    const photo = yaws.map((y, i) => ({ at: at(i), faces: 1, face: face({ landmarks: seenAt(y, 0, { flat: true, focal: 4 }), yaw: y * 0.4, eyes: eyes(0.96) }) }));
    expect(judgeLiveness(photo)).toMatchObject({ live: false, reason: 'planar', details: { challenge: 'turn' } });
    const head = yaws.map((y, i) => ({ at: at(i), faces: 1, face: face({ landmarks: seenAt(y, 0, { focal: 4 }), yaw: y, eyes: eyes(0.96) }) }));
    expect(judgeLiveness(head)).toMatchObject({ live: true, details: { challenge: 'turn' } });
  });
});

describe('decideLogin', () => {
  const person = unit(21);
  const index = new TemplateIndex({ firstPass: 'exact' });
  index.add('a', 't1', unit(1, 0.04, person));
  index.add('a', 't2', unit(2, 0.04, person));
  index.add('b', 't3', unit(3));
  const threshold = (p: number, t: number) => (p >= 1 && t >= 1 ? 0.4 : NaN);
  const mine = Array.from({ length: 5 }, (_, i) => unit(100 + i, 0.05, person));

  it('accepts the enrolled face when live, fusing the probes by their normalised mean', () => {
    const calls: [number, number][] = [];
    const d = decideLogin({ frames: blinking(20, () => ({}), mine), index, identityId: 'a', threshold: (p, t) => (calls.push([p, t]), 0.4) });
    expect(d).toMatchObject({ accepted: true, reason: 'match', probes: 5, templates: 2, threshold: 0.4 });
    expect(calls).toEqual([[5, 2]]);
    expect(d.score!).toBeGreaterThan(0.8);
  });

  it('refuses for liveness before comparing, a stranger for the face, and says when there is nothing to compare', () => {
    const still = decideLogin({ frames: blinking(20, () => ({ eyes: eyes(0.97) }), mine), index, identityId: 'a', threshold });
    expect(still).toMatchObject({ accepted: false, reason: 'liveness-failed', score: null, detail: 'liveness: no-challenge' });
    const stranger = decideLogin({ frames: blinking(20, () => ({}), [unit(900), unit(901)]), index, identityId: 'a', threshold });
    expect(stranger).toMatchObject({ accepted: false, reason: 'no-match' });
    expect(decideLogin({ frames: blinking(20, () => ({}), mine), index, identityId: 'nobody', threshold })).toMatchObject({ accepted: false, reason: 'no-templates' });
    // Templates of two different people in one attempt: refused, not averaged into a match.
    const mixed = decideLogin({ frames: blinking(20, () => ({}), [...mine.slice(0, 3), unit(3, 0.01, index.templateVector('t3'))]), index, identityId: 'a', threshold });
    expect(mixed).toMatchObject({ accepted: false, reason: 'no-match', detail: 'the frames show more than one person' });
    // Frames too far away or with two faces are not probes.
    const far = decideLogin({ frames: blinking(20, () => ({ interocular: 10, faceHeight: 30 }), mine), index, identityId: 'a', threshold });
    expect(far).toMatchObject({ accepted: false, reason: 'no-match', probes: 0 });
  });
});

describe('LoginEvidence (the attempt as the camera side gathers it)', () => {
  const person = unit(31);
  it('asks for the gesture, is ready once the rule and enough frames are satisfied, and sends bounded evidence', () => {
    const g = new LoginEvidence();
    const frameAt = (i: number, open: number) => ({ at: at(i), faces: 1, face: face({ template: unit(200 + i, 0.05, person), eyes: eyes(open) }) });
    let state = g.observe(frameAt(0, 0.96));
    expect(state).toEqual({ ready: false, instruction: 'Blink once, or turn your head slowly to one side and back.' });
    for (let i = 1; i < 200 && !state.ready; i++) state = g.observe(frameAt(i, i === 150 || i === 151 ? 0.02 : 0.96));
    expect(state.ready && state.judgement.reason).toBe('live');
    const sent = g.evidence();
    expect(sent.length).toBe(LOGIN_MAX_FRAMES);
    expect(sent.filter((f) => f.face?.template).length).toBe(LOGIN_MAX_PROBES);
    // The last frames keep their templates (the ones the judge saw with the blink).
    expect(sent.at(-1)!.face!.template).toBeDefined();
  });

  it('gives up after its time with what it has, and asks for one person when two are in view', () => {
    const g = new LoginEvidence();
    expect(g.observe({ at: 0, faces: 2, face: face({ template: unit(300, 0.05, person) }) })).toEqual({ ready: false, instruction: 'Only one person please.' });
    let state = g.observe({ at: 100, faces: 1, face: face({ template: unit(301, 0.05, person) }) });
    for (let i = 2; i < 400 && !state.ready; i++) state = g.observe({ at: at(i), faces: 1, face: face({ template: unit(300 + i, 0.05, person) }) });
    expect(state.ready && state.judgement.reason).toBe('no-challenge');
    expect(g.evidence().at(-1)!.at).toBeGreaterThan(30_000);
  });
});

const skip = skipReason(!hasMedia && noMediaReason);
describe.skipIf(skip)(titled('liveness on real frames of the genuine clips', skip), () => {
  it('judges the genuine clip live (a blink; its motion is not one plane) and the same frame repeated as frozen', { timeout: 120_000 }, async () => {
    const pipeline = await createNodePipeline({ threads: 1, models: ['detector', 'landmarks', 'embedder', 'liveness', 'eyes'] });
    const frames: FrameEvidence[] = [];
    try {
      for await (const { index, image } of clipFrames(join(mediaRoot, 'person-a-enroll.mjpeg'), 2)) {
        if (index < 20) continue;
        if (index > 84) break;
        frames.push(frameEvidence(await pipeline.analyse(image, { embed: 'primary', passive: true, eyes: true, patch: true }), Math.round((index * 1000) / 15)));
      }
    } finally {
      await pipeline.release();
    }
    const judged = judgeLiveness(frames);
    expect(judged, JSON.stringify(judged.details)).toMatchObject({ live: true, details: { challenge: 'blink' } });
    expect(judged.details.planarity.planar).toBe(false);
    // A real face's picture is not carried from frame to frame by one homography, even while it holds still.
    expect(judged.details.planarity.surfaceFrames).toBeGreaterThanOrEqual(PLANARITY.minFrames);
    const still = frames.map((f) => ({ ...f, face: frames[0]!.face }));
    expect(judgeLiveness(still).reason).toBe('frozen');
  });

  // The clip ends turning (about 18 degrees of yaw) and the fake camera loops it back to its start, as a
  // login attempt on it sees it: its last 4 s, then its first 1.3 s.
  it('finds depth in the head turn of person-a-live', { timeout: 120_000 }, async () => {
    const pipeline = await createNodePipeline({ threads: 1, models: ['detector', 'landmarks'] });
    const end: FrameEvidence[] = [];
    const start: FrameEvidence[] = [];
    try {
      for await (const { index, image } of clipFrames(join(mediaRoot, 'person-a-live.mjpeg'), 2)) {
        if (index >= 20 && index < 240) continue;
        (index < 20 ? start : end).push(frameEvidence(await pipeline.analyse(image, { embed: 'none', patch: true }), 0));
      }
    } finally {
      await pipeline.release();
    }
    const frames = [...end, ...start].map((f, i) => ({ ...f, at: Math.round((i * 2000) / 15) }));
    const m = measurePlanarity(frames, PLANARITY, 'turn');
    expect(m, JSON.stringify(m)).toMatchObject({ planar: false });
    expect(m.depthFrames).toBeGreaterThanOrEqual(PLANARITY.minFrames);
    expect(m.surfaceFrames).toBeGreaterThanOrEqual(PLANARITY.minFrames);
  });
});
