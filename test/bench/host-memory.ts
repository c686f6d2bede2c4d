// The browser host's memory under large frames: RSS before, right after N frames of about 7.9 MB
// (a bundle.inspect of garbage base64, refused after the check; every frame must get its answer), and
// a few seconds later. Prints the figures and one JSON line.
//   npx tsx test/bench/host-memory.ts [--frames 20] [--mb 7.9]
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { startBrowserHost } from '../../electron/browser-host/host';
import { tempDataDir, writeCalibration } from '../support/apiFixtures';
import { repoRoot } from '../support/shared';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const frames = arg('frames', 20);
const megabytes = arg('mb', 7.9);
const mib = () => process.memoryUsage().rss / 1048576;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = tempDataDir('bench-memory');
const host = await startBrowserHost({ appRoot: repoRoot, dataDir: dir, calibrationPath: writeCalibration(dir), log: () => {} });
const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
await sleep(1000);
const before = mib();
// 'QUJD' repeated is valid base64; a length over the bundle limit is refused by the contract check.
const bundle = 'QUJD'.repeat(Math.floor((megabytes * 1e6) / 4) - 20);
let answered = 0;
for (let i = 1; i <= frames; i++) {
  const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
  ws.send(JSON.stringify({ id: i, call: 'bundle.inspect', args: { bundle, passphrase: 'x' } }));
  if ((JSON.parse(await reply) as { id: number }).id === i) answered++;
}
const after = mib();
await sleep(5000);
const settled = mib();
console.log(`${frames} frames of ${megabytes} MB: ${answered} answered; RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MiB, ${settled.toFixed(0)} MiB 5 s later`);
console.log(JSON.stringify({ bench: 'host-memory', frames, megabytes, answered, rssBeforeMiB: Math.round(before), rssAfterMiB: Math.round(after), rssSettledMiB: Math.round(settled), load1: loadavg()[0] }));
ws.close();
await host.close();
