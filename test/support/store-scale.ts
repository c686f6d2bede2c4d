// How the store's start-up costs grow with the number of templates (not a test: prints figures and
// ends with one JSON line). Usage: npx tsx test/support/store-scale.ts [templates=10000]
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileKeyring, openStore } from '../../electron/services/store/index';
import { seededRandom, templates, tempDir } from './store-fixtures';

const total = Number(process.argv[2] ?? 10_000);
const perIdentity = 10;
const work = tempDir('scale');
const where = { dir: work.dir, keyring: fileKeyring(join(work.dir, 'key')) };
const random = seededRandom(7);
const ms = (since: number): number => Math.round(performance.now() - since);

try {
  let t = performance.now();
  const store = openStore({ ...where, autoBackup: false });
  const batch = templates(random, perIdentity, false);
  for (let i = 0; i < total / perIdentity; i++) store.createIdentity({ name: `P${i}`, templates: batch });
  const enrolMs = ms(t);
  store.close();

  // Open with an automatic backup due (the file changed since the last one), then without.
  utimesSync(join(work.dir, 'normface.db'), new Date(), new Date());
  t = performance.now();
  const withBackup = openStore(where);
  const openWithBackupMs = ms(t);
  withBackup.close();
  t = performance.now();
  const plain = openStore(where);
  const openMs = ms(t);
  t = performance.now();
  let loaded = 0;
  for (const _ of plain.allTemplates()) loaded++;
  const loadMs = ms(t);
  const one = plain.listIdentities()[0]!;
  t = performance.now();
  plain.deleteIdentity(one.id);
  const deleteMs = ms(t);
  plain.close();

  const figures = { templates: loaded, enrolPerTemplateMs: +(enrolMs / total).toFixed(3), openMs, openWithBackupMs, loadAllTemplatesMs: loadMs, deleteIdentityMs: deleteMs };
  console.log(`enrol ${figures.enrolPerTemplateMs} ms/template (batches of ${perIdentity}); open ${openMs} ms; open with auto-backup ${openWithBackupMs} ms; load ${loaded} templates ${loadMs} ms; delete one identity ${deleteMs} ms`);
  console.log(JSON.stringify(figures));
} finally {
  work.remove();
}
