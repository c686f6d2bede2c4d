// A bad stored row never stops the app (issue 19): person A enrolled by the `normface` command, then
// one poisoned template (4 values, tagged with the current model: what once bricked every host)
// written into the database directly with SQL. The browser host opens and reports the row as set
// aside, `normface list` works and says so, and person-a-live still verifies as A.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost } from '../../electron/browser-host/host';
import { readAbout } from '../../electron/services/app/about';
import { fileKeyring } from '../../electron/services/store/index';
import { place, seal } from '../../electron/services/store/seal';
import { tempDataDir, TEST_OPERATOR } from '../support/apiFixtures';
import { buildCli, clip, enrollmentFrames, runCli } from '../support/cli';
import { connect, wsClient } from '../support/host-client';
import { hasMedia, noMediaReason, repoRoot, skipReason, titled } from '../support/shared';

const skip = skipReason(!hasMedia && noMediaReason);
const SET_ASIDE = /1 template could not be used and was set aside/;

describe.skipIf(skip)(titled('a poisoned template row', skip), () => {
  const dir = tempDataDir('quarantine');
  const data = join(dir, 'data');
  const normface = (...args: string[]) => runCli(['--data', data, ...args]);
  let good = 0;

  beforeAll(async () => {
    buildCli();
    const enrolled = await normface('--json', 'enroll', 'Person A', '--photos', enrollmentFrames(join(dir, 'person-a')));
    expect(enrolled.status, enrolled.stderr).toBe(0);
    good = (JSON.parse((await normface('--json', 'list')).stdout) as { identities: { templateCount: number }[] }).identities[0]!.templateCount;
    // The poison, with SQL: a sealed (so it opens) 4-value vector under the embedder's model id.
    const key = fileKeyring(join(data, 'normface.key')).getKey();
    const db = new Database(join(data, 'normface.db'));
    const identityId = db.prepare('SELECT id FROM identities').pluck().get() as string;
    const vector = Buffer.alloc(16);
    [0.5, 0.5, 0.5, 0.5].forEach((v, i) => vector.writeFloatLE(v, i * 4));
    db.prepare(`INSERT INTO templates (id, identity_id, model_id, dim, vector, quality, source, thumbnail, created_at) VALUES ('poison', ?, ?, 4, ?, '{"score":1}', 'camera', NULL, 1)`)
      .run(identityId, readAbout(repoRoot, join(repoRoot, 'models')).embedderModelId, seal(key, place.templateVector('poison'), vector));
    db.close();
  }, 300_000);

  it('opens in the browser host, which reports the row it set aside', async () => {
    const host = await startBrowserHost({ appRoot: repoRoot, dataDir: data, log: () => {} });
    const ws = await connect(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
    try {
      const api = wsClient(ws);
      // The folder was made by the command: the first window creates the first operator.
      await api.operators.setup(TEST_OPERATOR);
      const info = await api.app.info({});
      expect(info.store).toEqual({ state: 'ok' });
      expect(info.storeProblems).toContainEqual({ kind: 'quarantined-templates', message: expect.stringMatching(SET_ASIDE) });
      expect((await api.identities.list({})).map((p) => [p.name, p.templateCount])).toEqual([['Person A', good]]);
    } finally {
      ws.close();
      await host.close();
    }
  }, 120_000);

  it('normface list works and says what was set aside; person-a-live still verifies as A, person-b-live does not', async () => {
    const list = await normface('list');
    expect(list.status, list.stderr).toBe(0);
    expect(list.stderr).toMatch(SET_ASIDE);
    expect(list.stdout).toMatch(new RegExp(`^Person A  \\(${good} templates, id `));
    const a = await normface('verify', 'Person A', '--video', clip('person-a-live'), '--timeout', '30');
    expect(a.status, a.stdout + a.stderr).toBe(0);
    const b = await normface('verify', 'Person A', '--video', clip('person-b-live'), '--timeout', '30');
    expect(b.status, b.stdout + b.stderr).toBe(1);
  }, 300_000);
});
