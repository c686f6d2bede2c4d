// A one-line progress bar on stderr for long tool runs.
export function progressBar(label: string): (done: number, total: number) => void {
  const start = Date.now();
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 250) return;
    last = now;
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const rate = done / Math.max(0.001, (now - start) / 1000);
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${done < total ? `eta ${eta}s ` : 'done      '}`);
    if (done >= total) process.stderr.write('\n');
  };
}
