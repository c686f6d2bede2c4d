// Opens the camera chosen in settings and keeps it open: when it is denied, busy or unplugged the
// hook reports why and retries (every few seconds and whenever devices change) until it is back.
import { useEffect, useRef, useState } from 'react';
import type { Settings } from '../api/client';
import { cameraMessage, cameraProblem, type CameraProblem } from './cameraErrors';

export type CameraState = { status: 'starting' } | { status: 'live'; stream: MediaStream; startedAt: number } | { status: 'failed'; problem: CameraProblem; message: string };

const RETRY_MS = 2500;

function constraints(cameraId: string | null, resolution: Settings['resolution']): MediaStreamConstraints {
  const [width, height] = resolution.split('x').map(Number);
  // `ideal`, not `exact`: a camera that was chosen and is now gone falls back to another one.
  return { audio: false, video: { width: { ideal: width }, height: { ideal: height }, ...(cameraId ? { deviceId: { ideal: cameraId } } : {}) } };
}

export function useCamera(cameraId: string | null, resolution: Settings['resolution'], enabled = true): CameraState {
  const [state, setState] = useState<CameraState>({ status: 'starting' });
  const attempt = useRef(0);

  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const media = navigator.mediaDevices;

    const fail = (problem: CameraProblem, e?: unknown) => {
      if (stopped) return;
      setState({ status: 'failed', problem, message: cameraMessage(problem, e) });
      clearTimeout(timer);
      timer = setTimeout(open, RETRY_MS);
    };

    async function open() {
      if (stopped || stream) return;
      if (!media?.getUserMedia) return fail('unsupported');
      const mine = ++attempt.current;
      try {
        const s = await media.getUserMedia(constraints(cameraId, resolution));
        if (stopped || mine !== attempt.current) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        stream = s;
        for (const track of s.getVideoTracks()) {
          track.addEventListener('ended', () => {
            stream?.getTracks().forEach((t) => t.stop());
            stream = null;
            fail('unplugged');
          });
        }
        setState({ status: 'live', stream: s, startedAt: performance.now() });
      } catch (e) {
        fail(cameraProblem(e), e);
      }
    }

    const onDeviceChange = () => {
      if (!stream) void open();
    };
    media?.addEventListener?.('devicechange', onDeviceChange);
    setState({ status: 'starting' });
    void open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      media?.removeEventListener?.('devicechange', onDeviceChange);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [cameraId, resolution, enabled]);

  return state;
}
