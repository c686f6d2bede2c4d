// The face pipeline: detect -> landmarks -> align -> embed (-> passive liveness, eyes, quality), as one
// object over the sessions created in sessions.ts. Runs the same in Node and in the renderer.
import type { Template } from '../hypersphere';
import { detectFaces, type Detection } from './detect';
import { embedFace } from './embed';
import { VisionError } from './errors';
import { eyeState, type EyeState } from './eyes';
import { checkImage, type Box, type RgbaImage } from './image';
import { fivePoints, locateLandmarks, type FivePoints, type Landmarks68 } from './landmarks';
import { passiveModelScore } from './passiveModel';
import { facePatch, type FacePatch } from './patch';
import { guidance, measureQuality, QUALITY_LIMITS, type Guidance, type Quality } from './quality';
import { scoutFaces, type ScoutFace } from './scout';
import { createModelSessions, type ModelName, type ModelSessions, type Ort, type SessionOptions } from './sessions';

export interface FaceObservation {
  detection: Detection;
  landmarks: Landmarks68;
  points: FivePoints;
  quality: Quality;
  template?: Template;
  /** The passive liveness model's p(live) (core/vision/passiveModel.ts), when it ran. */
  passive?: number;
  eyes?: EyeState;
  /** The tracker's id for this face (camera path only). */
  track?: number;
  /** A small grey picture of the face, for the liveness rule's planarity test (when asked for). */
  patch?: FacePatch;
}

export interface FrameAnalysis {
  width: number;
  height: number;
  /** Largest face first: at a desk or kiosk the nearest person is the one being served. */
  faces: FaceObservation[];
  guidance: Guidance[];
  /** Milliseconds per stage, for the status line and the benchmark. */
  timings: Partial<Record<Stage, number>>;
  /** Set by the FaceTracker: whether this frame ran the full detector, and why. */
  tracking?: TrackingNote;
}

export type Stage = 'detect' | 'scout' | 'landmarks' | 'embed' | 'passive' | 'eyes';

export interface TrackingNote {
  /** The full detector ran on this frame. */
  detected: boolean;
  /** Why it ran: no face was tracked, the periodic check, a tracked face was lost, or a new face was seen. */
  reason?: 'search' | 'periodic' | 'lost' | 'newcomer';
  /** The lowest IoU between a followed face's predicted box and the box its new landmarks give. */
  consistency?: number;
}

/** A face already located, by the detector or by tracking (then its landmarks are known too). */
export interface LocatedFace {
  detection: Detection;
  landmarks?: Landmarks68;
  /** The tracker's id for this face, stable while it is followed. */
  track?: number;
}

/** Adds each stage's milliseconds to `timings` as the work runs. */
export type StageTimer = <T>(stage: Stage, work: () => Promise<T>) => Promise<T>;

export function stageTimer(timings: Partial<Record<Stage, number>>): StageTimer {
  return async (stage, work) => {
    const t0 = now();
    const result = await work();
    timings[stage] = (timings[stage] ?? 0) + now() - t0;
    return result;
  };
}

export interface AnalyseOptions {
  /** Which faces get a Template: only the largest (default), all, or none. */
  embed?: 'primary' | 'all' | 'none';
  /** Run the passive liveness model (its file is `liveness` in models/manifest.json): FaceObservation.passive. */
  passive?: boolean;
  eyes?: boolean;
  /** Sample the face's grey patch (FaceObservation.patch), for the liveness rule. */
  patch?: boolean;
  flip?: boolean;
}

export interface PhotoTemplate {
  template: Template;
  face: FaceObservation;
}

const area = (b: Box) => (b.x2 - b.x1) * (b.y2 - b.y1);
const now = () => (globalThis as unknown as { performance: { now(): number } }).performance.now();

export class FacePipeline {
  private constructor(
    /** The onnxruntime the sessions belong to: tensors for them must come from it. */
    readonly ort: Ort,
    readonly models: ModelSessions,
  ) {}

  static async create(ort: Ort, loadModel: (file: string) => Promise<Uint8Array>, options: SessionOptions = {}): Promise<FacePipeline> {
    return new FacePipeline(ort, await createModelSessions(ort, loadModel, options));
  }

  get backend() {
    return this.models.backend;
  }

  get threads() {
    return this.models.threads;
  }

