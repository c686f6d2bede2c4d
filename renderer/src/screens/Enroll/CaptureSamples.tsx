// Guided capture: the camera view asks for each pose in turn and takes a sample by itself whenever the
// frame is good (one face, close enough, sharp, lit, eyes open) and the pose is new. Thumbnails of
// the samples can be removed, which re-opens capture for the missing ones.
import { useCallback, useRef } from 'react';
import { CameraView } from '../../camera/CameraView';
import type { FrameOptions, FrameResult } from '../../vision/protocol';
import { MIN_SAMPLES, nextPose, poseOf, POSES, shouldTake, type TakenPose } from './poses';
import { sampleKey, storedQuality, thumbnailUrl, type Sample } from './sample';

const OPTIONS: FrameOptions = { embed: true, liveness: false, eyes: true, thumbnail: true };

export interface CaptureSamplesProps {
  samples: Sample[];
  onChange(samples: Sample[]): void;
}

function takenPoses(samples: readonly Sample[]): TakenPose[] {
  return samples.map((s) => ({ pose: poseOf(s.quality.yaw ?? 0, s.quality.pitch ?? 0), yaw: s.quality.yaw ?? 0, pitch: s.quality.pitch ?? 0 }));
}

export function CaptureSamples({ samples, onChange }: CaptureSamplesProps) {
  // The frame loop reads the latest samples without re-subscribing.
  const current = useRef({ samples, onChange });
  current.current = { samples, onChange };
  const lastAt = useRef(performance.now());

  const onAnalysis = useCallback((r: FrameResult) => {
    const { samples: have, onChange: change } = current.current;
    const face = r.faces[0];
    if (r.faces.length !== 1 || !face || r.guidance.length > 0 || !face.template || !face.thumbnail) return;
    const now = performance.now();
    const { yaw, pitch } = face.quality;
    if (!shouldTake(yaw, pitch, takenPoses(have), { now, lastAt: lastAt.current })) return;
    lastAt.current = now;
    change([...have, { key: sampleKey(), vector: face.template, quality: storedQuality(face.quality), thumbnail: face.thumbnail, source: 'camera', label: poseOf(yaw, pitch) }]);
  }, []);

  const taken = takenPoses(samples);
  const next = nextPose(taken);
  const full = samples.length >= MIN_SAMPLES;
  const prompt = full ? 'Done: review the samples below.' : next ? POSES.find((p) => p.pose === next)?.instruction ?? null : null;

  return (
    <div className="capture">
      <CameraView options={OPTIONS} onAnalysis={onAnalysis} paused={full} prompt={prompt} label="Enrollment camera" />
      <ul className="pose-checklist" aria-label="Poses">
        {POSES.map((p) => {
          const done = taken.some((t) => t.pose === p.pose);
          return (
            <li key={p.pose} className={done ? 'done' : ''}>
              <span aria-hidden="true">{done ? '✓' : '○'}</span> {p.pose}
              <span className="visually-hidden">{done ? ' taken' : ' not yet taken'}</span>
            </li>
          );
        })}
      </ul>
      <p role="status" aria-live="polite" data-testid="sample-count">
        {samples.length} of {MIN_SAMPLES} samples taken
      </p>
      <ul className="thumbnails" aria-label="Samples taken">
        {samples.map((s, i) => (
          <li key={s.key} data-testid="sample">
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
  );
}
