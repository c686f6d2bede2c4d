// Draws what the pipeline saw over the preview: a box per face (the served face highlighted) and,
// when asked, the 68 landmarks. Drawn in frame pixels; CSS mirrors the canvas with the video.
import type { FrameResult } from '../vision/protocol';

export function drawOverlay(canvas: HTMLCanvasElement, result: FrameResult | null, landmarks: boolean, accent: string | null): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  if (result && (canvas.width !== result.width || canvas.height !== result.height)) {
    canvas.width = result.width;
    canvas.height = result.height;
  }
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!result) return;
  const line = Math.max(2, result.width / 320);
  for (const [i, face] of result.faces.entries()) {
    const { x1, y1, x2, y2 } = face.box;
    ctx.lineWidth = line;
    ctx.strokeStyle = i === 0 ? (accent ?? (result.guidance.length === 0 ? '#3ddc84' : '#ffb020')) : '#9aa4b2';
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
    if (landmarks && i === 0) {
      ctx.fillStyle = '#5ac8fa';
      for (let k = 0; k + 1 < face.landmarks.length; k += 2) {
        ctx.beginPath();
        ctx.arc(face.landmarks[k]!, face.landmarks[k + 1]!, line, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }
}
