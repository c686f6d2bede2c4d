// The typed messages between the UI thread and the vision worker. Frames travel as transferred
// ImageBitmaps (no copy); results come back as plain data with the templates' buffers transferred.
import type { TrackingNote } from '../../../core/vision/pipeline';
import type { Guidance, Quality } from '../../../core/vision/quality';
import type { Box, Point } from '../../../core/vision/image';
import type { FacePatch } from '../../../core/vision/patch';
import type { Backend, BackendChoice } from '../../../core/vision/sessions';
import type { VisionErrorCode } from '../../../core/vision/errors';

export interface FrameOptions {
  /** Give the largest face a Template. */
  embed: boolean;
  /** Run the passive liveness model (its file is `liveness` in models/manifest.json) on the largest face: FaceResult.passive. */
  passive: boolean;
  /** Eye state of the largest face (for the blink challenge and enrollment quality). */
  eyes: boolean;
  /** A small JPEG of the largest face (enrollment thumbnails). */
  thumbnail: boolean;
  /** A small grey picture of the largest face, for the liveness rule's test on pixels: FaceResult.patch. */
  patch?: boolean;
  /** Run the full detector on this frame instead of following the face from earlier frames (login attempts: the liveness rule reads the landmarks' geometry, which must not depend on which earlier frames were analysed). */
  detect?: boolean;
}

export interface FaceResult {
  box: Box;
  score: number;
  /** 68 landmarks as x0, y0, x1, y1... in frame pixels. */
  landmarks: Float32Array;
  points: Point[];
  quality: Quality;
  template?: Float32Array;
  /** The passive liveness model's p(live) of this face, when asked for. */
  passive?: number;
  eyes?: { left: number; right: number };
  /** JPEG bytes, at most a few KiB. */
  thumbnail?: Uint8Array;
  /** core/vision/patch.ts's grey picture of the face, when asked for. */
  patch?: FacePatch;
  /** The tracker's id for this face: the same while it stays in view (absent with tracking off). */
  track?: number;
}

export interface FrameResult {
  width: number;
  height: number;
  /** Largest face first. */
  faces: FaceResult[];
  guidance: Guidance[];
  timings: Partial<Record<string, number>>;
  /** Milliseconds the worker spent on this frame, pixel copy included. */
  workMs: number;
  /** Whether the full detector ran on this frame and why (absent with tracking off). */
  tracking?: TrackingNote;
}

export type PhotoVerdictCode = VisionErrorCode | 'unreadable';

export type PhotoResult =
  | { ok: true; template: Float32Array; quality: Quality; thumbnail: Uint8Array }
  | { ok: false; code: PhotoVerdictCode; message: string };

export interface InitRequest {
  type: 'init';
  backend: BackendChoice;
  /** Base URL the models are served from (the host serves /models/). */
  modelBase: string;
  /** Base URL of onnxruntime-web's .wasm/.mjs files (the host serves /ort/). */
  ortBase: string;
  /** Follow faces between camera frames (core/vision/track.ts) instead of detecting on every one. */
  tracking: boolean;
}

export type ToWorker =
  | InitRequest
  | { type: 'frame'; id: number; bitmap: ImageBitmap; options: FrameOptions }
  | { type: 'photo'; id: number; file: Blob };

export interface ReadyInfo {
  backend: Backend;
  threads: number;
  tracking: boolean;
  fallbackReason: string | null;
  crossOriginIsolated: boolean;
}

export type FromWorker =
  | ({ type: 'ready' } & ReadyInfo)
  | { type: 'init-failed'; message: string }
  | { type: 'frame'; id: number; result: FrameResult }
  | { type: 'photo'; id: number; result: PhotoResult }
  | { type: 'failed'; id: number; message: string };
