// The camera view every mode uses: mirrored live preview, face box (and landmarks), plain-language
// guidance and a status line with frames per second and the backend. Frames go to the vision worker
// as transferred ImageBitmaps, one in flight at a time, so the preview itself never waits.
import { useEffect, useRef, useState } from 'react';
import { GUIDANCE_TEXT } from '../../../core/vision/quality';
import { useAppState } from '../components/AppState';
import { errorText } from '../components/errorText';
import { Notice } from '../components/Notice';
import { sharedVision, type Vision } from '../vision/Vision';
import type { FrameOptions, FrameResult } from '../vision/protocol';
import { startFramePump } from './framePump';
import { drawOverlay } from './overlay';
import { useCamera } from './useCamera';

export interface CameraViewProps {
  /** What the worker computes per frame. */
  options: FrameOptions;
  /** Called with every analysed frame (and the Vision, for its backend). */
  onAnalysis?(result: FrameResult, vision: Vision): void;
  /** Called once the camera is live, with its performance.now() start time. */
  onCameraLive?(startedAt: number): void;
  /** Stops sending frames (the preview keeps running). */
  paused?: boolean;
  showLandmarks?: boolean;
  /** Replaces the pipeline's guidance (e.g. a liveness challenge's instruction). */
  prompt?: string | null;
  /** Colours the served face's box (e.g. green on a match); null: by quality. */
  accent?: string | null;
  label?: string;
}

interface Status {
  fps: number;
  frames: number;
  backend: string;
  /** Worker milliseconds per stage of the last frame (read by the benchmark). */
  timings: string;
  /** How the last frame found its faces: 'tracked', or why the full detector ran (read by the benchmark). */
  tracking: string;
}

const FPS_WINDOW_MS = 2000;

export function CameraView({ options, onAnalysis, onCameraLive, paused = false, showLandmarks = false, prompt = null, accent = null, label = 'Camera preview' }: CameraViewProps) {
  const { settings } = useAppState();
  const camera = useCamera(settings.cameraId, settings.resolution);
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [vision, setVision] = useState<Vision | null>(null);
  const [visionError, setVisionError] = useState<string | null>(null);
  const [result, setResult] = useState<FrameResult | null>(null);
  const [landmarks, setLandmarks] = useState(showLandmarks);
  const [status, setStatus] = useState<Status>({ fps: 0, frames: 0, backend: '…', timings: '', tracking: '' });
  // Latest props read by the frame loop without restarting it.
  const live = useRef({ options, onAnalysis, paused, showLandmarks, accent });
  live.current = { options, onAnalysis, paused, showLandmarks: landmarks, accent };

  useEffect(() => {
    let cancelled = false;
    setVision(null);
    setVisionError(null);
    sharedVision(settings.backend).then(
      (v) => !cancelled && setVision(v),
      (e: unknown) => !cancelled && setVisionError(errorText(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [settings.backend]);

  const stream = camera.status === 'live' ? camera.stream : null;
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.srcObject = stream;
    if (stream) video.play().catch((e: unknown) => setVisionError(`The preview could not play: ${errorText(e)}`));
    if (camera.status === 'live') onCameraLive?.(camera.startedAt);
  }, [stream]);

  useEffect(() => {
    const video = videoRef.current;
    if (!vision || !stream || !video) return;
    const done: number[] = [];
    let frames = 0;
    return startFramePump(video, {
      analyse: (bitmap, options) => vision.analyse(bitmap, options),
      current: () => live.current,
      onError: (e) => setVisionError(`Face analysis failed: ${errorText(e)}`),
      onResult: (r) => {
        const now = performance.now();
        done.push(now);
        while (done.length > 0 && done[0]! < now - FPS_WINDOW_MS) done.shift();
        frames++;
        setResult(r);
        setVisionError(null);
        setStatus({ fps: done.length > 1 ? ((done.length - 1) * 1000) / (now - done[0]!) : 0, frames, backend: vision.backend, timings: JSON.stringify({ ...r.timings, work: r.workMs }), tracking: r.tracking ? (r.tracking.reason ?? 'tracked') : '' });
        if (canvasRef.current) drawOverlay(canvasRef.current, r, live.current.showLandmarks, live.current.accent);
        live.current.onAnalysis?.(r, vision);
      },
    });
  }, [vision, stream]);

  const guidance = prompt ?? (result ? result.guidance.map((g) => GUIDANCE_TEXT[g]).join(' ') || 'Good, hold it there.' : null);
  return (
    <figure className="camera" aria-label={label} data-testid="camera" data-backend={vision?.backend ?? ''} data-frames={status.frames} data-fps={status.fps.toFixed(1)} data-timings={status.timings} data-tracking={status.tracking} data-isolated={vision ? String(vision.info.crossOriginIsolated) : ''}>
      <div className="camera-stage">
        <video ref={videoRef} className="mirrored" muted playsInline aria-hidden="true" />
        <canvas ref={canvasRef} className="mirrored overlay" aria-hidden="true" />
        {camera.status !== 'live' && <div className="camera-placeholder">{camera.status === 'starting' ? 'Starting the camera…' : 'No picture'}</div>}
      </div>
      {camera.status === 'failed' && (
        <Notice kind="error" testId="camera-error">
          {camera.message}
        </Notice>
      )}
      {visionError && <Notice kind="error">{visionError}</Notice>}
      <figcaption>
        <p className="guidance" aria-live="polite" data-testid="guidance">
          {camera.status === 'live' ? (vision ? guidance ?? 'Looking for a face…' : 'Loading face recognition…') : ''}
        </p>
        <p className="status-line" data-testid="camera-status">
          {status.fps.toFixed(1)} frames/s · {vision ? (vision.backend === 'webgpu' ? 'WebGPU' : `WASM (${vision.info.threads} thread${vision.info.threads === 1 ? '' : 's'})`) : 'loading'}
          {vision?.info.fallbackReason && settings.backend !== 'wasm' ? ` · WebGPU unavailable: ${vision.info.fallbackReason}` : ''}
          {vision && !vision.info.crossOriginIsolated ? ' · page not cross-origin isolated: WASM runs on one thread' : ''}
        </p>
        <label className="status-line">
          <input type="checkbox" checked={landmarks} onChange={(e) => setLandmarks(e.target.checked)} /> Show landmarks
        </label>
      </figcaption>
    </figure>
  );
}
