// The training loss as it falls, drawn as an SVG polyline (no chart library): steps on x, loss on y.

export interface LossPoint {
  step: number;
  loss: number;
}

const W = 480;
const H = 200;
const PAD = 36;

export function LossCurve({ points }: { points: readonly LossPoint[] }) {
  if (points.length === 0) {
    return <p className="hint">The loss curve appears once training reports its first step.</p>;
  }
  const steps = points.map((p) => p.step);
  const losses = points.map((p) => p.loss);
  const x0 = Math.min(...steps);
  const x1 = Math.max(...steps, x0 + 1);
  const y0 = Math.min(0, ...losses);
  const y1 = Math.max(...losses, y0 + 1e-6);
  const x = (s: number) => PAD + ((s - x0) / (x1 - x0)) * (W - 2 * PAD);
  const y = (l: number) => H - PAD + 8 - ((l - y0) / (y1 - y0)) * (H - 2 * PAD);
  const last = points[points.length - 1] as LossPoint;
  return (
    <figure style={{ margin: 0, maxWidth: '32rem' }}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Loss curve: ${points.length} points, latest loss ${last.loss.toFixed(4)} at step ${last.step}`}>
        <line x1={PAD} y1={H - PAD + 8} x2={W - PAD} y2={H - PAD + 8} stroke="currentColor" strokeWidth={1} />
        <line x1={PAD} y1={PAD - 8} x2={PAD} y2={H - PAD + 8} stroke="currentColor" strokeWidth={1} />
        <text x={PAD - 4} y={y(y1) + 4} textAnchor="end" fontSize={11} fill="currentColor">{y1.toFixed(2)}</text>
        <text x={PAD - 4} y={y(y0) + 4} textAnchor="end" fontSize={11} fill="currentColor">{y0.toFixed(2)}</text>
        <text x={PAD} y={H - 6} fontSize={11} fill="currentColor">step {x0}</text>
        <text x={W - PAD} y={H - 6} textAnchor="end" fontSize={11} fill="currentColor">step {x1}</text>
        <polyline fill="none" stroke="var(--accent)" strokeWidth={2} points={points.map((p) => `${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ')} />
        <circle cx={x(last.step)} cy={y(last.loss)} r={3.5} fill="var(--accent)" />
      </svg>
      <figcaption>Training loss (latest {last.loss.toFixed(4)} at step {last.step})</figcaption>
    </figure>
  );
}
