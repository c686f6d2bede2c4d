// The camera path: follow faces from frame to frame instead of re-detecting them. After a full
// detection, each face is followed by the landmark stage alone, on a box predicted from its last
// landmarks. The full detector runs again only when
//   - a tracked face is lost: the new landmarks disagree with the box they were found in, or the
//     cheap BlazeFace check (the "scout") no longer sees a face there;
//   - the scout sees a face no track explains (someone walked in): it looks at one square tile of
//     the frame per frame, round-robin, so every part of the frame is seen within ceil(w/h) frames;
//   - every `redetectEvery` frames, to correct slow drift of the predicted box.
// Pure core: used by the renderer's vision worker and by Node hosts alike.
import { iou, type Detection } from './detect';
import { checkImage, type Box, type RgbaImage } from './image';
import type { Landmarks68 } from './landmarks';
import { guidance } from './quality';
import type { AnalyseOptions, FacePipeline, FaceObservation, FrameAnalysis, LocatedFace, TrackingNote } from './pipeline';
import { stageTimer } from './pipeline';
import type { ScoutFace } from './scout';

export interface TrackerOptions {
  /** Full detection at least every this many frames (2 s at 15 frames/s). */
  redetectEvery?: number;
  /**
   * Least overlap (IoU) between the box a face was predicted in and the box its new landmarks give:
   * catches a crop that slid off a moving face. Person A's clip: min 0.945, 5th percentile 0.974
   * (bench:pipeline). An empty frame still scores ~0.77, so a face that left is caught by the scout.
   */
  minConsistency?: number;
  /** Share of the last motion carried into the next prediction (0: none, 1: constant velocity). */
  motion?: number;
}

export const TRACKER_DEFAULTS: Required<TrackerOptions> = { redetectEvery: 30, minConsistency: 0.6, motion: 0.5 };

/** Where the detector's box sits relative to the landmarks, in units of the landmarks' own spread. */
interface BoxRelation {
  dx: number;
  dy: number;
  w: number;
  h: number;
}

interface Track {
  id: number;
  landmarks: Landmarks68;
  relation: BoxRelation;
  box: Box;
  /** Last frame-to-frame shift of the box centre, pixels. */
  vx: number;
  vy: number;
  score: number;
}

/** Centroid and RMS spread of the 68 points: a frame for the box that moves and scales with the face. */
function spread(lm: Landmarks68): { cx: number; cy: number; s: number } {
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < 68; i++) {
    cx += lm[2 * i] as number;
    cy += lm[2 * i + 1] as number;
  }
  cx /= 68;
  cy /= 68;
  let ss = 0;
  for (let i = 0; i < 68; i++) ss += ((lm[2 * i] as number) - cx) ** 2 + ((lm[2 * i + 1] as number) - cy) ** 2;
  return { cx, cy, s: Math.max(1e-3, Math.sqrt(ss / 68)) };
}

function relate(box: Box, lm: Landmarks68): BoxRelation {
  const { cx, cy, s } = spread(lm);
  return { dx: ((box.x1 + box.x2) / 2 - cx) / s, dy: ((box.y1 + box.y2) / 2 - cy) / s, w: (box.x2 - box.x1) / s, h: (box.y2 - box.y1) / s };
}

function boxFrom(lm: Landmarks68, r: BoxRelation, shiftX = 0, shiftY = 0): Box {
  const { cx, cy, s } = spread(lm);
  const x = cx + r.dx * s + shiftX;
  const y = cy + r.dy * s + shiftY;
  return { x1: x - (r.w * s) / 2, y1: y - (r.h * s) / 2, x2: x + (r.w * s) / 2, y2: y + (r.h * s) / 2 };
}

const centre = (b: Box) => ({ x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 });
const contains = (b: Box, p: { x: number; y: number }) => p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2;
const inside = (inner: Box, outer: Box) => inner.x1 >= outer.x1 && inner.x2 <= outer.x2 && inner.y1 >= outer.y1 && inner.y2 <= outer.y2;
const clip = (b: Box, w: number, h: number): Box => ({ x1: Math.max(0, b.x1), y1: Math.max(0, b.y1), x2: Math.min(w, b.x2), y2: Math.min(h, b.y2) });

/** Square tiles of side min(w, h), evenly spaced, covering the frame. */
export function scoutTiles(width: number, height: number): Box[] {
  const side = Math.min(width, height);
  const n = Math.ceil(Math.max(width, height) / side - 1e-9);
  const tiles: Box[] = [];
  for (let i = 0; i < n; i++) {
    const offset = n === 1 ? 0 : (i * (Math.max(width, height) - side)) / (n - 1);
    tiles.push(width >= height ? { x1: offset, y1: 0, x2: offset + side, y2: side } : { x1: 0, y1: offset, x2: side, y2: offset + side });
  }
  return tiles;
}

/** A square about the face, twice its size: BlazeFace (front) is made for faces that fill much of its input. */
function verifyRegion(b: Box): Box {
  const c = centre(b);
  const half = Math.max(b.x2 - b.x1, b.y2 - b.y1);
  return { x1: c.x - half, y1: c.y - half, x2: c.x + half, y2: c.y + half };
}

