// Locates ../shared (datasets, media) for tests and tools. Tests that need it skip with a
// one-line reason when it is absent: a user's fresh clone has no ../shared.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedRoot = resolve(process.env.NORMFACE_SHARED ?? join(repoRoot, '..', 'shared'));
export const lfwRoot = join(sharedRoot, 'datasets', 'lfw');
export const mediaRoot = join(sharedRoot, 'media');

export const hasLfw = existsSync(join(lfwRoot, 'pairs.txt'));
export const hasMedia = existsSync(join(mediaRoot, 'person-a-enroll.mjpeg'));
export const noLfwReason = `../shared/datasets/lfw is absent (looked in ${lfwRoot})`;
export const noMediaReason = `../shared/media is absent (looked in ${mediaRoot})`;

/** Path of one LFW image by name and 1-based index, as in the pair lists. */
export function lfwImage(name: string, index: number): string {
  return join(lfwRoot, 'images', name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

/** The first reason a test cannot run here, or undefined; for `describe.skipIf(reason)`. */
export function skipReason(...reasons: (string | false | undefined)[]): string | undefined {
  return reasons.find((r): r is string => typeof r === 'string');
}

/** A suite title that carries its one-line skip reason when it is skipped. */
export function titled(title: string, reason: string | undefined): string {
  return reason ? `${title} (skipped: ${reason})` : title;
}
