// The portable bundle through the app's service: people enrolled from the webcam clips in one data
// folder, exported with a passphrase and imported into another folder with a different key give the
// same people and the same verdicts on person-a-live / person-b-live. The same person on both sides
// is merged or skipped as chosen; a wrong passphrase, a truncated file and another model's bundle are
// refused with a sentence and change nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type Client } from '../../core/contract/api';
import { clientsOf } from '../support/apiFixtures';
import type { FacePipeline } from '../../core/vision/pipeline';
import { readAbout } from '../../electron/services/app/about';
import { calibrationFile } from '../../electron/services/app/calibration';
import { createAppService, type AppService } from '../../electron/services/app/service';
import { openBundle, readBundleHeader, writeBundle } from '../../electron/services/bundle/format';
import { fileKeyring } from '../../electron/services/store/index';
import { templatesOf } from '../support/clip-templates';
import { decideOn } from '../support/loginDecision';
import { createNodePipeline } from '../support/node-pipeline';
import { hasMedia, noMediaReason, repoRoot, skipReason, titled } from '../support/shared';
import { tempDir } from '../support/store-fixtures';

const skip = skipReason(!hasMedia && noMediaReason);
const work = tempDir('bundle');
const PASSPHRASE = 'correct horse battery staple';
const about = readAbout(repoRoot, join(repoRoot, 'models'));
const calibration = join(repoRoot, 'models', 'calibration.json');

interface App {
  service: AppService;
  api: Client;
  dir: string;
}
const apps: App[] = [];
afterAll(() => {
  for (const a of apps) a.service.close();
  work.remove();
});

async function openApp(name: string, modelId = about.embedderModelId): Promise<App> {
  const dir = join(work.dir, name);
  const service = await createAppService({
    dataDir: dir,
    keyring: fileKeyring(join(dir, 'normface.key')),
    calibration: calibrationFile(calibration),
    training: null,
    about: { name: about.name, version: about.version, host: 'browser', models: about.models, backendHint: 'wasm' },
    modelId,
    log: () => {},
  });
  const app = { service, api: (await clientsOf(service)).api, dir };
  apps.push(app);
  return app;
}

/** Every identity's login decision on each probe set (a live attempt), by name, on the service's own matcher. */
function verdicts(app: App, people: { id: string; name: string }[], probes: Record<string, Float32Array[]>, threshold: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of people) {
    for (const [clip, set] of Object.entries(probes)) {
      const d = decideOn(app.service.matcher, p.id, set, threshold);
      out[`${p.name} <- ${clip}`] = { accepted: d.accepted, reason: d.reason, score: d.score === null ? null : Number(d.score.toFixed(6)) };
    }
  }
  return out;
}

