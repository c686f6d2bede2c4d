// electron-builder: what goes into the asar (built code only, no sources or tests), the models
// unpacked beside it (ORT reads them as plain files), and each platform's resources.
// Offline packaging: set ELECTRON_DIST to an unpacked Electron folder (see docs/platform.md).
/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.normface.desktop',
  productName: 'NormFace Desktop',
  directories: { output: process.env.NORMFACE_DIST_DIR || 'dist', buildResources: 'build' },
  files: [
    'package.json',
    'out/**/*',
    '!out/**/*.map',
    'models/manifest.json',
    'models/calibration.json',
    'models/*.onnx',
    // The int8 embedder is measured (npm run eval:quantised) but not shipped.
    '!models/fr_feature_int8.onnx',
    '!**/*.ts',
    '!**/*.tsx',
    '!test/**',
    '!**/{test,tests,__tests__}/**',
    // Packages' own tests (global-agent, brought by onnxruntime-node's install script, ships some).
    '!**/*.test.{js,cjs,mjs}',
  ],
  // ffmpeg (the command line's camera) must be a plain file to be executed; onnxruntime-node's binding
  // and the libonnxruntime it links are loaded by the system's dynamic loader, which cannot read an asar.
  asarUnpack: ['models/**', '**/*.node', '**/node_modules/@ffmpeg-installer/**', '**/node_modules/onnxruntime-node/bin/**'],
  // Electron fuses, flipped in the packaged binary: no other program may run code as this app (and so
  // reach its keystore entry) through ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect; the app loads only
  // from app.asar, whose integrity is checked where Electron supports it (macOS, Windows).
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
  },
  ...(process.env.ELECTRON_DIST ? { electronDist: process.env.ELECTRON_DIST } : {}),
  // Native modules must be rebuilt for Electron's ABI in a real release; offline test packs skip it.
  npmRebuild: process.env.NORMFACE_NO_REBUILD !== '1',
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    icon: 'build/icons',
    desktop: { entry: { Name: 'NormFace Desktop', Comment: 'Offline face enrolment and recognition', Categories: 'Office;Security;' } },
  },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.business',
    hardenedRuntime: true,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    extendInfo: { NSCameraUsageDescription: 'NormFace Desktop uses the camera to enrol and recognise faces. Images never leave this computer.' },
  },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true, deleteAppDataOnUninstall: false },
};
