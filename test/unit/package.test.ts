// Packs the app with electron-builder against a stub Electron folder (the real binary cannot be
// downloaded here) and checks the asar: built main, preload and renderer inside; no tests and no
// sources; models unpacked beside it; the security fuses flipped in the packed binary.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared';

/** The fuses the packaged app must have: no running code as this app, only the checked app.asar. */
const FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
};

/**
 * A stub "Electron" for packing without the real binary: a shell script that also carries Electron's
 * fuse wire (sentinel, version 1, 8 fuses as Electron ships them), so electron-builder flips real fuses.
 */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const STUB = Buffer.concat([
  Buffer.from('#!/bin/sh\necho "stub Electron: packaging test only"\nexit 0\n# '),
  Buffer.from(FUSE_SENTINEL, 'latin1'),
  Buffer.from([1, 8]),
  Buffer.from('10110001\n', 'latin1'),
]);

describe('the electron-builder configuration', () => {
  it('turns off RunAsNode, NODE_OPTIONS and the inspector, and turns on asar integrity and only-load-from-asar', () => {
    const config = createRequire(import.meta.url)(join(repoRoot, 'build', 'electron-builder.config.cjs')) as { electronFuses?: Record<string, boolean> };
    expect(config.electronFuses).toMatchObject(FUSES);
  });
});

describe('packaging with electron-builder', () => {
  const work = mkdtempSync(join(tmpdir(), 'normface-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('puts the built app, and only it, in the asar, with the models unpacked and the fuses flipped', { timeout: 600_000 }, async () => {
    if (!existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) execFileSync('npm', ['run', 'build:renderer'], { cwd: repoRoot, stdio: 'pipe' });
    execFileSync('node', ['electron/build.mjs'], { cwd: repoRoot, stdio: 'pipe' });
    const stub = join(work, 'electron-stub');
    execFileSync('mkdir', ['-p', stub]);
    writeFileSync(join(stub, 'electron'), STUB);
    chmodSync(join(stub, 'electron'), 0o755);
    const out = join(work, 'dist');
    execFileSync('npx', ['electron-builder', '--config', 'build/electron-builder.config.cjs', '--linux', 'dir'], {
      cwd: repoRoot,
      stdio: 'pipe',
      env: { ...process.env, ELECTRON_DIST: stub, NORMFACE_NO_REBUILD: '1', NORMFACE_DIST_DIR: out },
    });
    const resources = join(out, 'linux-unpacked', 'resources');
    const entries = listPackage(join(resources, 'app.asar'), { isPack: false }).map((e) => e.replaceAll('\\', '/'));

    for (const built of ['/package.json', '/out/electron/main/main.js', '/out/electron/preload/preload.cjs', '/out/browser-host/server.js', '/out/cli/normface.js', '/out/renderer/index.html', '/models/manifest.json']) {
      expect(entries, built).toContain(built);
    }
    const own = entries.filter((e) => !e.startsWith('/node_modules/'));
    expect(own.filter((e) => /\.(ts|tsx|map)$/.test(e))).toEqual([]);
    expect(own.filter((e) => /^\/(test|core|electron|renderer|native-train|build)(\/|$)/.test(e))).toEqual([]);
    expect(entries.filter((e) => /\.test\.[cm]?[jt]s$/.test(e))).toEqual([]);
    expect(existsSync(join(resources, 'app.asar.unpacked', 'models', 'fr_feature.onnx'))).toBe(true);
    expect(existsSync(join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3'))).toBe(true);
    // The command line's camera: ffmpeg runs as a plain file beside the archive.
    expect(existsSync(join(resources, 'app.asar.unpacked', 'node_modules', '@ffmpeg-installer', `${process.platform}-${process.arch}`))).toBe(true);
    // onnxruntime-node's binding and the library it links are loaded by the dynamic loader: plain files.
    const ortBin = join(resources, 'app.asar.unpacked', 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch);
    expect(existsSync(join(ortBin, 'onnxruntime_binding.node'))).toBe(true);
    if (process.platform === 'linux') expect(existsSync(join(ortBin, 'libonnxruntime.so.1'))).toBe(true);

    // electron-builder flipped the fuses in the packed binary as configured ('0' off, '1' on).
    const wire = (await getCurrentFuseWire(join(out, 'linux-unpacked', 'normface-desktop'))) as unknown as Record<number, number>;
    const state = (on: boolean) => (on ? 49 : 48);
    expect(wire[FuseV1Options.RunAsNode]).toBe(state(false));
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(state(false));
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(state(false));
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(state(true));
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(state(true));
  });
});
