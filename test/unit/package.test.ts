// Packs the app with electron-builder against a stub Electron folder (the real binary cannot be
// downloaded here) and checks the asar: built main, preload and renderer inside; no tests and no
// sources; models unpacked beside it.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listPackage } from '@electron/asar';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared';

describe('packaging with electron-builder', () => {
  const work = mkdtempSync(join(tmpdir(), 'normface-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('puts the built app, and only it, in the asar, with the models unpacked', { timeout: 600_000 }, () => {
    if (!existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) execFileSync('npm', ['run', 'build:renderer'], { cwd: repoRoot, stdio: 'pipe' });
    execFileSync('node', ['electron/build.mjs'], { cwd: repoRoot, stdio: 'pipe' });
    const stub = join(work, 'electron-stub');
    execFileSync('mkdir', ['-p', stub]);
    writeFileSync(join(stub, 'electron'), '#!/bin/sh\necho "stub Electron: packaging test only"\n');
    chmodSync(join(stub, 'electron'), 0o755);
    const out = join(work, 'dist');
    execFileSync('npx', ['electron-builder', '--config', 'build/electron-builder.config.cjs', '--linux', 'dir'], {
      cwd: repoRoot,
      stdio: 'pipe',
      env: { ...process.env, ELECTRON_DIST: stub, NORMFACE_NO_REBUILD: '1', NORMFACE_DIST_DIR: out },
    });
    const resources = join(out, 'linux-unpacked', 'resources');
    const entries = listPackage(join(resources, 'app.asar'), { isPack: false }).map((e) => e.replaceAll('\\', '/'));

    for (const built of ['/package.json', '/out/electron/main/main.js', '/out/electron/preload/preload.cjs', '/out/browser-host/server.js', '/out/renderer/index.html', '/models/manifest.json']) {
      expect(entries, built).toContain(built);
    }
    const own = entries.filter((e) => !e.startsWith('/node_modules/'));
    expect(own.filter((e) => /\.(ts|tsx|map)$/.test(e))).toEqual([]);
    expect(own.filter((e) => /^\/(test|core|electron|renderer|native-train|build)(\/|$)/.test(e))).toEqual([]);
    expect(entries.filter((e) => /\.test\.[cm]?[jt]s$/.test(e))).toEqual([]);
    expect(existsSync(join(resources, 'app.asar.unpacked', 'models', 'fr_feature.onnx'))).toBe(true);
    expect(existsSync(join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3'))).toBe(true);
  });
});
