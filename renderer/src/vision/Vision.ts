// The UI thread's handle on the vision worker: start it once per backend choice, send frames and
// photos, get typed results. Screens share one instance (models load once, not per screen).
import type { Backend, BackendChoice } from '../../../core/vision/sessions';
import type { FrameOptions, FrameResult, FromWorker, PhotoResult, ReadyInfo, ToWorker } from './protocol';

/**
 * Tracking is on unless the page was opened with ?tracking=off: the switch bench:ui uses to measure
 * the detect-every-frame path in the same run. Not a user setting; the tracker makes no decisions.
 */
function trackingWanted(): boolean {
  return new URLSearchParams(self.location.search).get('tracking') !== 'off';
}

type Waiting = { resolve(value: never): void; reject(e: Error): void };

export class Vision {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private broken: string | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly info: ReadyInfo,
  ) {
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
    worker.onerror = (event) => this.breakAll(`the vision worker stopped: ${event.message || 'unknown error'}`);
  }

  /** Starts a worker and loads the models; rejects with a sentence when they cannot be loaded. */
  static start(backend: BackendChoice): Promise<Vision> {
    const worker = new Worker(new URL('./vision.worker.ts', import.meta.url), { type: 'module', name: 'vision' });
    const origin = self.location.origin;
    const init: ToWorker = { type: 'init', backend, modelBase: `${origin}/models/`, ortBase: `${origin}/ort/`, tracking: trackingWanted() };
    return new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const m = event.data;
        if (m.type === 'ready') resolve(new Vision(worker, { backend: m.backend, threads: m.threads, tracking: m.tracking, fallbackReason: m.fallbackReason, crossOriginIsolated: m.crossOriginIsolated }));
        else if (m.type === 'init-failed') {
          worker.terminate();
          reject(new Error(`Face recognition could not start: ${m.message}`));
        }
      };
      worker.onerror = (event) => {
        worker.terminate();
        reject(new Error(`Face recognition could not start: ${event.message || 'the vision worker failed to load'}`));
      };
      worker.postMessage(init);
    });
  }

  get backend(): Backend {
    return this.info.backend;
  }

  /** Analyses one frame; the bitmap is transferred (closed here) and must not be used again. */
  analyse(bitmap: ImageBitmap, options: FrameOptions): Promise<FrameResult> {
    return this.send<FrameResult>({ type: 'frame', id: 0, bitmap, options }, [bitmap]);
  }

  /** The enrollment template of the one face in a photo file, or the reason there is none. */
  photo(file: Blob): Promise<PhotoResult> {
    return this.send<PhotoResult>({ type: 'photo', id: 0, file });
  }

  terminate(): void {
    this.worker.terminate();
    this.breakAll('the vision worker was stopped');
  }

  private send<T>(message: ToWorker & { id: number }, transfer: Transferable[] = []): Promise<T> {
    if (this.broken) return Promise.reject(new Error(this.broken));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: never) => void, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private receive(m: FromWorker): void {
    if (m.type === 'ready' || m.type === 'init-failed') return;
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    if (m.type === 'failed') w.reject(new Error(m.message));
    else w.resolve(m.result as never);
  }

  private breakAll(message: string): void {
    this.broken = message;
    for (const w of this.waiting.values()) w.reject(new Error(message));
    this.waiting.clear();
  }
}

let shared: { backend: BackendChoice; vision: Promise<Vision> } | null = null;

/** The app's one Vision for this backend choice; changing the choice starts a new worker. */
export function sharedVision(backend: BackendChoice): Promise<Vision> {
  if (shared?.backend === backend) return shared.vision;
  const old = shared;
  const vision = Vision.start(backend);
  shared = { backend, vision };
  // A failed start is not cached: the next screen tries again.
  vision.catch(() => {
    if (shared?.vision === vision) shared = null;
  });
  old?.vision.then((v) => v.terminate(), () => undefined);
  return vision;
}
