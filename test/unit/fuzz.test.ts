// At least 10,000 malformed calls against a browser host running in its own process: every one is
// rejected with a validation error (or unknown-call), the process stays up, and the database is
// byte-for-byte the same logical content afterwards. Plus wrong-token connections, all refused.
import { CHECKPOINT_SETTING } from '../../electron/services/store/eventChain';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { callNames, DELETE_ALL_CONFIRMATION, type CallName } from '../../core/contract/api';
import type { Handlers } from '../../electron/services/app/dispatch';
import { gateOver, personTemplates, tempDataDir, TEST_OPERATOR } from '../support/apiFixtures';
import { seededRandom } from '../../native-train/prng';
import { repoRoot } from '../support/shared';
import { loginEvidence } from '../support/loginEvidence';
import { visitEvidence } from '../support/visitEvidence';

const CALLS = 10_500;
const template = () => Array.from(personTemplates(7, 1)[0]!);
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]).toString('base64');

/** One valid argument object per call: the fuzzer breaks each in one place. */
function validArgs(name: CallName): Record<string, unknown> {
  const t = { vector: template(), quality: { score: 0.8, sharpness: 0.5 }, source: 'photo', thumbnail: jpeg };
  const table: Partial<Record<CallName, Record<string, unknown>>> = {
    'identities.list': { query: 'a' },
    'identities.get': { id: 'abc' },
    'identities.create': { name: 'X', notes: 'n', templates: [t] },
    'identities.rename': { id: 'abc', name: 'Y' },
    'identities.addTemplates': { id: 'abc', templates: [t] },
    'identities.removeTemplate': { id: 'abc', templateId: 'def' },
    'identities.delete': { id: 'abc' },
    'enroll.checkDuplicate': { templates: [template()], level: '1e-4' },
    login: { identityId: 'abc', level: '1e-3', evidence: loginEvidence([Float32Array.from(template())], { frames: 6 }) },
    identify: { probe: template(), k: 3, level: '1e-5' },
    'checkins.visit': { evidence: visitEvidence([Float32Array.from(template())]) },
    'checkins.list': { from: 0, to: 10 },
    'checkins.exportCsv': { from: 0 },
    'events.list': { kind: 'verify', limit: 5 },
    'settings.set': { lockoutMinutes: 5, backend: 'wasm' },
    'backup.restore': { name: 'auto-backup.db' },
    'data.deleteAll': { confirm: DELETE_ALL_CONFIRMATION },
    'training.start': { options: { epochs: 3 } },
    'training.accept': { runId: 'r1' },
  };
  return table[name] ?? {};
}

const wrongType = (v: unknown): unknown =>
  typeof v === 'string' ? 12345 : typeof v === 'number' ? 'x' : typeof v === 'boolean' ? 'yes' : v === null ? 'null' : Array.isArray(v) ? 'list' : 7;

/** Paths to every leaf of a JSON value. */
function leaves(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.length ? v.flatMap((x, i) => leaves(x, [...path, i])) : [path];
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    return entries.length ? entries.flatMap(([k, x]) => leaves(x, [...path, k])) : [path];
  }
  return [path];
}

function setAt(root: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
}

