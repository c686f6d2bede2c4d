// One login attempt at the camera, in this process: frames -> the face pipeline -> FrameEvidence,
// fed to core/decisions' LoginEvidence (the same gathering the renderer does, the same liveness rule
// the back end will replay) until it is ready or the time is up. Nothing here decides: the evidence
// goes to the service's verify handler.
import { LOGIN_MAX_PROBES, LoginEvidence } from '../../core/decisions/login';
import { isProbeFrame } from '../../core/decisions/probe';
import { frameEvidence, type FrameEvidence } from '../../core/liveness/evidence';
import type { Args } from '../../core/contract/api';
import type { FacePipeline } from '../../core/vision/pipeline';
import type { Frame } from '../services/capture/frames';
import { darkPercentage } from './whenToLook';

type WireFrame = Args<'login'>['evidence']['frames'][number];

export interface Attempt {
  frames: WireFrame[];
  /** Frames analysed, and the attempt clock (ms) when gathering stopped. */
  analysed: number;
  endedAt: number;
  /** Why gathering stopped. */
  stop: 'ready' | 'timeout' | 'end-of-video';
  /** The last instruction the rule gave (what a person would have been told). */
  instruction: string | null;
  /** Milliseconds spent in each pipeline stage over the attempt (where the time goes). */
  stageMs: Record<string, number>;
  /** Frames skipped as too dark to analyse (dark_threshold). */
  dark: number;
}

export interface GatherOptions {
  /** Stop at the first frame that can serve as a probe (the answer is known: the person is locked). */
  firstProbe?: boolean;
  /** Skip frames with at least this percentage of dark pixels (an IR camera's frames between flashes). */
  darkThreshold?: number;
  /** Called once, at the first frame a face is seen: the moment to tell the person what to do. */
  onFace?: () => void;
}

/** The passive model runs on every this-many frames: its score is a mean over frames, not one frame's. */
const PASSIVE_EVERY = 3;

/**
 * Every frame gets the full detector, landmarks and eye state, as the app's Log in screen analyses
 * its frames (FrameOptions.detect): the liveness rule reads the landmarks' geometry, and a tracked
 * face's landmarks (found on a box predicted from the frames before) drift off a turning photo's
 * plane as a real nose does. The passive score every few frames; the embedder (the costly stage)
 * only on frames that can serve as probes, until the attempt holds as many as it sends.
 */
/** The evidence as the contract carries it: landmarks as plain numbers (zod checks an array, not a typed array). */
function wire(frames: readonly FrameEvidence[]): WireFrame[] {
  return frames.map((f) => (f.face ? { ...f, face: { ...f.face, landmarks: Array.from(f.face.landmarks) } } : { at: f.at, faces: f.faces }));
}

export async function gatherAttempt(pipeline: FacePipeline, frames: AsyncIterable<Frame>, limitMs: number, options: GatherOptions = {}): Promise<Attempt> {
  const attempt = new LoginEvidence();
  const stageMs: Record<string, number> = {};
  let analysed = 0;
  let endedAt = 0;
  let instruction: string | null = null;
  let dark = 0;
  let faceSeen = false;
  const done = (stop: Attempt['stop']): Attempt => {
    for (const k of Object.keys(stageMs)) stageMs[k] = Math.round(stageMs[k]!);
    return { frames: wire(attempt.evidence()), analysed, endedAt, stop, instruction, stageMs, dark };
  };
  for await (const frame of frames) {
    endedAt = frame.at;
    if (frame.at > limitMs) return done('timeout');
    if (options.darkThreshold !== undefined && options.darkThreshold < 100 && darkPercentage(frame.image) >= options.darkThreshold) {
      dark++;
      continue;
    }
    const analysis = await pipeline.analyse(frame.image, { embed: 'none', eyes: true, patch: true, passive: analysed % PASSIVE_EVERY === 0 });
    for (const [stage, ms] of Object.entries(analysis.timings)) stageMs[stage] = (stageMs[stage] ?? 0) + (ms ?? 0);
    const evidence = frameEvidence(analysis, frame.at);
    const face = analysis.faces[0];
    if (face && !faceSeen) {
      faceSeen = true;
      options.onFace?.();
    }
    if (face && evidence.face && attempt.probeCount < LOGIN_MAX_PROBES) {
      // Would it serve as a probe once it has a template? Only then is the embedder worth its time.
      const candidate: FrameEvidence = { ...evidence, face: { ...evidence.face, template: new Float32Array(0) } };
      if (isProbeFrame(candidate)) {
        const t0 = performance.now();
        evidence.face.template = await pipeline.embed(frame.image, face.points);
        stageMs['embed'] = (stageMs['embed'] ?? 0) + performance.now() - t0;
      }
    }
    analysed++;
    const progress = attempt.observe(evidence);
    if (progress.ready || (options.firstProbe && evidence.face?.template)) return done('ready');
    instruction = progress.instruction;
  }
  return done('end-of-video');
}
