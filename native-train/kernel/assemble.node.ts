// Assembles gemm.wat into gemmBytes.ts with the installed wabt (a dev tool: the app ships the bytes,
// not the assembler). Run after editing gemm.wat:  npx tsx native-train/kernel/assemble.node.ts
// A unit test re-assembles and fails if the two ever disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const here = dirname(fileURLToPath(import.meta.url));

export async function assembleGemm(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const source = readFileSync(join(here, 'gemm.wat'), 'utf8');
  const mod = wabt.parseWat('gemm.wat', source, { simd: true, threads: true });
  try {
    // wabt.js's validate() ignores the enabled features and refuses shared memory, so the engine
    // that will run the bytes validates them instead.
    const bytes = mod.toBinary({}).buffer;
    const engine = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    if (!engine.validate(bytes)) throw new Error('gemm.wat assembled into an invalid module');
    return bytes;
  } finally {
    mod.destroy();
  }
}

export function bytesModule(bytes: Uint8Array): string {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 24) rows.push('  ' + Array.from(bytes.subarray(i, i + 24)).join(', ') + ',');
  return [
    '// Generated from gemm.wat by assemble.node.ts: do not edit by hand.',
    'export const GEMM_WASM = new Uint8Array([',
    ...rows,
    ']);',
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await assembleGemm();
  writeFileSync(join(here, 'gemmBytes.ts'), bytesModule(bytes));
  console.log(`gemmBytes.ts: ${bytes.length} bytes of WebAssembly`);
}
