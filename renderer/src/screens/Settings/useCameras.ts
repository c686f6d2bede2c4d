// The cameras the browser can see. Labels stay empty until camera permission was granted once;
// the list refreshes when a camera is plugged in or out.
import { useEffect, useState } from 'react';

export interface CameraList {
  devices: MediaDeviceInfo[];
  error: string;
}

export function useCameras(): CameraList {
  const [list, setList] = useState<CameraList>({ devices: [], error: '' });
  useEffect(() => {
    const media = navigator.mediaDevices;
    if (!media?.enumerateDevices) {
      setList({ devices: [], error: 'This browser cannot list cameras; the default camera is used.' });
      return;
    }
    let live = true;
    const refresh = () => {
      media.enumerateDevices().then(
        (all) => {
          if (!live) return;
          const devices = all.filter((d) => d.kind === 'videoinput' && d.deviceId !== '');
          setList({ devices, error: devices.length === 0 ? 'No camera found (or camera permission not yet given): plug one in, or open a camera screen once to allow it.' : '' });
        },
        (e: unknown) => live && setList({ devices: [], error: `The cameras could not be listed: ${e instanceof Error ? e.message : String(e)}` }),
      );
    };
    refresh();
    media.addEventListener('devicechange', refresh);
    return () => {
      live = false;
      media.removeEventListener('devicechange', refresh);
    };
  }, []);
  return list;
}
