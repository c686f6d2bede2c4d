// `normface export` / `normface import` as a person runs them: people enrolled from LFW photos in one
// data folder move to another with its own key; the passphrase comes from the environment or a file,
// never the command line; a wrong one is refused with a sentence and a non-zero status.
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { enrolCrowd, tempDataDir } from '../support/apiFixtures';
import { buildCli, runCli } from '../support/cli';
import { hasLfw, lfwImage, noLfwReason, skipReason, titled } from '../support/shared';
import { jpegThumbnail, seededRandom } from '../support/store-fixtures';

const skip = skipReason(!hasLfw && noLfwReason);

describe.skipIf(skip)(titled('normface export / import', skip), () => {
  const dir = tempDataDir('bundle-cli');
  const from = join(dir, 'from');
  const to = join(dir, 'to');
  const file = join(dir, 'people.nfbundle');
  const env = { NORMFACE_PASSPHRASE: 'a long enough passphrase' };

  beforeAll(async () => {
    buildCli();
    const photos = join(dir, 'photos');
    mkdirSync(photos, { recursive: true });
    for (let i = 1; i <= 3; i++) copyFileSync(lfwImage('Abdullah_Gul', i), join(photos, `gul-${i}.jpg`));
    const enrolled = await runCli(['--data', from, 'enroll', 'Abdullah Gul', '--photos', photos]);
    expect(enrolled.status, enrolled.stderr).toBe(0);
  }, 300_000);

  it('moves people to another folder and key, and refuses a wrong passphrase', async () => {
    const noPassphrase = await runCli(['--data', from, 'export', file]);
    expect(noPassphrase.status).not.toBe(0);
    expect(noPassphrase.stderr).toMatch(/--passphrase-file FILE or in the NORMFACE_PASSPHRASE environment variable/);

    const exported = await runCli(['--data', from, 'export', file], env);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/Exported 1 person to/);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const wrong = await runCli(['--data', to, 'import', file], { NORMFACE_PASSPHRASE: 'not the passphrase' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/passphrase does not open this bundle/);

    const passphraseFile = join(dir, 'passphrase.txt');
    writeFileSync(passphraseFile, `${env.NORMFACE_PASSPHRASE}\n`, { mode: 0o600 });
    const imported = await runCli(['--data', to, 'import', file, '--passphrase-file', passphraseFile]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/1 added, 0 merged, 0 skipped \(3 templates\)/);
    const listed = JSON.parse((await runCli(['--data', to, '--json', 'list'])).stdout) as { identities: { name: string; templateCount: number }[] };
    expect(listed.identities.map((i) => [i.name, i.templateCount])).toEqual([['Abdullah Gul', 3]]);

    const again = await runCli(['--data', to, 'import', file, '--merge'], env);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already enrolled here as Abdullah Gul \(same record\): merging/);
    expect(again.stdout).toMatch(/0 added, 1 merged, 0 skipped \(0 templates\)/);
  }, 300_000);
});

describe('a 400-person bundle through the command', () => {
  it('what `normface export` writes (about 5 MB), `normface import` reads, everyone arriving', async () => {
    const dir = tempDataDir('bundle-crowd');
    const from = join(dir, 'from');
    const file = join(dir, 'crowd.nfbundle');
    const env = { NORMFACE_PASSPHRASE: 'a long enough passphrase' };
    buildCli();
    enrolCrowd(from, 400, jpegThumbnail(seededRandom(3), 32));
    const exported = await runCli(['--data', from, 'export', file], env);
    expect(exported.status, exported.stderr).toBe(0);
    const bytes = statSync(file).size;
    console.log(`400-person bundle: ${(bytes / 1e6).toFixed(2)} MB`);
    expect(bytes).toBeGreaterThan(4_000_000);
    const imported = await runCli(['--data', join(dir, 'to'), 'import', file], env);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/400 added, 0 merged, 0 skipped \(1200 templates\)/);
  }, 300_000);
});