  detect(img: RgbaImage): Promise<Detection[]> {
    return detectFaces(this.ort, this.models.get('detector'), img);
  }

  landmarks(img: RgbaImage, box: Box): Promise<Landmarks68> {
    return locateLandmarks(this.ort, this.models.get('landmarks'), img, box);
  }

  embed(img: RgbaImage, points: FivePoints, flip = false): Promise<Template> {
    return embedFace(this.ort, this.models.get('embedder'), img, points, flip);
  }

  passive(img: RgbaImage, box: Box): Promise<number> {
    return passiveModelScore(this.ort, this.models.get('liveness'), img, box);
  }

  eyes(img: RgbaImage, lm: Landmarks68): Promise<EyeState> {
    return eyeState(this.ort, this.models.get('eyes'), img, lm);
  }

  /** BlazeFace over one square region (the tracker's cheap check); needs the 'scout' model loaded. */
  scout(img: RgbaImage, region: Box): Promise<ScoutFace[]> {
    return scoutFaces(this.ort, this.models.get('scout'), img, region);
  }

  /** Whether a model was loaded (the scout is optional). */
  has(name: ModelName): boolean {
    return this.models.sessions[name] !== undefined;
  }

  /** Everything a camera frame needs: faces, quality, guidance, and templates as asked. */
  async analyse(img: RgbaImage, options: AnalyseOptions = {}): Promise<FrameAnalysis> {
    const timings: FrameAnalysis['timings'] = {};
    const time = stageTimer(timings);
    const detections = await time('detect', () => this.detect(img));
    const faces = await this.observe(img, detections.map((detection) => ({ detection })), options, time);
    return { width: img.width, height: img.height, faces, guidance: guidance(faces.length, faces[0]?.quality), timings };
  }

  /**
   * Landmarks (unless known), quality and the asked-for extras of faces already located, largest
   * first. analyse() and the FaceTracker share it, so a tracked face is described exactly as a detected one.
   */
  async observe(img: RgbaImage, located: LocatedFace[], options: AnalyseOptions, time: StageTimer): Promise<FaceObservation[]> {
    const sorted = [...located].sort((p, q) => area(q.detection.box) - area(p.detection.box));
    const faces: FaceObservation[] = [];
    for (const [i, { detection, landmarks: known, track }] of sorted.entries()) {
      const landmarks = known ?? (await time('landmarks', () => this.landmarks(img, detection.box)));
      const points = fivePoints(landmarks);
      const face: FaceObservation = { detection, landmarks, points, quality: measureQuality(img, detection.box, points) };
      if (track !== undefined) face.track = track;
      const primary = i === 0;
      if (options.eyes && primary) {
        face.eyes = await time('eyes', () => this.eyes(img, landmarks));
        face.quality.eyesOpen = Math.min(face.eyes.left, face.eyes.right);
      }
      if (options.patch && primary) face.patch = facePatch(img, landmarks);
      if (options.passive && primary) face.passive = await time('passive', () => this.passive(img, detection.box));
      if (options.embed === 'all' || ((options.embed ?? 'primary') === 'primary' && primary)) {
        face.template = await time('embed', () => this.embed(img, points, options.flip));
      }
      faces.push(face);
    }
    return faces;
  }

  /**
   * The Template of the one face in an enrollment photo. A photo with no face, several faces or a
   * face too small to trust is refused with a VisionError saying which.
   */
  async enrollmentTemplate(img: RgbaImage, options: { flip?: boolean } = {}): Promise<PhotoTemplate> {
    checkImage(img);
    const analysis = await this.analyse(img, { embed: 'none', eyes: false });
    const [face, second] = analysis.faces;
    if (!face) throw new VisionError('no_face', 'No face was found in this photo.');
    // A background face much smaller than the main one does not make the photo ambiguous.
    if (second && area(second.detection.box) > 0.25 * area(face.detection.box)) {
      throw new VisionError('several_faces', `This photo shows ${analysis.faces.length} faces; use a photo of one person.`);
    }
    if (face.quality.interocular < QUALITY_LIMITS.minInterocular * 0.75) {
      throw new VisionError('face_too_small', `The face is too small (${Math.round(face.quality.faceHeight)} pixels high); use a closer or larger photo.`);
    }
    return { template: await this.embed(img, face.points, options.flip), face };
  }

  release(): Promise<void> {
    return this.models.release();
  }
}
