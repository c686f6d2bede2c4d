// models/install.mjs: a hash mismatch or a file missing from the package stops the install with a
// message that names the model and what was expected; a good manifest installs and verifies.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'models', 'manifest.json'), 'utf8'));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A models folder with the install script and a manifest holding only the eye model, edited by `edit`. */
function modelsDir(edit: (m: typeof manifest.models.eyes) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'normface-models-'));
  dirs.push(dir);
  copyFileSync(join(repoRoot, 'models', 'install.mjs'), join(dir, 'install.mjs'));
  const eyes = structuredClone(manifest.models.eyes);
  edit(eyes);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ packages: manifest.packages, models: { eyes } }));
  return dir;
}

const install = (dir: string) => spawnSync(process.execPath, [join(dir, 'install.mjs')], { encoding: 'utf8', timeout: 120_000 });

describe('model install', () => {
  it('installs the pinned file and checks its hash', () => {
    const dir = modelsDir(() => {});
    const run = install(dir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('eyes -> models/fr_eye.onnx (sha256 ok)');
    // A second run finds it verified and fetches nothing.
    expect(execFileSync(process.execPath, [join(dir, 'install.mjs')], { encoding: 'utf8' })).toContain('present and verified');
  });

  it('refuses a file whose SHA-256 does not match, naming both hashes', () => {
    const run = install(modelsDir((m) => (m.sha256 = '0'.repeat(64))));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/eyes: package\/model\/fr_eye\.onnx has SHA-256 [0-9a-f]{64}, expected 0{64}/);
  });

  it('says which file is missing from the package', () => {
    const run = install(modelsDir((m) => (m.path = 'package/model/no_such_model.onnx')));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('package/model/no_such_model.onnx');
    expect(run.stderr).toMatch(/missing from the package/);
  });
});
