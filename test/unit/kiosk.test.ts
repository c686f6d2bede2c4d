// The kiosk's decision through the real browser host (its dispatcher, a real SQLite file): a visit's
// evidence in, the back end's answer out; the check-in log holds only what the back end decided.
// Also: the stated promise moves with the gallery, the local calibration check warns (and logs) on a
// gallery of look-alikes and stays quiet otherwise, and the opt-in cohort keeps sealed templates.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckIn, Envelope, GalleryStatus, Identity, VisitAnswer } from '../../core/contract/api';
import { l2normalise } from '../../core/hypersphere';
import { fuseProbes } from '../../core/matching/probe';
import { startBrowserHost, type BrowserHost } from '../../electron/browser-host/host';
import { seededRandom } from '../../native-train/prng';
import { operatorDispatch, personTemplates, tempDataDir, writeDecisionCalibration } from '../support/apiFixtures';
import type { Dispatch } from '../../electron/services/app/dispatch';
import { repoRoot } from '../support/shared';
import { contains, databaseBytes, floatBytes } from '../support/store-fixtures';
import { visitEvidence } from '../support/visitEvidence';

/** Templates of people who all share one direction: cosines across people near 0.5 (a drifted camera). */
function lookAlikes(seed: number, people: number, each: number): Float32Array[][] {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const common = l2normalise(Float32Array.from({ length: 512 }, gauss));
  return Array.from({ length: people }, () => {
    const own = l2normalise(Float32Array.from({ length: 512 }, gauss));
    const centre = l2normalise(common.map((c, i) => 0.75 * c + 0.66 * own[i]!));
    return Array.from({ length: each }, () => l2normalise(centre.map((c) => c + 0.01 * gauss())));
  });
}