/** Everything an import could change: people, template counts, events. */
async function snapshot(app: App): Promise<unknown> {
  const people = await app.api.identities.list({});
  return { people: people.map((p) => [p.id, p.name, p.notes, p.templateCount]), events: (await app.api.events.list({ limit: 10_000 })).length, templates: app.service.matcher.size };
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe.skipIf(skip)(titled('the portable bundle', skip), () => {
  let pipeline: FacePipeline;
  let source: App;
  let target: App;
  let probes: Record<string, Float32Array[]>;
  let bundle: string;
  const threshold = JSON.parse(readFileSync(calibration, 'utf8')).thresholds['1e-4'] as number;

  beforeAll(async () => {
    pipeline = await createNodePipeline();
    source = await openApp('source');
    target = await openApp('target');
    const aEnrol = await templatesOf(pipeline, 'person-a-enroll', 10, 3, 15);
    const bEnrol = await templatesOf(pipeline, 'person-b-live', 0, 3, 10);
    probes = {
      'person-a-live': (await templatesOf(pipeline, 'person-a-live', 20, 3, 10)).map((t) => t.vector),
      'person-b-live': (await templatesOf(pipeline, 'person-b-live', 60, 3, 10)).map((t) => t.vector),
    };
    await source.api.identities.create({ name: 'Person A', notes: 'enrolled from the enrol clip', templates: aEnrol });
    await source.api.identities.create({ name: 'Person B', notes: '', templates: bEnrol });
  }, 300_000);

  it('moves everyone to a folder with another key: same people, same verdicts', async () => {
    const sourceKey = fileKeyring(join(source.dir, 'normface.key')).getKey();
    expect(fileKeyring(join(target.dir, 'normface.key')).getKey().equals(sourceKey)).toBe(false);
    const exported = await source.api.bundle.export({ passphrase: PASSPHRASE });
    expect(exported).toMatchObject({ identities: 2 });
    expect(exported.fileName).toMatch(/\.nfbundle$/);
    bundle = exported.bundle;
    const file = Buffer.from(bundle, 'base64');
    expect(readBundleHeader(file).header).toMatchObject({ modelId: about.embedderModelId, kdf: { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 }, cipher: 'aes-256-gcm' });
    // The file is sealed: no name, note or template float in it.
    expect(['Person A', 'enrolled from the enrol clip'].filter((t) => file.includes(Buffer.from(t)))).toEqual([]);

    const seen = await target.api.bundle.inspect({ bundle, passphrase: PASSPHRASE });
    expect(seen.people.map((p) => [p.name, p.templateCount, p.match])).toEqual([['Person A', 3, null], ['Person B', 3, null]]);
    expect(await target.api.bundle.import({ bundle, passphrase: PASSPHRASE })).toEqual({ added: 2, merged: 0, skipped: 0, templates: 6 });

    const before = await source.api.identities.list({});
    const after = await target.api.identities.list({});
    expect(after.map((p) => [p.name, p.notes, p.templateCount, p.createdAt])).toEqual(before.map((p) => [p.name, p.notes, p.templateCount, p.createdAt]));
    // Ids are minted here: the file's ids are kept only as a sealed "came from" reference.
    expect(after.filter((p) => before.some((q) => q.id === p.id))).toEqual([]);
    const detail = await target.api.identities.get({ id: after[0]!.id });
    expect(detail.templates.every((t) => t.thumbnail !== null)).toBe(true);
    const expected = verdicts(source, before, probes, threshold);
    expect(verdicts(target, after, probes, threshold)).toEqual(expected);
    // And the verdicts mean something: each clip is accepted for its own person only.
    expect(expected).toMatchObject({
      'Person A <- person-a-live': { accepted: true }, 'Person A <- person-b-live': { accepted: false },
      'Person B <- person-b-live': { accepted: true }, 'Person B <- person-a-live': { accepted: false },
    });
  });

  it('offers the same person as merge or skip, and does as chosen', async () => {
    const seen = await target.api.bundle.inspect({ bundle, passphrase: PASSPHRASE });
    expect(seen.people.map((p) => [p.name, p.match?.by, p.match?.name])).toEqual([['Person A', 'id', 'Person A'], ['Person B', 'id', 'Person B']]);
    const [a, b] = seen.people;
    const before = await snapshot(target);
    expect(await target.api.bundle.import({ bundle, passphrase: PASSPHRASE })).toMatchObject({ added: 0, merged: 0, skipped: 2 });
    expect(await target.api.bundle.import({ bundle, passphrase: PASSPHRASE, choices: { [a!.id]: 'merge', [b!.id]: 'skip' } })).toEqual({ added: 0, merged: 1, skipped: 1, templates: 0 });
    expect((await snapshot(target) as { people: unknown }).people).toEqual((before as { people: unknown }).people);

    // Someone enrolled here under another name and id is found by face.
    const third = await openApp('third');
    const alice = await third.api.identities.create({ name: 'Alice (desk 2)', templates: (await templatesOf(pipeline, 'person-a-live', 100, 2, 10)) });
    const found = await third.api.bundle.inspect({ bundle, passphrase: PASSPHRASE });
    expect(found.people[0]!.match).toMatchObject({ identityId: alice.id, name: 'Alice (desk 2)', by: 'face' });
    expect(found.people[1]!.match).toBeNull();
    expect(await third.api.bundle.import({ bundle, passphrase: PASSPHRASE, choices: { [found.people[0]!.id]: 'merge' } })).toEqual({ added: 1, merged: 1, skipped: 0, templates: 6 });
    expect((await third.api.identities.list({})).map((p) => [p.name, p.templateCount])).toEqual([['Alice (desk 2)', 5], ['Person B', 3]]);
  }, 120_000);

  it('refuses a wrong passphrase, a truncated file and another model\'s bundle with a sentence, changing nothing', async () => {
    const empty = await openApp('refusals');
    const cases: [string, () => Promise<unknown>, RegExp][] = [];
    const file = Buffer.from(bundle, 'base64');
    const people = await openBundle(file, PASSPHRASE, about.embedderModelId);
    const relabelled = people.people.map((p) => ({ ...p, templates: p.templates.map((t) => ({ ...t, modelId: 'arcface-r100' })) }));
    const foreign = (await writeBundle(relabelled, 'arcface-r100', PASSPHRASE)).toString('base64');
    for (const app of [empty, target]) {
      const before = await snapshot(app);
      cases.push(
        ['wrong passphrase', () => app.api.bundle.import({ bundle, passphrase: 'not the passphrase' }), /passphrase does not open this bundle/],
        ['truncated', () => app.api.bundle.import({ bundle: file.subarray(0, file.length - 1000).toString('base64'), passphrase: PASSPHRASE }), /cut short \(\d+ of \d+ bytes\)/],
        ['header cut', () => app.api.bundle.inspect({ bundle: file.subarray(0, 20).toString('base64'), passphrase: PASSPHRASE }), /cut short/],
        ['another model', () => app.api.bundle.import({ bundle: foreign, passphrase: PASSPHRASE }), /model "arcface-r100".*cannot be compared/],
        ['not a bundle', () => app.api.bundle.import({ bundle: Buffer.from('hello, world').toString('base64'), passphrase: PASSPHRASE }), /not a NormFace bundle/],
      );
      for (const [what, call, message] of cases.splice(0)) {
        const error = await apiError(call());
        expect(error.message, what).toMatch(message);
      }
      expect(await snapshot(app)).toEqual(before);
    }
    const flipped = Buffer.from(file);
    flipped[flipped.length - 100] = flipped[flipped.length - 100]! ^ 1;
    expect((await apiError(target.api.bundle.import({ bundle: flipped.toString('base64'), passphrase: PASSPHRASE }))).message).toMatch(/changed since it was exported/);
    expect((await apiError(source.api.bundle.export({ passphrase: 'short' }))).code).toBe('invalid-arguments');
  }, 120_000);
});
