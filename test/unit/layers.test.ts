// The layer rules in eslint.config.js bite: for each, a scratch file with a deliberate violation is
// written into the folder the rule governs, linted through ESLint's Node API, and removed.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../..');

const violations: { rule: string; file: string; source: string; message: RegExp }[] = [
  { rule: 'services never import a host', file: 'electron/services/app/layers-scratch.ts', source: "export { APP_URL } from '../../main/window';", message: /services never import a host \(electron\/main\)/ },
  { rule: 'services never import a host, from deep inside', file: 'electron/services/app/calls/layers-scratch.ts', source: "export * from '../../../cli/session';", message: /services never import a host \(electron\/cli\)/ },
  { rule: 'hosts never import each other (cli -> main)', file: 'electron/cli/layers-scratch.ts', source: "export * from '../main/window';", message: /hosts never import each other: electron\/cli reaches electron\/main/ },
  { rule: 'hosts never import each other (preload -> main)', file: 'electron/preload/layers-scratch.ts', source: "export * from '../main/ipc';", message: /hosts never import each other: electron\/preload reaches electron\/main/ },
  { rule: 'hosts never import each other (browser-host -> cli)', file: 'electron/browser-host/layers-scratch.ts', source: "export * from '../cli/session';", message: /hosts never import each other: electron\/browser-host reaches electron\/cli/ },
  { rule: 'the contract imports no decision module', file: 'core/contract/layers-scratch.ts', source: "export { LOGIN_PROBES_NEEDED } from '../decisions/login';", message: /core\/contract may not import core\/decisions/ },
  { rule: 'decisions do not import the contract', file: 'core/decisions/layers-scratch.ts', source: "export { MAX_PROBES } from '../contract/api';", message: /core\/decisions may not import core\/contract/ },
  { rule: 'liveness sits below decisions', file: 'core/liveness/layers-scratch.ts', source: "export { isProbeFrame } from '../decisions/probe';", message: /core\/liveness may not import core\/decisions/ },
  { rule: 'matching sits below liveness', file: 'core/matching/layers-scratch.ts', source: "export { PASSIVE_MIN_FRAMES } from '../liveness/passive';", message: /core\/matching may not import core\/liveness/ },
  { rule: 'native-train Node files never reach electron', file: 'native-train/kernel/layers-scratch.node.ts', source: "export * from '../../electron/services/matcher/twoThreadFirstPass';", message: /native-train's \*\.node\.ts may use Node, never Electron, the main process or the store/ },
  { rule: 'vision sits below matching', file: 'core/vision/layers-scratch.ts', source: "export { toUnit } from '../matching/probe';", message: /core\/vision may not import core\/matching/ },
];

describe('ESLint layer rules', () => {
  const eslint = new ESLint({ cwd: root });
  for (const v of violations) {
    it(`${v.rule}: a violation in ${v.file} is an error`, async () => {
      const path = join(root, v.file);
      writeFileSync(path, `${v.source}\n`);
      try {
        const [result] = await eslint.lintFiles([path]);
        const errors = result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2);
        expect(errors.map((m) => m.message).join('\n')).toMatch(v.message);
      } finally {
        rmSync(path, { force: true });
      }
    });
  }

  it('the repository as it stands keeps every layer rule', async () => {
    const results = await eslint.lintFiles(['core', 'electron', 'native-train']);
    const broken = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}: ${m.message}`));
    expect(broken).toEqual([]);
  });
});
