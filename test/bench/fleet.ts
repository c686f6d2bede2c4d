// The fleet at scale, on a throwaway PostgreSQL 15: a fleet of N people (3 templates each, sealed as a
// desk seals them) and a new desk joining it, timed from the join call to the moment its matcher holds
// every template and greets a seeded person (alone in this process, as a desk is on its own machine);
// then a third desk joins, and the change-to-other-desk latency over C changes (enrolments and renames
// alternating) made at the second desk and seen at the third, both holding the whole fleet.
// Prints the figures and ends with one JSON line. Usage: npm run bench:fleet [-- --people N --changes C]
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fleetKeys, fleetPlace, openJoinCode, sealFor } from '../../electron/services/fleet/crypto';
import { deskConnection } from '../../electron/services/fleet/desk';
import { FleetDb } from '../../electron/services/fleet/postgres';
import { encodePerson } from '../../electron/services/fleet/wire';
import { readAbout } from '../../electron/services/app/about';
import { openApp, personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { startPostgres } from '../support/postgres';
import { repoRoot } from '../support/shared';
import { visitEvidence } from '../support/visitEvidence';
import { visitFrom } from '../support/operator';
import { join } from 'node:path';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PEOPLE = arg('people', 10_000);
const CHANGES = arg('changes', 200);
const TEMPLATES = 3;
const loadAtStart = loadavg()[0] ?? 0;
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const pgServer = startPostgres();
const work = tempDataDir('bench-fleet');
const calibration = writeCalibration(work);
const modelId = readAbout(repoRoot, join(repoRoot, 'models')).embedderModelId;
const passphrase = 'bench fleet passphrase';
const desks: Awaited<ReturnType<typeof openApp>>[] = [];

try {
  const one = await openApp(join(work, 'one'), calibration, { fleet: { pollMs: 1000 } });
  desks.push(one);
  await one.api.fleet.create({ connection: pgServer.url, label: 'Desk 1' });

  // The fleet's people, written as a desk would send them (sealed under the fleet key), through a seeding desk's login.
  const seeding = Date.now();
  const seeder = await openJoinCode((await one.api.fleet.invite({ label: 'Seeder', passphrase })).joinCode, passphrase);
  const invites = [(await one.api.fleet.invite({ label: 'Desk 2', passphrase })).joinCode, (await one.api.fleet.invite({ label: 'Desk 3', passphrase })).joinCode];
  // Desk 1 only made the fleet and its invitations: it stays shut, so the joining desk has the process to itself.
  await one.service.fleet.close();
  one.service.close();
  desks.pop();
  const keys = fleetKeys(Buffer.from(seeder.fleetKey, 'base64'));
  const db = await FleetDb.connect(deskConnection(pgServer.url, seeder.role, seeder.password));
  const firstId = randomUUID();
  for (let start = 0; start < PEOPLE; start += 500) {
    const people = [];
    for (let i = start; i < Math.min(PEOPLE, start + 500); i++) {
      const id = i === 0 ? firstId : randomUUID();
      const changeId = randomUUID();
      const templates = personTemplates(10_000 + i, TEMPLATES).map((vector) => ({ id: randomUUID(), modelId, vector, quality: { score: 0.9 }, source: 'camera' as const, thumbnail: null, createdAt: seeding }));
      const sealed = sealFor(keys, fleetPlace.person(id, 1, changeId), encodePerson({ id, name: `Person ${i}`, notes: '', createdAt: seeding, updatedAt: seeding, templates }));
      people.push({ id, version: 1, deleted: false, modelId, changeId, deskId: seeder.deskId, updatedAt: seeding, sealed });
    }
    await db.push({ people, events: [], lockouts: [] }, seeder.deskId, Date.now());
  }
  await db.close();
  const seedMs = Date.now() - seeding;
  console.log(`fleet of ${PEOPLE} people x ${TEMPLATES} templates written in ${(seedMs / 1000).toFixed(1)} s`);

  // A new desk joins and becomes ready to recognise.
  const joinAndWait = async (name: string, joinCode: string): Promise<{ desk: (typeof desks)[number]; ms: number }> => {
    const desk = await openApp(join(work, name), calibration, { fleet: { pollMs: 1000 } });
    desks.push(desk);
    const joining = performance.now();
    await desk.api.fleet.join({ connection: pgServer.url, joinCode, passphrase });
    while (desk.service.matcher.size < PEOPLE * TEMPLATES) await desk.service.fleet.syncNow();
    const greeted = await visitFrom(desk.service.gate, { evidence: visitEvidence(personTemplates(10_000, 2)) });
    const ms = performance.now() - joining;
    if (greeted.checkIn?.identityId !== firstId) throw new Error(`the new desk did not greet person 0 (${greeted.outcome})`);
    return { desk, ms };
  };
  const { desk: two, ms: joinMs } = await joinAndWait('two', invites[0]!);
  console.log(`new desk ready: ${two.service.matcher.size} templates, greeted person 0, ${(joinMs / 1000).toFixed(1)} s after the join call`);
  const { desk: three, ms: thirdJoinMs } = await joinAndWait('three', invites[1]!);
  console.log(`a third desk, joining while desk 2 runs: ready ${(thirdJoinMs / 1000).toFixed(1)} s after the join call`);

  // Change latency: from the call at desk 2 to desk 3 showing the change.
  const latencies: number[] = [];
  let last = '';
  for (let c = 0; c < CHANGES; c++) {
    const start = performance.now();
    let seen: () => boolean | Promise<boolean>;
    if (c % 2 === 0) {
      const created = await two.api.identities.create({ name: `Change ${c}`, templates: personTemplates(900_000 + c, TEMPLATES).map((v) => ({ vector: v, quality: { score: 0.9 }, source: 'camera' as const })) });
      last = created.id;
      seen = () => three.service.matcher.templateIdsOf(created.id).length === TEMPLATES;
    } else {
      const name = `Change ${c} renamed`;
      await two.api.identities.rename({ id: last, name });
      const id = last;
      seen = async () => (await three.api.identities.get({ id })).name === name;
    }
    while (!(await seen())) await new Promise((r) => setTimeout(r, 2));
    latencies.push(performance.now() - start);
  }
  const median = quantile(latencies, 0.5);
  const p95 = quantile(latencies, 0.95);
  console.log(`change at desk 2 -> seen at desk 3, ${CHANGES} changes (enrol / rename alternating): median ${median.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`);
  const summary = {
    bench: 'fleet', people: PEOPLE, templatesPerPerson: TEMPLATES, seedMs: Math.round(seedMs), joinReadyMs: Math.round(joinMs), thirdJoinReadyMs: Math.round(thirdJoinMs),
    changes: CHANGES, changeMedianMs: Math.round(median), changeP95Ms: Math.round(p95), changeMaxMs: Math.round(Math.max(...latencies)),
    load1: [Number(loadAtStart.toFixed(2)), Number((loadavg()[0] ?? 0).toFixed(2))],
  };
  console.log(JSON.stringify(summary));
} finally {
  for (const d of desks) {
    await d.service.fleet.close();
    d.service.close();
  }
  pgServer.destroy();
  rmSync(work, { recursive: true, force: true });
}
