// The browser host over a real socket: the token guards the WebSocket, and the contract works
// end to end against a real SQLite file (enrol, identify, verify with lockout, delete).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Client, LoginEvidenceArgs } from '../../core/contract/api';
import { startBrowserHost, type BrowserHost } from '../../electron/browser-host/host';
import { repoRoot } from '../support/shared';
import { personTemplates, tempDataDir, TEST_OPERATOR, writeCalibration } from '../support/apiFixtures';
import { loginEvidence } from '../support/loginEvidence';
import { connect, wsClient } from '../support/host-client';

describe('browser host', () => {
  let host: BrowserHost;
  let ws: WebSocket;
  let api: Client;
  beforeAll(async () => {
    const dir = tempDataDir('host');
    host = await startBrowserHost({ appRoot: repoRoot, dataDir: dir, calibrationPath: writeCalibration(dir), log: () => {} });
    ws = await connect(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
    api = wsClient(ws);
    await api.operators.setup(TEST_OPERATOR);
  });
  afterAll(async () => {
    ws?.close();
    await host?.close();
  });

  it('refuses a WebSocket with a wrong or missing token, or from another origin', async () => {
    await expect(connect(`ws://127.0.0.1:${host.port}/api?token=wrong`)).rejects.toThrow('403');
    await expect(connect(`ws://127.0.0.1:${host.port}/api`)).rejects.toThrow('403');
    const other = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin: 'http://evil.example' });
    await expect(new Promise((resolve, reject) => { other.once('open', resolve); other.once('unexpected-response', (_q, r) => reject(new Error(`HTTP ${r.statusCode}`))); })).rejects.toThrow('403');
  });

  it('serves pages with the isolation and CSP headers, and never files outside its roots', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/models/manifest.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(res.headers.get('content-security-policy')).toContain("'wasm-unsafe-eval'");
    for (const path of ['/models/../package.json', '/models/install.mjs', '/ort/../package.json', '/%2e%2e/package.json']) {
      expect((await fetch(`http://127.0.0.1:${host.port}${path}`)).status, path).toBe(404);
    }
  });

  it('enrols from two templates, identifies a third, locks after failed verifications, deletes', async () => {
    const [a1, a2, a3] = personTemplates(1, 3) as [Float32Array, Float32Array, Float32Array];
    const [b1] = personTemplates(2, 1) as [Float32Array];
    const quality = { score: 0.9 };
    const created = await api.identities.create({ name: 'Ada', templates: [{ vector: a1, quality, source: 'photo' }, { vector: a2, quality, source: 'camera' }] });
    expect(created.templateCount).toBe(2);
    const dup = await api.enroll.checkDuplicate({ templates: [a3] });
    expect(dup.duplicate?.identityId).toBe(created.id);

    const found = await api.identify({ probe: a3, k: 3 });
    expect(found.recognised?.identityId).toBe(created.id);
    expect(found.recognised?.score).toBeGreaterThan(0.8);
    expect((await api.identify({ probe: b1 })).recognised).toBeNull();

    await api.settings.set({ lockoutAttempts: 2, lockoutMinutes: 5 });
    const attempt = async (t: Float32Array) => ({ identityId: created.id, challenge: (await api.attempt.challenge()).challenge, evidence: loginEvidence([t]) as LoginEvidenceArgs });
    expect((await api.login(await attempt(a3))).accepted).toBe(true);
    const first = await api.login(await attempt(b1));
    expect(first).toMatchObject({ accepted: false, reason: 'no-match', attemptsLeft: 1 });
    const second = await api.login(await attempt(b1));
    expect(second.lockedUntil).not.toBeNull();
    const locked = await api.login(await attempt(a3));
    expect(locked).toMatchObject({ accepted: false, reason: 'locked' });
    const verifies = await api.events.list({ kind: 'verify' });
    expect(verifies.map((e) => e.decision)).toEqual(['locked', 'reject', 'reject', 'accept']);
    expect(verifies.every((e) => e.identityId === created.id)).toBe(true);

    await api.identities.delete({ id: created.id });
    expect(await api.identities.list()).toEqual([]);
    expect((await api.identify({ probe: a3 })).candidates).toEqual([]);
    await expect(api.identities.get({ id: created.id })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('answers bad frames with a validation error and keeps the connection', async () => {
    const reply = await new Promise<string>((resolve) => {
      ws.once('message', (d) => resolve(d.toString()));
      ws.send('not json');
    });
    expect(JSON.parse(reply)).toMatchObject({ id: null, reply: { ok: false, error: { code: 'invalid-arguments' } } });
    expect(await api.settings.get()).toMatchObject({ lockoutAttempts: 2 });
  });
});
