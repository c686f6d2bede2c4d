// The vision core on real faces: detection rate, landmark consistency after alignment, and what
// every kind of bad input gives (a typed, readable error or a defined result; never a crash or hang).
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySimilarity, ARCFACE_TEMPLATE, alignmentMap, similarityTransform } from '../../core/vision/align';
import { VisionError } from '../../core/vision/errors';
import { sampleRgba, type RgbaImage } from '../../core/vision/image';
import { fivePoints } from '../../core/vision/landmarks';
import type { FacePipeline } from '../../core/vision/pipeline';
import { fixedSample } from '../eval/lfw-lists';
import { DecodeError, decodeFile, decodeImage } from '../support/decode';
import { createNodePipeline } from '../support/node-pipeline';
import { hasLfw, lfwImage, noLfwReason, titled } from '../support/shared';

let pipeline: FacePipeline;
beforeAll(async () => {
  pipeline = await createNodePipeline({ threads: 1 });
});
afterAll(() => pipeline?.release());

describe.skipIf(!hasLfw)(titled('vision core on real LFW faces', hasLfw ? undefined : noLfwReason), () => {
  it('finds the face in at least 99% of a fixed 300-image sample', async () => {
    const sample = fixedSample(300);
    let found = 0;
    for (const path of sample) if ((await pipeline.detect(decodeFile(path))).length > 0) found++;
    console.log(`detector: ${found}/300 faces found`);
    expect(found / sample.length).toBeGreaterThanOrEqual(0.99);
  }, 600_000);

  it('puts the eye centres within 3 px of the template when the landmarks run again on the aligned crop', async () => {
    const errors: number[] = [];
    const drift: number[] = [];
    for (const path of fixedSample(20)) {
      const img = decodeFile(path);
      const [face] = await pipeline.detect(img);
      if (!face) continue;
      const points = fivePoints(await pipeline.landmarks(img, face.box));
      // The aligned face with a 56 px margin of real context, so the landmark crop sees no padding;
      // the geometry is the 112x112 alignment's, shifted by the margin.
      const m = alignmentMap(points);
      const t = similarityTransform(points, ARCFACE_TEMPLATE);
      const margin = 56;
      const aligned = sampleRgba(img, { ...m, c: m.c - margin * (m.a + m.b), f: m.f - margin * (m.d + m.e) }, 112 + 2 * margin, 112 + 2 * margin);
      const [again0] = await pipeline.detect(aligned);
      if (!again0) throw new Error(`no face found again in the aligned crop of ${path}`);
      const again = fivePoints(await pipeline.landmarks(aligned, again0.box)).map((p) => ({ x: p.x - margin, y: p.y - margin }));
      const mapped = points.map((p) => applySimilarity(t, p));
      for (const eye of [0, 1]) {
        errors.push(Math.hypot(again[eye]!.x - ARCFACE_TEMPLATE[eye]!.x, again[eye]!.y - ARCFACE_TEMPLATE[eye]!.y));
        drift.push(Math.hypot(again[eye]!.x - mapped[eye]!.x, again[eye]!.y - mapped[eye]!.y));
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`eyes re-found on the aligned crop: vs where alignment put them max ${Math.max(...drift).toFixed(2)} px (mean ${mean(drift).toFixed(2)}); vs the template max ${Math.max(...errors).toFixed(2)} px (mean ${mean(errors).toFixed(2)})`);
    expect(drift.length).toBe(40);
    // The warp is exact: every eye is found again within 3 px of where the similarity mapped it.
    expect(Math.max(...drift)).toBeLessThan(3);
    // Against the template itself the five-point least-squares fit leaves a residual set by each
    // face's proportions (a long nose, a wide mouth): within 3 px on average, not for every face.
    expect(mean(errors)).toBeLessThan(3);
  });

  it('refuses a photo with several faces, and embeds a photo of one', async () => {
    const a = decodeFile(lfwImage('Colin_Powell', 1));
    const b = decodeFile(lfwImage('Tony_Blair', 1));
    const both = new Uint8Array(500 * 250 * 4);
    for (let y = 0; y < 250; y++) {
      both.set(a.data.subarray(y * 1000, (y + 1) * 1000), y * 2000);
      both.set(b.data.subarray(y * 1000, (y + 1) * 1000), y * 2000 + 1000);
    }
    await expect(pipeline.enrollmentTemplate({ width: 500, height: 250, data: both })).rejects.toMatchObject({ code: 'several_faces' });
    const analysis = await pipeline.analyse({ width: 500, height: 250, data: both });
    expect(analysis.faces).toHaveLength(2);
    expect(analysis.guidance).toContain('one_person_only');
    const one = await pipeline.enrollmentTemplate(a);
    expect(one.template).toHaveLength(512);
  });

  it('says a truncated JPEG is truncated', () => {
    const bytes = readFileSync(lfwImage('Colin_Powell', 1));
    expect(() => decodeImage(bytes.subarray(0, bytes.length >> 1), 'cut.jpg')).toThrow(expect.objectContaining({ code: 'corrupt', message: expect.stringContaining('truncated') }));
  });
});

function expectCode(fn: () => unknown, type: typeof DecodeError | typeof VisionError, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    expect((err as DecodeError).code).toBe(code);
    expect((err as Error).message.length).toBeGreaterThan(10);
    return;
  }
  throw new Error(`expected a ${type.name} with code ${code}`);
}

