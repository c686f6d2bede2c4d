// Feeds the vision worker from a <video>: each new camera frame is grabbed as an ImageBitmap and
// transferred, with up to two frames in flight so the worker starts the next one as soon as it is
// done (one in flight leaves it idle while the UI thread waits for and grabs a frame). Frames
// arriving while two are in flight are skipped, never queued, so results stay current.
import type { FrameOptions, FrameResult } from '../vision/protocol';

export interface FramePumpOptions {
  analyse(bitmap: ImageBitmap, options: FrameOptions): Promise<FrameResult>;
  /** Read on every frame, so the caller can change them without restarting the pump. */
  current(): { options: FrameOptions; paused: boolean };
  onResult(result: FrameResult): void;
  onError(error: unknown): void;
  maxInFlight?: number;
}

const IDLE_POLL_MS = 100;
const ERROR_BACKOFF_MS = 1000;

/** Starts pumping; returns the function that stops it. */
export function startFramePump(video: HTMLVideoElement, o: FramePumpOptions): () => void {
  const maxInFlight = o.maxInFlight ?? 2;
  let stopped = false;
  let inFlight = 0;
  let presented = 0;
  let grabbed = -1;
  let backoffUntil = 0;
  let wake: (() => void) | null = null;
  const nudge = () => {
    wake?.();
    wake = null;
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, ms);
    });

  // Counts frames the video has presented; without requestVideoFrameCallback, every animation frame.
  const hasRvfc = 'requestVideoFrameCallback' in video;
  let handle = 0;
  const onFrame = (_now: number, meta?: VideoFrameCallbackMetadata) => {
    presented = meta ? meta.presentedFrames : presented + 1;
    nudge();
    if (!stopped) handle = hasRvfc ? video.requestVideoFrameCallback(onFrame) : requestAnimationFrame((t) => onFrame(t));
  };
  handle = hasRvfc ? video.requestVideoFrameCallback(onFrame) : requestAnimationFrame((t) => onFrame(t));

  const send = async () => {
    inFlight++;
    try {
      const bitmap = await createImageBitmap(video);
      const result = await o.analyse(bitmap, o.current().options);
      if (!stopped) o.onResult(result);
    } catch (e) {
      if (!stopped) {
        backoffUntil = performance.now() + ERROR_BACKOFF_MS;
        o.onError(e);
      }
    } finally {
      inFlight--;
      nudge();
    }
  };

  void (async () => {
    while (!stopped) {
      const ready = video.readyState >= 2 && video.videoWidth > 0 && !o.current().paused && performance.now() >= backoffUntil;
      if (!ready || inFlight >= maxInFlight || presented === grabbed) {
        await sleep(IDLE_POLL_MS);
        continue;
      }
      grabbed = presented;
      void send();
    }
  })();

  return () => {
    stopped = true;
    if (hasRvfc) video.cancelVideoFrameCallback(handle);
    else cancelAnimationFrame(handle);
    nudge();
  };
}