/** Frame text for malformed call number i (as text: JSON cannot say NaN or Infinity otherwise). */
function malformed(i: number, rand: () => number): { call: unknown; argsJson: string } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const name = pick(callNames);
  const args = structuredClone(validArgs(name));
  const kind = i % 9;
  if (kind === 0) return { call: pick(['nope', '', 'identities', 'identities.list.x', '__proto__', 'constructor', 'x'.repeat(100_000), 42, null]), argsJson: '{}' };
  if (kind === 1) return { call: name, argsJson: pick(['null', '5', '"x"', '[]', 'true', '[{}]']) };
  if (kind === 2) return { call: name, argsJson: JSON.stringify({ ...args, [`zz_${Math.floor(rand() * 1e6)}`]: 1 }) };
  const paths = leaves(args).filter((p) => p.length > 0);
  if (paths.length === 0) return { call: name, argsJson: JSON.stringify({ extra: true }) };
  if (kind === 3) {
    const top = Object.keys(args).filter((k) => !['notes', 'query', 'level', 'k', 'from', 'to', 'kind', 'limit', 'lockoutMinutes', 'backend', 'options'].includes(k));
    if (top.length) {
      delete args[pick(top)];
      return { call: name, argsJson: JSON.stringify(args) };
    }
  }
  if (kind === 4) {
    const strings = paths.filter((p) => typeof p.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], args) === 'string');
    if (strings.length) {
      setAt(args, pick(strings), pick(['x'.repeat(200_000), 'a\u0000b', '\u0007', 'ü'.repeat(5000)]));
      return { call: name, argsJson: JSON.stringify(args) };
    }
  }
  if (kind === 5 || kind === 6) {
    const vectors = paths.filter((p) => p.some((k) => k === 'vector' || k === 'probe' || k === 'probes' || (k === 'templates' && name === 'enroll.checkDuplicate')));
    if (vectors.length) {
      const p = pick(vectors);
      const marker = '"__BAD__"';
      setAt(args, p, '__BAD__');
      // JSON has no NaN (JSON.stringify sends null); typed-array NaN is fuzzed through IPC's path below.
      const bad = pick(['1e400', '-1e400', 'null', '"0.1"', '{}']);
      if (kind === 6) {
        // Whole-vector damage: wrong length, not unit, enormous.
        const vecPath = p.slice(0, -1);
        setAt(args, vecPath, pick([template().slice(1), template().map((x) => x * 2), new Array(100_000).fill(0.001), []]));
        return { call: name, argsJson: JSON.stringify(args) };
      }
      return { call: name, argsJson: JSON.stringify(args).replace(marker, bad) };
    }
  }
  setAt(args, pick(paths), wrongType(pick(paths).reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], args)));
  // The line above may have picked two different paths; re-break deterministically on the first leaf too.
  const first = paths[0]!;
  setAt(args, first, wrongType(first.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], validArgs(name))));
  return { call: name, argsJson: JSON.stringify(args) };
}

