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
import { fitHomography, planeFit } from '../../core/liveness/planarity';
import { TemplateIndex } from '../../core/matching/templateIndex';
import { clipFrames } from '../pad/clips';
import { createNodePipeline } from '../support/node-pipeline';
import { hasMedia, mediaRoot, noMediaReason, skipReason, titled } from '../support/shared';
import { seededTemplate as unit } from '../support/synthetic-templates';

/** A head of 68 points in 3D (units of inter-ocular distance): jaw curving back, nose in front. */
const HEAD: [number, number, number][] = Array.from({ length: 68 }, (_, i) => {
  if (i <= 16) {
    const a = Math.PI * (0.05 + (0.9 * i) / 16);
    return [-1.1 * Math.cos(a), 0.3 + 1.1 * Math.sin(a) * 0.9, -0.9 * Math.sin(a) ** 0.2 * (1 - Math.sin(a)) - 0.4];
  }
  if (i <= 26) return [-0.95 + 0.19 * (i - 17) + (i >= 22 ? 0.1 : 0), -0.45 - 0.08 * Math.sin(((i - 17) % 5) * 0.8), 0.1];
  if (i <= 30) return [0, -0.3 + 0.16 * (i - 27), 0.2 + 0.13 * (i - 27)];
  if (i <= 35) return [-0.3 + 0.15 * (i - 31), 0.45, 0.35 - 0.08 * Math.abs(i - 33)];
  if (i <= 47) {
    const k = (i - 36) % 6;
    const cx = i < 42 ? -0.5 : 0.5;
    const a = (Math.PI * k) / 3;
    return [cx + 0.22 * Math.cos(a), -0.25 + 0.08 * Math.sin(a), 0];
  }
  const a = (2 * Math.PI * (i - 48)) / (i < 60 ? 12 : 8);
  return [0.45 * Math.cos(a) * (i < 60 ? 1 : 0.7), 0.85 + 0.15 * Math.sin(a) * (i < 60 ? 1 : 0.5), 0.15];
});

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

function face(over: Partial<FaceEvidence> = {}): FaceEvidence {
  return { landmarks: landmarks(0), yaw: 0, pitch: 3, roll: 0, interocular: 50, faceHeight: 160, sharpness: 120, brightness: 0.5, eyes: { left: 0.97, right: 0.97 }, passive: 0.95, ...over };
}

const at = (i: number) => i * 100;
const eyes = (open: number) => ({ left: open, right: open });
/** Frames of a person who blinks once in the middle (open -> closed -> open), templates on the last frames. */
function blinking(n: number, over: (i: number) => Partial<FaceEvidence> = () => ({}), templates: Float32Array[] = []): FrameEvidence[] {
  return Array.from({ length: n }, (_, i) => {
    const closed = i === Math.floor(n / 2);
    const t = templates[i - (n - templates.length)];
    return { at: at(i), faces: 1, face: face({ landmarks: landmarks(0), eyes: eyes(closed ? 0.03 : 0.96), ...(t ? { template: t } : {}), ...over(i) }) };
  });
}

