// Guided capture: the camera view asks for each pose in turn and takes a sample by itself whenever the
// frame is good (one face, close enough, sharp, lit, eyes open) and the pose is new. Thumbnails of
// the samples can be removed, which re-opens capture for the missing ones.
import { useCallback, useRef, useState } from 'react';
import { QUALITY_LIMITS } from '../../../../core/vision/quality';
import { CameraView } from '../../camera/CameraView';
import type { FrameOptions, FrameResult } from '../../vision/protocol';
import { MIN_SAMPLES, nextPose, poseOf, POSES, posesOf, shouldTake, type TakenPose } from './poses';
import { storedQuality } from '../../../../core/contract/quality';
import { sampleKey, thumbnailUrl, type Sample } from './sample';

/** The stylesheet styles .row and .thumbs; these lists only drop their bullets. */
const LIST = { listStyle: 'none', padding: 0 } as const;
const OPTIONS: FrameOptions = { embed: true, passive: false, eyes: true, thumbnail: true };

export interface CaptureSamplesProps {
  samples: Sample[];
  onChange(samples: Sample[]): void;
}

/**
 * A blink closes both eyes; the eye model often reads one open eye of a person with narrow eyes as
 * closed (on the enrollment clip the pipeline's both-eyes rule refused 60 % of frames), so one
 * clearly open eye is enough here.
 */
function eyesOpen(eyes: { left: number; right: number } | undefined): boolean {
  return !eyes || Math.max(eyes.left, eyes.right) >= QUALITY_LIMITS.minEyesOpen;
}

function takenPoses(samples: readonly Sample[]): TakenPose[] {
  return posesOf(samples.map((s) => ({ yaw: s.quality.yaw ?? 0, pitch: s.quality.pitch ?? 0 })));
}

export function CaptureSamples({ samples, onChange }: CaptureSamplesProps) {
  // The frame loop reads the latest samples without re-subscribing.
  const current = useRef({ samples, onChange });
  current.current = { samples, onChange };
  const lastAt = useRef(performance.now());

  // While the frame is not good enough, the camera view shows the pipeline's own guidance
  // ("Move closer", "Hold still") instead of the pose instruction.
  const [frameGood, setFrameGood] = useState(false);

  const onAnalysis = useCallback((r: FrameResult) => {
    const { samples: have, onChange: change } = current.current;
    const face = r.faces[0];
    const good = r.faces.length === 1 && !!face && r.guidance.every((g) => g === 'open_eyes') && eyesOpen(face.eyes);
    setFrameGood(good);
    if (!good || !face || !face.template || !face.thumbnail) return;
    const now = performance.now();
    const { yaw, pitch } = face.quality;
    const taken = takenPoses(have);
    if (!shouldTake(yaw, pitch, taken, { now, lastAt: lastAt.current })) return;
    lastAt.current = now;
    const label = taken[0] ? poseOf(yaw, pitch, taken[0]) : 'frontal';
    change([...have, { key: sampleKey(), vector: face.template, quality: storedQuality(face.quality), thumbnail: face.thumbnail, source: 'camera', label }]);
  }, []);

  const taken = takenPoses(samples);
  const next = nextPose(taken);
  const full = samples.length >= MIN_SAMPLES;
  const prompt = full ? 'Done: review the samples below.' : frameGood && next ? POSES.find((p) => p.pose === next)?.instruction ?? null : null;

  return (
    <div className="row">
      <CameraView options={OPTIONS} onAnalysis={onAnalysis} paused={full} prompt={prompt} label="Enrollment camera" />
      <div>
        <ul className="row" aria-label="Poses" style={LIST}>
          {POSES.map((p) => {
            const done = taken.some((t) => t.pose === p.pose);
            return (
              <li key={p.pose} aria-label={`${p.pose}: ${done ? 'taken' : 'not yet taken'}`} style={{ fontWeight: done ? 600 : 400 }}>
                <span aria-hidden="true">{done ? '✓' : '○'}</span> {p.pose}
              </li>
            );
          })}
        </ul>
        <p role="status" aria-live="polite" data-testid="sample-count">
          {samples.length} of {MIN_SAMPLES} samples taken
        </p>
        <ul className="thumbs" aria-label="Samples taken" style={LIST}>
          {samples.map((s, i) => (
            <li key={s.key} data-testid="sample" style={{ display: 'grid', gap: '0.25rem', justifyItems: 'center' }}>
              <img src={thumbnailUrl(s.thumbnail)} alt={`Sample ${i + 1}: ${s.label}`} width={96} height={96} />
              <button
                type="button"
                aria-label={`Remove sample ${i + 1} (${s.label})`}
                onClick={() => {
                  lastAt.current = performance.now();
                  onChange(samples.filter((x) => x.key !== s.key));
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
