// What app.info says about the app and its models, read from package.json and models/manifest.json
// (the About screen must show each model's source and licence).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelInfo } from '../../../core/contract/api';

interface Manifest {
  packages: Record<string, { licence?: string }>;
  models: Record<string, { file: string; package: string; sha256: string; architecture?: string; modelId?: string }>;
}

export interface About {
  name: string;
  version: string;
  models: ModelInfo[];
  /** The embedder's modelId: what templates are tagged with. */
  embedderModelId: string;
}

export function readAbout(appRoot: string, modelsDir: string): About {
  const pkg = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { productName?: string; name: string; version: string };
  const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8')) as Manifest;
  const models = Object.entries(manifest.models).map(([role, m]) => ({
    role,
    file: m.file,
    architecture: m.architecture ?? '',
    modelId: m.modelId ?? null,
    sha256: m.sha256,
    source: `npm: ${m.package}`,
    licence: manifest.packages[m.package]?.licence ?? 'unknown',
    installed: existsSync(join(modelsDir, m.file)),
  }));
  const embedder = manifest.models['embedder']?.modelId;
  if (!embedder) throw new Error(`${join(modelsDir, 'manifest.json')} names no embedder modelId; reinstall the app.`);
  return { name: pkg.productName ?? pkg.name, version: pkg.version, models, embedderModelId: embedder };
}