describe('kiosk: the back end decides each visit', () => {
  let host: BrowserHost;
  let dispatch: Dispatch;
  const dir = tempDataDir('kiosk');
  // Through JSON, as the WebSocket delivers it.
  const raw = async (name: string, args: unknown) => dispatch(name, JSON.parse(JSON.stringify(args)) as unknown) as Promise<Envelope<unknown>>;
  const call = async <T,>(name: string, args: unknown = {}): Promise<T> => {
    const reply = await raw(name, args);
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.value as T;
  };
  const enrol = (name: string, templates: Float32Array[]) =>
    call<Identity>('identities.create', { name, templates: templates.map((v) => ({ vector: Array.from(v), quality: { score: 0.9 }, source: 'photo' })) });
  const a = personTemplates(101, 4);
  let idA = '';

  beforeAll(async () => {
    host = await startBrowserHost({ appRoot: repoRoot, dataDir: dir, calibrationPath: writeDecisionCalibration(dir), log: () => {} });
    dispatch = await operatorDispatch(host);
    idA = (await enrol('Person A', a.slice(0, 3))).id;
    await call('settings.set', { checkinLiveness: 'passive', repeatGreetingMinutes: 30 });
  });
  afterAll(async () => {
    await host?.close();
  });

  it('greets an enrolled person once, logs what it decided, and says "repeat" within the window', async () => {
    const probesOfA = personTemplates(101, 8).slice(4);
    const first = await call<VisitAnswer>('checkins.visit', { evidence: visitEvidence(probesOfA) });
    expect(first.outcome).toBe('greeting');
    expect(first.message).toBe('Welcome, Person A!');
    expect(first.probes).toBe(4);
    expect(first.checkIn?.identityId).toBe(idA);
    const again = await call<VisitAnswer>('checkins.visit', { evidence: visitEvidence(probesOfA.slice(0, 2)) });
    expect(again.outcome).toBe('repeat');
    const log = await call<CheckIn[]>('checkins.list');
    expect(log.map((c) => [c.identityId, c.repeat])).toEqual([[idA, true], [idA, false]]);
    expect(log[1]!.score).toBeGreaterThanOrEqual(first.threshold);
  });

  it('asks for liveness instead of greeting when the frames look like a photo, and logs nothing', async () => {
    const before = (await call<CheckIn[]>('checkins.list')).length;
    const answer = await call<VisitAnswer>('checkins.visit', { evidence: visitEvidence(personTemplates(101, 6).slice(4), { passive: 0.1 }) });
    expect(answer.outcome).toBe('liveness');
    expect(answer.message).toMatch(/look straight at the camera/);
    expect(answer.checkIn).toBeNull();
    // With the challenge setting, still frames (no blink, no turn, one repeated picture) are not enough either.
    await call('settings.set', { checkinLiveness: 'challenge' });
    const still = await call<VisitAnswer>('checkins.visit', { evidence: visitEvidence(personTemplates(101, 6).slice(4)) });
    await call('settings.set', { checkinLiveness: 'passive' });
    expect(still.outcome).toBe('liveness');
    expect(await call<CheckIn[]>('checkins.list')).toHaveLength(before);
  });

  it('says "not recognised" to a stranger and logs nothing', async () => {
    const before = (await call<CheckIn[]>('checkins.list')).length;
    const answer = await call<VisitAnswer>('checkins.visit', { evidence: visitEvidence(personTemplates(999, 3)) });
    expect(answer.outcome).toBe('not-recognised');
    expect(await call<CheckIn[]>('checkins.list')).toHaveLength(before);
  });

  it('states a promise for the gallery enrolled now, and the promise moves as people are enrolled and removed', async () => {
    const one = await call<GalleryStatus>('gallery.status');
    expect(one.people).toBe(1);
    const at = (s: GalleryStatus) => s.levels.find((l) => l.level === '1e-4')!;
    // A photo asked "who is this?" is a 1:N decision too: its threshold is the visit's for one probe.
    const askPhoto = async () => (await call<{ threshold: number }>('identify', { probe: Array.from(personTemplates(999, 1)[0]!), level: '1e-4' })).threshold;
    const photoOne = await askPhoto();
    expect(at(one).sentence).toMatch(/^With 1 person enrolled, about 1 in [\d,]+ stranger visits is taken for someone; about (1 in [\d,]+|none of the) enrolled people's visits need a second look\.$/);
    const added: string[] = [];
    for (let p = 0; p < 30; p++) added.push((await enrol(`Extra ${p}`, personTemplates(2000 + p, 3))).id);
    const many = await call<GalleryStatus>('gallery.status');
    expect(many.people).toBe(31);
    // The level holds per visit: a larger gallery gets a higher threshold, not more false greetings.
    expect(at(many).visitThreshold).toBeGreaterThan(at(one).visitThreshold);
    expect(at(many).visitFpir).toBeLessThanOrEqual(1e-4 * 1.0001);
    expect(at(many).sentence).toContain('With 31 people enrolled');
    expect(at(many).sentence).not.toBe(at(one).sentence);
    expect(await askPhoto()).toBeGreaterThan(photoOne);
    for (const id of added) await call('identities.delete', { id });
    const back = await call<GalleryStatus>('gallery.status');
    expect(at(back).sentence).toBe(at(one).sentence);
  });

  it('the local calibration check is quiet on well-separated people, and warns, logs and offers thresholds on look-alikes', async () => {
    const ids: string[] = [];
    for (let p = 0; p < 20; p++) ids.push((await enrol(`Stranger-like ${p}`, personTemplates(3000 + p, 3))).id);
    const quiet = await call<GalleryStatus>('gallery.status');
    expect(quiet.drift?.pairs).toBeGreaterThan(1500);
    expect(quiet.drift?.warn, quiet.drift?.message).toBe(false);
    for (const id of ids.splice(0)) await call('identities.delete', { id });
    for (const [i, templates] of lookAlikes(5, 16, 3).entries()) ids.push((await enrol(`Look-alike ${i}`, templates)).id);
    const drifted = await call<GalleryStatus>('gallery.status');
    expect(drifted.drift?.warn, drifted.drift?.message).toBe(true);
    expect(drifted.drift!.localRate!).toBeGreaterThan(drifted.drift!.expectedRate);
    const suggested = drifted.drift!.suggestedThresholds!;
    expect(suggested['1e-4']).toBeGreaterThan(0.4);
    const logged = await call<{ detail: Record<string, unknown> }[]>('events.list', { kind: 'drift-check' });
    expect(logged.some((e) => e.detail['warn'] === true)).toBe(true);
    // Nobody was identified: the check is not logged as an identification.
    expect(await call<unknown[]>('events.list', { kind: 'identify' })).toEqual([]);
    // Offered thresholds in force once chosen: the visit threshold follows.
    await call('settings.set', { localThresholds: true });
    const local = await call<GalleryStatus>('gallery.status');
    expect(local.drift?.usingLocal).toBe(true);
    const visitAt = (st: GalleryStatus) => st.levels.find((l) => l.level === '1e-4')!.visitThreshold;
    expect(visitAt(local) - visitAt(drifted)).toBeCloseTo(suggested['1e-4'] - 0.4, 6);
    await call('settings.set', { localThresholds: false });
    for (const id of ids) await call('identities.delete', { id });
    expect((await call<GalleryStatus>('gallery.status')).drift?.warn).toBe(false);
  });

  it('keeps no cohort by default; when on, N stranger visits leave N sealed templates, and delete-all empties it', async () => {
    const strangers = [0, 1, 2].map((i) => personTemplates(5000 + i, 3));
    await call('checkins.visit', { evidence: visitEvidence(strangers[0]!) });
    expect((await call<GalleryStatus>('gallery.status')).cohort).toMatchObject({ enabled: false, count: 0, cap: 2000, maxAgeDays: 90 });

    await call('settings.set', { keepUnrecognised: true });
    for (const s of strangers) expect((await call<VisitAnswer>('checkins.visit', { evidence: visitEvidence(s) })).outcome).toBe('not-recognised');
    // A photo held up (low passive score) is not kept.
    await call('checkins.visit', { evidence: visitEvidence(personTemplates(6000, 3), { passive: 0.1 }) });
    expect((await call<GalleryStatus>('gallery.status')).cohort.count).toBe(strangers.length);
    const bytes = databaseBytes(join(dir, 'normface.db'));
    for (const s of strangers) {
      const fused = fuseProbes(s, 512);
      if (!fused.ok) throw new Error(fused.error);
      const kept = Float32Array.from(fused.unit);
      for (const i of [0, 200, 509]) expect(contains(bytes, floatBytes(kept, i, 3))).toBe(false);
    }

    expect((await call<{ count: number }>('cohort.clear')).count).toBe(0);
    await call('checkins.visit', { evidence: visitEvidence(strangers[1]!) });
    expect((await call<GalleryStatus>('gallery.status')).cohort.count).toBe(1);
    await call('data.deleteAll', { confirm: 'DELETE ALL DATA' });
    expect((await call<GalleryStatus>('gallery.status')).cohort).toMatchObject({ enabled: false, count: 0 });
  });
});
