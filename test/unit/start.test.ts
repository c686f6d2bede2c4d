// `npm start` without the Electron binary: one plain sentence, no stack trace, then the browser host;
// with the binary present, Electron is what starts.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared';

const start = join(repoRoot, 'electron', 'start.mjs');

function check(env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [start, '--check'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

describe('npm start', () => {
  it('says in one sentence that Electron is missing and that the browser opens instead, with no stack trace', () => {
    const r = check({ ELECTRON_OVERRIDE_DIST_PATH: join(tmpdir(), 'no-electron-here') });
    expect(r.status).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/^Electron is not installed on this machine, so NormFace Desktop opens in your web browser instead/);
    expect(r.out).not.toMatch(/Error|\bat \S+:\d+/);
  });

  it('starts Electron when its executable is there', () => {
    const dist = mkdtempSync(join(tmpdir(), 'normface-electron-'));
    writeFileSync(join(dist, 'electron'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dist, 'electron'), 0o755);
    const r = check({ ELECTRON_OVERRIDE_DIST_PATH: dist });
    expect(r.status).toBe(0);
    expect(r.out).toBe(`Electron: ${join(dist, 'electron')}`);
  });
});