describe('liveness challenge (one rule for the screen and the back end)', () => {
  const seen = (c: LivenessChallenge, f: Partial<FaceEvidence> | undefined, t: number) => c.observe(f ? { at: t, faces: 1, face: face(f) } : { at: t, faces: 0 });

  it('passes on open -> closed -> open eyes, and not on eyes that stay open or stay closed', () => {
    const c = new LivenessChallenge(['blink']);
    [1, 0.98, 0.97].forEach((o, i) => seen(c, { eyes: eyes(o) }, i * 100));
    expect(c.passed).toBe(false);
    const closed = new LivenessChallenge(['blink']);
    [0.02, 0.01, 0.03].forEach((o, i) => seen(closed, { eyes: eyes(o) }, i * 100));
    expect(closed.passed).toBe(false);
    [0.9, 0.05, 0.95].forEach((o, i) => seen(c, { eyes: eyes(o) }, 400 + i * 100));
    expect(c.passedWith).toBe('blink');
  });

  it('reads the more open eye, so one eye the model always misreads as closed is neither a blink nor a block', () => {
    const c = new LivenessChallenge(['blink']);
    for (let i = 0; i < 10; i++) seen(c, { eyes: { left: 0.99, right: i % 2 ? 0.01 : 0.6 } }, i * 100);
    expect(c.passed).toBe(false);
    seen(c, { eyes: { left: 0.02, right: 0.0 } }, 1100);
    seen(c, { eyes: { left: 0.97, right: 0.01 } }, 1200);
    expect(c.passed).toBe(true);
  });

  it('does not count a closure that lasts too long, or one broken by the face leaving or a second face', () => {
    const slow = new LivenessChallenge(['blink']);
    seen(slow, { eyes: eyes(0.9) }, 0);
    seen(slow, { eyes: eyes(0.05) }, 100);
    seen(slow, { eyes: eyes(0.95) }, 5000);
    expect(slow.passed).toBe(false);
    const swapped = new LivenessChallenge(['blink']);
    seen(swapped, { eyes: eyes(0.9) }, 0);
    seen(swapped, { eyes: eyes(0.05) }, 100);
    seen(swapped, undefined, 200);
    seen(swapped, { eyes: eyes(0.95) }, 300);
    expect(swapped.passed).toBe(false);
    const two = new LivenessChallenge(['blink']);
    two.observe({ at: 0, faces: 1, face: face({ eyes: eyes(0.9) }) });
    two.observe({ at: 100, faces: 2, face: face({ eyes: eyes(0.05) }) });
    two.observe({ at: 200, faces: 1, face: face({ eyes: eyes(0.95) }) });
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
  it('recovers a homography exactly (normalised DLT) and measures no residual for a plane', () => {
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
    const p = planeFit(Array.from(src), Array.from(dst), 50)!;
    expect(p.deformation).toBeGreaterThan(0.02);
    expect(p.residual).toBeLessThan(1e-9);
  });

  it('tells a head turned +-30 degrees (parallax) from a photo of it turned as far (one plane)', () => {
    const turn = [0, 10, 20, 25, 30, 25, 20, 10, 0, -10, -20, -25, -30, -25, -20, -10];
    const frames = (flat: boolean): FrameEvidence[] => turn.map((yaw, i) => ({ at: at(i), faces: 1, face: face({ landmarks: landmarks(yaw, flat), yaw: flat ? 0 : yaw }) }));
    const head = measurePlanarity(frames(false));
    const photo = measurePlanarity(frames(true));
    expect(head.deformedFrames).toBeGreaterThanOrEqual(PLANARITY.minDeformed);
    expect(photo.deformedFrames).toBeGreaterThanOrEqual(PLANARITY.minDeformed);
    expect(head.ratio!).toBeGreaterThan(PLANARITY.planarRatio);
    expect(photo.ratio!).toBeLessThan(PLANARITY.planarRatio);
    expect([head.planar, photo.planar]).toEqual([false, true]);
    // A face that hardly moves says nothing either way.
    expect(measurePlanarity(blinking(20))).toMatchObject({ planar: false, ratio: null });
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
    expect(judgeLiveness(blinking(3)).reason).toBe('passive');
    // A photo turned in front of the camera while its eye scores flicker (as the eye model's do on a warped picture).
    const yaws = [0, 10, 20, 30, 20, 10, 0, -10, -20, -30, -20, -10, 0, 10, 20, 30];
    const photo = yaws.map((y, i) => ({ at: at(i), faces: 1, face: face({ landmarks: landmarks(y, true), eyes: eyes(i === 7 ? 0.1 : 0.9) }) }));
    expect(judgeLiveness(photo)).toMatchObject({ live: false, reason: 'planar', details: { challenge: 'blink' } });
    const head = yaws.map((y, i) => ({ at: at(i), faces: 1, face: face({ landmarks: landmarks(y), yaw: y, eyes: eyes(i === 7 ? 0.1 : 0.9) }) }));
    expect(judgeLiveness(head)).toMatchObject({ live: true });
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
    for (let i = 1; i < 200 && !state.ready; i++) state = g.observe(frameAt(i, i === 150 ? 0.02 : 0.96));
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
describe.skipIf(skip)(titled('liveness on real frames of person-a-enroll', skip), () => {
  it('judges the genuine clip live (a blink; its motion is not one plane) and the same frame repeated as frozen', { timeout: 120_000 }, async () => {
    const pipeline = await createNodePipeline({ threads: 1, models: ['detector', 'landmarks', 'embedder', 'liveness', 'eyes'] });
    const frames: FrameEvidence[] = [];
    try {
      for await (const { index, image } of clipFrames(join(mediaRoot, 'person-a-enroll.mjpeg'), 2)) {
        if (index < 20) continue;
        if (index > 84) break;
        frames.push(frameEvidence(await pipeline.analyse(image, { embed: 'primary', liveness: true, eyes: true }), Math.round((index * 1000) / 15)));
      }
    } finally {
      await pipeline.release();
    }
    const judged = judgeLiveness(frames);
    expect(judged, JSON.stringify(judged.details)).toMatchObject({ live: true, details: { challenge: 'blink' } });
    expect(judged.details.planarity.planar).toBe(false);
    const still = frames.map((f) => ({ ...f, face: frames[0]!.face }));
    expect(judgeLiveness(still).reason).toBe('frozen');
  });
});
