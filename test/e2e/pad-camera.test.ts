// One verdict for one input: a few clips played through both real hosts of the login rule, Chromium's
// fake camera into the app's Log in screen and `normface verify --video` on the same data folder
// (test/support/cross-host.ts), must get the same verdict and the same reason in both. Person A's
// live clip logs in, person B's does not, and two presentation attacks of A are refused for the
// same part of liveness: a still photo injected as video (frozen) and a photo turned 50 degrees and
// back (test/pad/make-attacks.ts yaw seed 3: the pose estimate reads a head turn; the nose shows no
// parallax, so planar). eval:pad plays a larger sample (--chromium N) and the whole set in Node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, noChromiumReason } from '../support/chromium';
import { startCrossHost, type CrossHost } from '../support/cross-host';
import { hasMedia, mediaRoot, noMediaReason, skipReason, titled } from '../support/shared';
import { SCREEN_TIMEOUT_MS } from '../support/login-screen';
import { makePhotoAttack } from '../pad/make-attacks';
import { join } from 'node:path';

const skip = skipReason(!hasMedia && noMediaReason, !hasChromium && noChromiumReason);
/** The screen's attempt (model loading, up to 30 s of camera) and the command's (up to 30 s of clip), on two shared cores. */
const TIMEOUT = 2 * SCREEN_TIMEOUT_MS;

describe.skipIf(skip)(titled('one verdict for one clip: the Log in screen and normface verify', skip), () => {
  let hosts: CrossHost;

  beforeAll(async () => {
    hosts = await startCrossHost();
  }, SCREEN_TIMEOUT_MS);

  afterAll(async () => {
    await hosts?.close();
  });

  /**
   * `also`: a second liveness reason allowed for the screen. A loaded machine analyses fewer of the
   * fake camera's frames, and a renderer that missed the sweep's turning frames sees no gesture at all
   * ('no-challenge') where the command saw one plane: both refuse the photo for liveness.
   */
  const clips: { name: string; file: () => string; accepted: boolean; reason: string; liveness: string; also?: string }[] = [
    { name: 'person-a-live', file: () => join(mediaRoot, 'person-a-live.mjpeg'), accepted: true, reason: 'match', liveness: 'live' },
    { name: 'person-b-live', file: () => join(mediaRoot, 'person-b-live.mjpeg'), accepted: false, reason: 'no-match', liveness: 'live' },
    { name: 'a still photo of A', file: () => makePhotoAttack('still', 0).file, accepted: false, reason: 'liveness-failed', liveness: 'frozen' },
    { name: 'a photo of A turned 50 degrees and back', file: () => makePhotoAttack('yaw', 3).file, accepted: false, reason: 'liveness-failed', liveness: 'planar', also: 'no-challenge' },
  ];
  for (const c of clips) {
    it(`${c.name}: ${c.accepted ? 'accepted' : `refused (${c.reason}${c.reason === 'liveness-failed' ? `: ${c.liveness}` : ''})`} by both hosts`, { timeout: TIMEOUT }, async () => {
      const file = c.file();
      const screen = await hosts.atScreen(file);
      const command = await hosts.atCommand(file);
      const seen = `screen: ${JSON.stringify(screen)}; command: ${JSON.stringify(command)}`;
      expect({ accepted: command.accepted, reason: command.reason }, seen).toEqual({ accepted: screen.accepted, reason: screen.reason });
      expect(screen.accepted, seen).toBe(c.accepted);
      expect(screen.reason, seen).toBe(c.reason);
      if (c.reason === 'liveness-failed') {
        expect(command.liveness, seen).toBe(c.liveness);
        expect([c.liveness, c.also], seen).toContain(screen.liveness);
        if (screen.liveness !== command.liveness) console.warn(`cross-host: ${c.name}: the screen saw ${screen.liveness}, the command ${command.liveness} (${seen})`);
      } else {
        expect(screen.liveness, seen).toBe(command.liveness);
      }
    });
  }
});
