// Check-in kiosk (1:N): filled in by the next commit; the shell needs the entry now.
import { CameraView } from '../../camera/CameraView';

export default function KioskScreen() {
  return (
    <section>
      <h1>Check-in</h1>
      <CameraView options={{ embed: true, liveness: false, eyes: false, thumbnail: false }} />
    </section>
  );
}
