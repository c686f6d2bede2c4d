// The camera path's tracker on real webcam clips: it follows a face without re-detecting, gives the
// same identity decisions as detecting on every frame, notices a second face walking in within five
// frames (a side-by-side clip made with ffmpeg), and lets go of a face that has left.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosine } from '../../core/hypersphere';
import { iou } from '../../core/vision/detect';
import type { RgbaImage } from '../../core/vision/image';
import type { FacePipeline } from '../../core/vision/pipeline';
import { FaceTracker, scoutTiles, TRACKER_DEFAULTS } from '../../core/vision/track';
import { clipImages, TWO_FACES, twoFacesClip } from '../support/clips';
import { createNodePipeline } from '../support/node-pipeline';
import { hasMedia, mediaRoot, noMediaReason, repoRoot, titled } from '../support/shared';

const THRESHOLD = (JSON.parse(readFileSync(join(repoRoot, 'models', 'calibration.json'), 'utf8')) as { thresholds: Record<string, number> }).thresholds['1e-4'] as number;

describe('scout tiles', () => {
  it('cover the frame with squares of its shorter side', () => {
    expect(scoutTiles(400, 300)).toEqual([
      { x1: 0, y1: 0, x2: 300, y2: 300 },
      { x1: 100, y1: 0, x2: 400, y2: 300 },
    ]);
    expect(scoutTiles(760, 300)).toHaveLength(3);
    expect(scoutTiles(300, 300)).toHaveLength(1);
    expect(scoutTiles(480, 640).at(-1)).toEqual({ x1: 0, y1: 160, x2: 480, y2: 640 });
  });
});

describe.skipIf(!hasMedia)(titled('face tracker on webcam clips', hasMedia ? undefined : noMediaReason), () => {
  let pipeline: FacePipeline;
  let enrolled: Float32Array;
  beforeAll(async () => {
    pipeline = await createNodePipeline({ models: ['scout'] });
    const [frame] = clipImages(join(mediaRoot, 'person-a-enroll.mjpeg'), 1, 100);
    enrolled = (await pipeline.enrollmentTemplate(frame as RgbaImage)).template;
  }, 120_000);
  afterAll(() => pipeline?.release());

  it('follows person A without re-detecting, with the boxes, templates and decisions of detecting every frame', async () => {
    const frames = clipImages(join(mediaRoot, 'person-a-live.mjpeg'), 45, 60);
    const tracker = new FaceTracker(pipeline);
    let detections = 0;
    const overlaps: number[] = [];
    const agreement: number[] = [];
    for (const [k, img] of frames.entries()) {
      const embed = k % 5 === 0 ? 'primary' : 'none';
      const tracked = await tracker.analyse(img, { embed });
      const reference = await pipeline.analyse(img, { embed });
      if (tracked.tracking?.detected) detections++;
      expect(tracked.faces).toHaveLength(1);
      const [t, r] = [tracked.faces[0]!, reference.faces[0]!];
      expect(t.track).toBe(1);
      overlaps.push(iou(t.detection.box, r.detection.box));
      if (embed === 'primary') {
        agreement.push(cosine(t.template!, r.template!));
        // The identity decision: person A at FMR 1e-4, the same on both paths.
        expect(cosine(t.template!, enrolled) >= THRESHOLD).toBe(cosine(r.template!, enrolled) >= THRESHOLD);
        expect(cosine(t.template!, enrolled)).toBeGreaterThan(THRESHOLD);
      }
    }
    console.log(`tracker: ${detections} full detections in ${frames.length} frames; box IoU vs detector min ${Math.min(...overlaps).toFixed(3)}; template cosine vs detector path min ${Math.min(...agreement).toFixed(4)}`);
    // The first frame and the periodic check only.
    expect(detections).toBeLessThanOrEqual(1 + Math.floor(frames.length / TRACKER_DEFAULTS.redetectEvery));
    expect(Math.min(...overlaps)).toBeGreaterThan(0.75);
    expect(Math.min(...agreement)).toBeGreaterThan(0.98);
  }, 180_000);

  it('finds a second face walking in within 5 frames, and does not take it for person A', async () => {
    const frames = clipImages(twoFacesClip());
    expect(frames).toHaveLength(TWO_FACES.frames);
    const tracker = new FaceTracker(pipeline);
    let foundAt = -1;
    for (const [k, img] of frames.entries()) {
      if (k > TWO_FACES.appearsAt + 8) break;
      // Templates where they are checked: every 4th frame, and every frame once the second person is in.
      const a = await tracker.analyse(img, { embed: k >= TWO_FACES.appearsAt || k % 4 === 0 ? 'all' : 'none' });
      const right = a.faces.filter((f) => f.detection.box.x1 >= TWO_FACES.leftWidth);
      const left = a.faces.filter((f) => f.detection.box.x2 <= TWO_FACES.leftWidth);
      expect(left).toHaveLength(1);
      if (k < TWO_FACES.appearsAt) expect(right).toHaveLength(0);
      else if (right.length > 0 && foundAt < 0) foundAt = k;
      for (const f of right) expect(cosine(f.template!, enrolled)).toBeLessThan(THRESHOLD);
      if (left[0]!.template) expect(cosine(left[0]!.template, enrolled)).toBeGreaterThan(THRESHOLD);
    }
    console.log(`tracker: second face appears at frame ${TWO_FACES.appearsAt}, found at frame ${foundAt}`);
    expect(foundAt).toBeGreaterThanOrEqual(TWO_FACES.appearsAt);
    expect(foundAt - TWO_FACES.appearsAt).toBeLessThan(5);
  }, 180_000);

  it('lets go of a face that has left: no face reported on the first empty frame', async () => {
    const frames = clipImages(join(mediaRoot, 'person-a-live.mjpeg'), 5);
    const tracker = new FaceTracker(pipeline);
    for (const img of frames) expect((await tracker.analyse(img, { embed: 'none' })).faces).toHaveLength(1);
    const last = frames.at(-1) as RgbaImage;
    // An empty grey frame of the same size: the person stepped out of view.
    const data = new Uint8ClampedArray(last.data.length).fill(128);
    const empty = await tracker.analyse({ width: last.width, height: last.height, data }, { embed: 'none' });
    expect(empty.faces).toHaveLength(0);
    console.log(`tracker: on an empty frame the landmark box agrees with the predicted one at IoU ${empty.tracking?.consistency?.toFixed(3)} (threshold ${TRACKER_DEFAULTS.minConsistency})`);
    expect(empty.tracking).toMatchObject({ detected: true, reason: 'lost' });
  }, 60_000);
});
