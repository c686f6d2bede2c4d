import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Import direction, checked by a tool rather than by memory (see README "Layout").
const noPlatform = {
  patterns: [
    { group: ['electron', 'electron/*'], message: 'core and native-train are platform-neutral: no Electron.' },
    { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'worker_threads', 'child_process'], message: 'core and native-train are platform-neutral: no Node built-ins.' },
    { group: ['react', 'react-dom', 'react-dom/*', '**/renderer/**'], message: 'core and native-train know nothing of the UI.' },
    { group: ['**/electron/**', 'better-sqlite3'], message: 'core and native-train cannot reach the main process or the store.' },
  ],
};

// Layers (README "Layout"): services never import a host, hosts never import each other, the contract
// imports no decision module, and core's floors go one way: hypersphere <- vision, matching <- liveness
// <- decisions | contract. Each rule names the folders it forbids; noPlatform rides along for core.
const HOSTS = ['main', 'browser-host', 'cli', 'preload'];
const hostPatterns = (except) => HOSTS.filter((h) => h !== except).map((h) => ({ group: [`**/electron/${h}/**`, ...[1, 2, 3, 4].map((up) => `${'../'.repeat(up)}${h}/**`)], message: except ? `hosts never import each other: electron/${except} reaches electron/${h}; share it through electron/services.` : `services never import a host (electron/${h}): hosts call services, not the reverse.` }));
const coreFloor = (folder, forbidden) => ({
  files: [`core/${folder}/**/*.ts`],
  rules: { 'no-restricted-imports': ['error', { patterns: [...noPlatform.patterns, ...forbidden.map((f) => ({ group: [`../${f}`, `../${f}/**`, `**/core/${f}/**`], message: `core's floors go one way: core/${folder} may not import core/${f} (README "Layout").` }))] }] },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-output/', 'models/.pack/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mjs,js,cjs}'],
    languageOptions: { globals: { ...globals.es2023 } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['core/**/*.ts', 'native-train/**/*.ts'], ignores: ['native-train/**/*.node.ts'], rules: { 'no-restricted-imports': ['error', noPlatform] } },
  // native-train's *.node.ts (build tools, the two-thread kernel runner the matcher shares) may use Node, nothing more.
  { files: ['native-train/**/*.node.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [
    { group: ['electron', 'electron/*', '**/electron/**', 'better-sqlite3'], message: "native-train's *.node.ts may use Node, never Electron, the main process or the store." },
    { group: ['react', 'react-dom', 'react-dom/*', '**/renderer/**'], message: 'core and native-train know nothing of the UI.' },
  ] }] } },
  { files: ['core/hypersphere.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...noPlatform.patterns, { group: ['./*'], message: "core's floors go one way: core/hypersphere.ts is the floor and imports nothing of core." }] }] } },
  coreFloor('vision', ['matching', 'liveness', 'decisions', 'contract']),
  coreFloor('matching', ['vision', 'liveness', 'decisions', 'contract']),
  coreFloor('liveness', ['matching', 'decisions', 'contract']),
  coreFloor('decisions', ['contract']),
  coreFloor('contract', ['decisions']),
  { files: ['electron/services/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: hostPatterns(null) }] } },
  ...HOSTS.map((h) => ({ files: [`electron/${h}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns: hostPatterns(h) }] } })),
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['electron', 'node:*', 'better-sqlite3', '**/electron/**'], message: 'the renderer reaches the back end only through the contract client.' },
      ] }],
    },
  },
  { files: ['electron/**/*.ts', 'test/**/*.ts', 'renderer/vite.config.ts', 'models/**/*.{mjs,ts}', '*.config.*', 'electron/**/*.mjs', 'build/**/*.{cjs,mjs}'], languageOptions: { globals: { ...globals.node } } },
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' }, languageOptions: { sourceType: 'commonjs' } },
);
