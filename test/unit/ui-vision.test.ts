// The renderer's pure decision rules, fed synthetic frames: multi-frame fusion and passive liveness
// and the kiosk's visits. (The liveness challenge and the login attempt are core's: liveness.test.ts.)
import { describe, expect, it } from 'vitest';
import { cosine } from '../../core/hypersphere';
import type { Quality } from '../../core/vision/quality';
import { MAX_VISIT_FRAMES } from '../../core/contract/api';
import { KioskVisit, MAX_TRIES, VISIT_GAP_MS, VISIT_PROBES } from '../../renderer/src/screens/Kiosk/visit';
import { probeFace, ProbeSet } from '../../renderer/src/vision/fusion';
import type { FaceResult, FrameResult } from '../../renderer/src/vision/protocol';
import { seededTemplate as unit } from '../support/synthetic-templates';

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
});

describe('kiosk visit', () => {
  const person = unit(11);
  const seen = (i: number, passive = 0.8) => frame([face({ template: unit(300 + i, 0.05, person), passive })]);

  it('sends one visit once it has its probes, with only the probes carrying templates, and then stops embedding', () => {
    const v = new KioskVisit('off');
    let t = 0;
    let step = v.observe(seen(0), t, false);
    for (let i = 1; i < VISIT_PROBES && step.kind === 'wait'; i++) step = v.observe(seen(i), (t += 50), false);
    expect(step.kind).toBe('send');
    if (step.kind !== 'send') return;
    expect(step.evidence.frames).toHaveLength(VISIT_PROBES);
    expect(step.evidence.frames.filter((f) => f.face?.template).length).toBe(VISIT_PROBES);
    expect(step.evidence.frames.every((f) => Array.isArray(f.face?.landmarks) && f.face?.landmarks.length === 136)).toBe(true);
    expect(v.answered('not-recognised')).toBe('decided');
    expect(v.wantsTemplates).toBe(false);
    expect(v.observe(seen(9), (t += 600), false).kind).toBe('wait');
  });

  it('waits for passive-liveness frames in passive mode, asks again after a liveness answer, and never more than MAX_TRIES', () => {
    const v = new KioskVisit('passive');
    // Frames without a passive score: the visit waits, up to PASSIVE_WAIT_MS.
    let t = 0;
    const noScore = (i: number) => frame([face({ template: unit(300 + i, 0.05, person) })]);
    for (let i = 0; i < 10; i++, t += 100) expect(v.observe(noScore(i), t, false).kind).toBe('wait');
    let tries = 0;
    for (let i = 0; i < 100; i++, t += 100) {
      const step = v.observe(seen(20 + i), t, false);
      if (step.kind === 'send') {
        tries++;
        expect(step.evidence.frames.length).toBeLessThanOrEqual(MAX_VISIT_FRAMES);
        expect(step.evidence.frames.filter((f) => f.face?.template).length).toBeLessThanOrEqual(VISIT_PROBES);
        expect(v.answered('liveness')).toBe('open');
      }
    }
    expect(tries).toBe(MAX_TRIES);
    expect(v.wantsTemplates).toBe(false);
  });

  it('decides on the probes it has when the analysis is too slow to gather the rest in time', () => {
    const v = new KioskVisit('off');
    const slow = { ...seen(0), workMs: 2000 };
    const step = v.observe(slow, 0, false);
    expect(step.kind).toBe('send');
    if (step.kind === 'send') expect(step.evidence.frames.filter((f) => f.face?.template)).toHaveLength(1);
  });

  it('waits while a call is in flight, and starts a new visit after the face has gone', () => {
    const v = new KioskVisit('off');
    let t = 0;
    for (let i = 0; i < VISIT_PROBES + 3; i++) expect(v.observe(seen(i), (t += 50), true).kind).toBe('wait');
    expect(v.observe(seen(50), (t += 50), false).kind).toBe('send');
    v.answered('greeting');
    expect(v.observe(frame([]), (t += 100), false).kind).toBe('wait');
    expect(v.observe(frame([]), (t += VISIT_GAP_MS + 1), false).kind).toBe('left');
    expect(v.outcome).toBe('open');
    expect(v.wantsTemplates).toBe(true);
  });
});