/** A JPEG encoded here, so these tests need nothing from ../shared. */
function smallJpeg(width: number, height: number): Uint8Array {
  const data = Buffer.alloc(width * height * 4, 128);
  return new Uint8Array(jpeg.encode({ width, height, data }, 80).data);
}

describe('bad input', () => {
  it('zero-byte file', () => expectCode(() => decodeImage(new Uint8Array(0), 'empty.jpg'), DecodeError, 'empty'));

  it('text file named .jpg', () => expectCode(() => decodeImage(new TextEncoder().encode('hello, this is not a photo'), 'notes.jpg'), DecodeError, 'unsupported'));

  it('truncated JPEG', () => {
    const bytes = smallJpeg(64, 64);
    expectCode(() => decodeImage(bytes.subarray(0, bytes.length - 40), 'cut.jpg'), DecodeError, 'corrupt');
  });

  it('huge declared JPEG size is refused before any allocation', () => {
    const bytes = smallJpeg(16, 16);
    // Patch the SOF0 frame header (FF C0, length, precision, height, width) to 65000 x 65000.
    const sof = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint16(sof + 5, 65000);
    view.setUint16(sof + 7, 65000);
    expectCode(() => decodeImage(bytes, 'huge.jpg'), DecodeError, 'too_large');
  });

  it('huge declared PNG size is refused before inflating', () => {
    const png = PNG.sync.write(Object.assign(new PNG({ width: 4, height: 4 }), { data: Buffer.alloc(64, 255) }));
    png.writeUInt32BE(100000, 16);
    png.writeUInt32BE(100000, 20);
    expectCode(() => decodeImage(new Uint8Array(png), 'huge.png'), DecodeError, 'too_large');
  });

  it('1x1 image decodes, then the pipeline says it is too small', async () => {
    const png = PNG.sync.write(Object.assign(new PNG({ width: 1, height: 1 }), { data: Buffer.from([10, 20, 30, 255]) }));
    const img = decodeImage(new Uint8Array(png), 'dot.png');
    expect(img).toMatchObject({ width: 1, height: 1 });
    await expect(pipeline.enrollmentTemplate(img)).rejects.toMatchObject({ code: 'invalid_image' });
    await expect(pipeline.analyse(img)).rejects.toBeInstanceOf(VisionError);
  });

  it('pixel buffer of the wrong length', async () => {
    const img: RgbaImage = { width: 100, height: 100, data: new Uint8Array(10) };
    await expect(pipeline.detect(img)).rejects.toMatchObject({ code: 'invalid_image' });
  });

  it('an image with no face: defined result for a frame, a clear refusal for enrollment', async () => {
    const w = 320;
    const h = 240;
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([(i % w) * 0.8, (i / w) % 255, 90, 255], i * 4);
    const img = { width: w, height: h, data };
    const analysis = await pipeline.analyse(img);
    expect(analysis.faces).toEqual([]);
    expect(analysis.guidance).toEqual(['no_face']);
    await expect(pipeline.enrollmentTemplate(img)).rejects.toMatchObject({ code: 'no_face', message: expect.stringMatching(/no face/i) });
  });
});