export class FaceTracker {
  private readonly options: Required<TrackerOptions>;
  private tracks: Track[] = [];
  private sinceDetect = Infinity;
  private frameSize = '';
  private tile = 0;
  private nextId = 1;

  constructor(
    private readonly pipeline: FacePipeline,
    options: TrackerOptions = {},
  ) {
    this.options = { ...TRACKER_DEFAULTS, ...options };
  }

  /** Forget every face (a new camera, or a gap in the stream). */
  reset(): void {
    this.tracks = [];
    this.sinceDetect = Infinity;
    this.tile = 0;
  }

  /** Same result as FacePipeline.analyse, plus `tracking`; the options mean the same. */
  async analyse(img: RgbaImage, options: AnalyseOptions = {}): Promise<FrameAnalysis> {
    checkImage(img);
    const size = `${img.width}x${img.height}`;
    if (size !== this.frameSize) {
      this.reset();
      this.frameSize = size;
    }
    const timings: FrameAnalysis['timings'] = {};
    const time = stageTimer(timings);
    // Without the scout nothing can vouch for a tracked face: detect every frame.
    let reason: TrackingNote['reason'] | undefined = this.pipeline.has('scout') ? undefined : 'search';
    if (this.sinceDetect >= this.options.redetectEvery) reason = this.tracks.length > 0 ? 'periodic' : 'search';

    let followed: { track: Track; landmarks: Landmarks68; box: Box; score: number }[] = [];
    let consistency = Infinity;
    if (!reason) {
      const tiles = scoutTiles(img.width, img.height);
      const tile = tiles[this.tile++ % tiles.length] as Box;
      const seen = await time('scout', () => this.pipeline.scout(img, tile));
      for (const track of this.tracks) {
        const predicted = boxFrom(track.landmarks, track.relation, this.options.motion * track.vx, this.options.motion * track.vy);
        const landmarks = await time('landmarks', () => this.pipeline.landmarks(img, predicted));
        const box = boxFrom(landmarks, track.relation);
        const agreement = iou(predicted, box);
        consistency = Math.min(consistency, agreement);
        if (agreement < this.options.minConsistency) {
          reason = 'lost';
          break;
        }
        // The tile's pass vouches for faces inside it; others get a pass of their own.
        const witnesses: ScoutFace[] = inside(box, tile) ? seen : await time('scout', () => this.pipeline.scout(img, verifyRegion(box)));
        const witness = witnesses.find((f) => contains(box, centre(f.box)));
        if (!witness) {
          reason = 'lost';
          break;
        }
        followed.push({ track, landmarks, box, score: witness.score });
      }
      // Two tracks that slid onto one face: let the detector sort them out.
      if (!reason && followed.some((a, i) => followed.some((b, j) => j > i && iou(a.box, b.box) > 0.5))) reason = 'lost';
      if (!reason && seen.some((f) => !followed.some((t) => contains(t.box, centre(f.box))))) reason = this.tracks.length > 0 ? 'newcomer' : 'search';
    }

    let located: LocatedFace[];
    if (reason) {
      followed = [];
      located = await this.detectAll(img, time);
      this.sinceDetect = 0;
    } else {
      this.sinceDetect++;
      located = followed.map(({ track, landmarks, box, score }) => {
        const was = centre(track.box);
        const now = centre(box);
        Object.assign(track, { landmarks, box, score, vx: now.x - was.x, vy: now.y - was.y });
        return { detection: { box: clip(box, img.width, img.height), score }, landmarks, track: track.id };
      });
    }

    const faces: FaceObservation[] = await this.pipeline.observe(img, located, options, time);
    const tracking: TrackingNote = reason ? { detected: true, reason } : { detected: false };
    if (consistency !== Infinity) tracking.consistency = consistency;
    return { width: img.width, height: img.height, faces, guidance: guidance(faces.length, faces[0]?.quality), timings, tracking };
  }

  /** The full detector, then landmarks per face; tracks restart from these, keeping the ids of faces that overlap. */
  private async detectAll(img: RgbaImage, time: Parameters<FacePipeline['observe']>[3]): Promise<LocatedFace[]> {
    const detections: Detection[] = await time('detect', () => this.pipeline.detect(img));
    const previous = this.tracks;
    this.tracks = [];
    const located: LocatedFace[] = [];
    for (const detection of detections) {
      const landmarks = await time('landmarks', () => this.pipeline.landmarks(img, detection.box));
      const match = previous.find((t) => iou(t.box, detection.box) > 0.3 && !this.tracks.some((u) => u.id === t.id));
      const was = match ? centre(match.box) : centre(detection.box);
      const now = centre(detection.box);
      const track: Track = { id: match?.id ?? this.nextId++, landmarks, relation: relate(detection.box, landmarks), box: detection.box, vx: now.x - was.x, vy: now.y - was.y, score: detection.score };
      this.tracks.push(track);
      located.push({ detection, landmarks, track: track.id });
    }
    return located;
  }
}