function dump(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hash = createHash('sha256');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    for (const { name } of tables) {
      hash.update(name);
      // The log check's checkpoint is bookkeeping the app's background check moves on its own, not data.
      const rows = name === 'settings' ? db.prepare(`SELECT * FROM settings WHERE key <> '${CHECKPOINT_SETTING}' ORDER BY rowid`) : db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`);
      for (const row of rows.raw().iterate()) {
        hash.update(JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v)));
      }
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

describe('fuzz: typed arrays as Electron IPC delivers them', () => {
  it('rejects NaN, infinite, short and non-unit Float32Array templates before any handler runs', async () => {
    const ran: string[] = [];
    const handlers = new Proxy({}, { get: (_t, name: string) => () => void ran.push(name) }) as unknown as Handlers;
    const dispatch = gateOver(handlers).operator;
    const rand = seededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const v = Float32Array.from(template());
      const kind = i % 4;
      if (kind === 0) v[Math.floor(rand() * 512)] = NaN;
      if (kind === 1) v[Math.floor(rand() * 512)] = -Infinity;
      if (kind === 2) v[0] = (v[0] ?? 0) + 0.5;
      const vector = kind === 3 ? v.subarray(0, 511) : v;
      const frames = loginEvidence([Float32Array.from(template())], { frames: 6 }).frames as { face: Record<string, unknown> }[];
      frames[5]!.face.template = vector;
      const reply = await dispatch(i % 2 ? 'identify' : 'login', i % 2 ? { probe: vector } : { identityId: 'a', evidence: { frames } });
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    }
    expect(ran).toEqual([]);
  });
});

/** Signs a socket in as the test operator (the first test created it; alone, this one does). */
async function signIn(send: (call: string, args: unknown) => Promise<{ ok: boolean; value?: unknown }>): Promise<void> {
  const status = (await send('session.status', {})).value as { needsSetup: boolean };
  expect((await send(status.needsSetup ? 'operators.setup' : 'operators.signIn', TEST_OPERATOR)).ok).toBe(true);
}

describe('fuzz: malformed calls to the browser host', () => {
  let child: ChildProcess;
  let port = 0;
  let token = '';
  const dataDir = tempDataDir('fuzz');

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'electron/browser-host/server.ts'), '--port', '0', '--data', dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
        if (m) resolve(m[0]);
      });
      child.once('exit', (code) => reject(new Error(`the host exited (${code}): ${stderr}`)));
    });
    const u = new URL(url);
    port = Number(u.port);
    token = u.searchParams.get('token')!;
  });
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it(`rejects ${CALLS} malformed calls and wrong tokens; the process stays up and the database is unchanged`, { timeout: 600_000 }, async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`, { maxPayload: 64 * 1024 * 1024 });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const pending = new Map<number, (reply: { ok: boolean; error?: { code: string } }) => void>();
    ws.on('message', (d) => {
      const frame = JSON.parse(d.toString()) as { id: number; reply: { ok: boolean; error?: { code: string } } };
      pending.get(frame.id)?.(frame.reply);
      pending.delete(frame.id);
    });
    let next = 1;
    const send = (call: unknown, argsJson: string) =>
      new Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        ws.send(`{"id":${id},"call":${JSON.stringify(call)},"args":${argsJson}}`);
      });

    // An operator's socket: what the fuzzer breaks are the arguments, not the right to call.
    expect((await send('operators.setup', JSON.stringify(TEST_OPERATOR))).ok).toBe(true);
    // Something to protect: one enrolled identity and a setting.
    const created = await send('identities.create', JSON.stringify({ name: 'Keep', templates: [{ vector: template(), quality: { score: 1 }, source: 'photo' }] }));
    expect(created.ok).toBe(true);
    expect((await send('settings.set', '{"lockoutAttempts":3}')).ok).toBe(true);
    const file = join(dataDir, 'normface.db');
    const before = dump(file);

    const rand = seededRandom(20240611);
    const codes = new Map<string, number>();
    const accepted: string[] = [];
    for (let start = 0; start < CALLS; start += 250) {
      const batch = Array.from({ length: Math.min(250, CALLS - start) }, (_, j) => {
        const m = malformed(start + j, rand);
        return send(m.call, m.argsJson).then((reply) => {
          if (reply.ok) accepted.push(`${String(m.call)} ${m.argsJson.slice(0, 200)}`);
          else codes.set(reply.error!.code, (codes.get(reply.error!.code) ?? 0) + 1);
        });
      });
      await Promise.all(batch);
      if (process.env.FUZZ_PROGRESS) console.error(start, Date.now());
    }
    expect(accepted).toEqual([]);
    expect([...codes.keys()].sort()).toEqual(['invalid-arguments', 'unknown-call']);
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(CALLS);

    // Frames that are not calls at all.
    for (const text of ['', 'not json', '[]', '{"call":"app.info"}', '{"id":"1","call":"app.info","args":{}}', 'x'.repeat(1_000_000)]) {
      const reply = await new Promise<string>((resolve) => (ws.once('message', (d) => resolve(d.toString())), ws.send(text)));
      expect(JSON.parse(reply)).toMatchObject({ id: null, reply: { ok: false, error: { code: 'invalid-arguments' } } });
    }

    // Wrong tokens never get a socket.
    for (const bad of ['', 'x', token.slice(1), `${token}x`, token.toUpperCase(), encodeURIComponent(' ' + token)]) {
      const status = await new Promise<number>((resolve) => {
        const w = new WebSocket(`ws://127.0.0.1:${port}/api?token=${bad}`);
        w.once('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0));
        w.once('open', () => resolve(101));
        w.once('error', () => resolve(-1));
      });
      expect(status, bad).toBe(403);
    }

    expect(child.exitCode).toBeNull();
    const still = await send('identities.list', '{}');
    expect(still).toMatchObject({ ok: true });
    expect((still.value as unknown[]).length).toBe(1);
    ws.close();
    expect(dump(file)).toBe(before);
  });
  it('refuses forged check-ins (a caller-chosen identity, no probes, the old call, crafted fields) and logs nothing', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    let next = 1;
    const send = (call: string, args: unknown) =>
      new Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>((resolve) => {
        const id = next++;
        const onMessage = (d: WebSocket.RawData) => {
          const frame = JSON.parse(d.toString()) as { id: number; reply: { ok: boolean; value?: unknown; error?: { code: string; message: string } } };
          if (frame.id !== id) return;
          ws.off('message', onMessage);
          resolve(frame.reply);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id, call, args }));
      });
    await signIn(send);
    // The identity the malformed calls protected (created here when that test was filtered out).
    if (((await send('identities.list', {})).value as unknown[]).length === 0) {
      await send('identities.create', { name: 'Keep', templates: [{ vector: template(), quality: { score: 1 }, source: 'photo' }] });
    }
    const [keep] = (await send('identities.list', {})).value as { id: string }[];
    const file = join(dataDir, 'normface.db');
    const before = dump(file);
    const face = visitEvidence([Float32Array.from(template())]);
    const frame = face.frames[0] as { face: Record<string, unknown> };
    const noTemplates = visitEvidence([]);
    const forgeries: [string, unknown, string][] = [
      ['checkins.record', { identityId: keep!.id, score: 0.99 }, 'unknown-call'],
      ['checkins.visit', { identityId: keep!.id, score: 0.99 }, 'invalid-arguments'],
      ['checkins.visit', { identityId: keep!.id, evidence: noTemplates }, 'invalid-arguments'],
      ['checkins.visit', { evidence: noTemplates }, 'invalid-arguments'],
      ['checkins.visit', { evidence: face, outcome: 'greeting' }, 'invalid-arguments'],
      ['checkins.visit', { evidence: { ...face, recognised: keep!.id } }, 'invalid-arguments'],
      ['checkins.visit', { evidence: { frames: [{ ...frame, face: { ...frame.face, identityId: keep!.id, score: 0.99 } }] } }, 'invalid-arguments'],
      ['checkins.visit', { evidence: { frames: [{ ...frame, liveness: { passiveScore: 1, challengePassed: true } }] } }, 'invalid-arguments'],
      // The face is there but the frame says two people (or none) are in view: not a probe.
      ['checkins.visit', { evidence: { frames: face.frames.map((f) => ({ ...(f as object), faces: 2 })) } }, 'invalid-arguments'],
      ['checkins.visit', { evidence: { frames: face.frames.map((f) => ({ ...(f as object), faces: 0 })) } }, 'invalid-arguments'],
    ];
    for (const [call, args, code] of forgeries) {
      const reply = await send(call, args);
      expect(reply.ok, `${call} ${JSON.stringify(args).slice(0, 120)}`).toBe(false);
      expect(reply.error?.code).toBe(code);
    }
    expect((await send('checkins.list', {})).value).toEqual([]);
    expect(dump(file)).toBe(before);
    // The same face as evidence is checked in: the refusals above were for the forgery, not the face.
    const challenge = ((await send('attempt.challenge', {})).value as { challenge: string }).challenge;
    const real = await send('checkins.visit', { evidence: face, challenge });
    expect(real).toMatchObject({ ok: true, value: { outcome: 'greeting' } });
    expect((await send('checkins.list', {})).value).toHaveLength(1);
    ws.close();
  });

  it('refuses a login whose evidence shows no challenge (still frames, no gesture) with reason liveness-failed, and has no field to claim liveness', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    let next = 1;
    const send = (call: string, args: unknown) =>
      new Promise<{ ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } }>((resolve) => {
        const id = next++;
        const onMessage = (d: WebSocket.RawData) => {
          const frame = JSON.parse(d.toString()) as { id: number; reply: { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } } };
          if (frame.id !== id) return;
          ws.off('message', onMessage);
          resolve(frame.reply);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id, call, args }));
      });
    await signIn(send);
    if ((((await send('identities.list', {})).value as unknown as unknown[]) ?? []).length === 0) {
      await send('identities.create', { name: 'Keep', templates: [{ vector: template(), quality: { score: 1 }, source: 'photo' }] });
    }
    const [keep] = (await send('identities.list', {})).value as unknown as { id: string }[];
    // Enough tries that no refusal below locks the identity: each must be refused for liveness itself.
    expect((await send('settings.set', { lockoutAttempts: 100 })).ok).toBe(true);
    const face = [Float32Array.from(template())];
    const verify = async (evidence: unknown, extra: object = {}) => {
      const challenge = ((await send('attempt.challenge', {})).value as unknown as { challenge: string }).challenge;
      return send('login', { identityId: keep!.id, evidence, challenge, ...extra });
    };

    // Crafted fields: the old verdict fields and any "live" claim are not part of the contract.
    const good = loginEvidence(face);
    const frame = good.frames[0] as { face: Record<string, unknown> };
    for (const args of [
      { identityId: keep!.id, probes: [template()], liveness: { passiveScore: 1, challengePassed: true } },
      { identityId: keep!.id, evidence: good, liveness: { passiveScore: 1, challengePassed: true } },
      { identityId: keep!.id, evidence: { ...good, challengePassed: true } },
      { identityId: keep!.id, evidence: { frames: [{ ...frame, live: true }, ...good.frames.slice(1)] } },
      { identityId: keep!.id, evidence: { frames: [{ ...frame, face: { ...frame.face, challengePassed: true } }, ...good.frames.slice(1)] } },
    ]) {
      const reply = await send('login', args);
      expect(reply.ok, JSON.stringify(args).slice(0, 160)).toBe(false);
      expect(reply.error?.code).toBe('invalid-arguments');
    }

    // Well-formed evidence without a challenge: the same face, the right template, and refused.
    const refusals: [string, unknown][] = [
      ['frozen', loginEvidence(face, { still: true, frames: 30 })],
      ['no-challenge', loginEvidence(face, { blink: false, frames: 30 })],
      // A high passive score on every frame does not stand in for the gesture.
      ['no-challenge', loginEvidence(face, { blink: false, passive: 1, frames: 120 })],
      // Eyes "closed" on every frame: never open, so never a blink.
      ['no-challenge', { frames: loginEvidence(face).frames.map((f) => ({ ...(f as object), face: { ...(f as { face: object }).face, eyes: { left: 0, right: 0 } } })) }],
    ];
    for (const [why, evidence] of refusals) {
      const reply = await verify(evidence);
      expect(reply.ok).toBe(true);
      expect(reply.value, why).toMatchObject({ accepted: false, reason: 'liveness-failed', livenessReason: why });
    }
    // The control: the same evidence with a blink is accepted, so the refusals above are liveness's.
    expect((await verify(good)).value).toMatchObject({ accepted: true, reason: 'match', livenessReason: 'live' });

    const events = (await send('events.list', { kind: 'verify', limit: 5 })).value as unknown as { decision: string; detail: Record<string, unknown> }[];
    expect(events.map((e) => [e.decision, e.detail.reason, e.detail.liveness])).toEqual([
      ['accept', 'match', 'live'],
      ['reject', 'liveness-failed', 'no-challenge'],
      ['reject', 'liveness-failed', 'no-challenge'],
      ['reject', 'liveness-failed', 'no-challenge'],
      ['reject', 'liveness-failed', 'frozen'],
    ]);
    ws.close();
  });
});
