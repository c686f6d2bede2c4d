// Login (1:1): filled in by the next commit; the shell needs the entry now.
import { CameraView } from '../../camera/CameraView';

export default function LoginScreen() {
  return (
    <section>
      <h1>Log in</h1>
      <CameraView options={{ embed: true, liveness: true, eyes: true, thumbnail: false }} />
    </section>
  );
}
