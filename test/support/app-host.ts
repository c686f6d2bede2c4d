// The whole app for browser tests: the renderer built by Vite (once per test run, only when its
// sources changed; parallel test files wait for one build) served by the real browser host on a
// temp data folder. Used by every test/e2e/ui-*.test.ts and by the UI benchmark.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startBrowserHost, type BrowserHost } from '../../electron/browser-host/host';
import type { Dispatch } from '../../electron/services/app/dispatch';
import { operatorDispatch, tempDataDir, TEST_OPERATOR } from './apiFixtures';
import { repoRoot } from './shared';

export const rendererOut = join(repoRoot, 'out', 'renderer');
export const screenshotDir = join(repoRoot, 'test-output', 'screenshots');
const lockDir = join(repoRoot, 'out', '.renderer-build.lock');
const SOURCES = ['renderer', 'core'];

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function rendererStale(): boolean {
  const built = join(rendererOut, 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return SOURCES.some((dir) => newestMtime(join(repoRoot, dir)) > builtAt);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds out/renderer when a source is newer than it. A lock folder makes parallel callers wait for one build. */
export async function ensureRendererBuilt(): Promise<void> {
  if (!rendererStale()) return;
  mkdirSync(join(repoRoot, 'out'), { recursive: true });
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // Another test file is building; a lock older than 3 minutes is a crashed build.
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > 180_000) rmSync(lockDir, { recursive: true, force: true });
      await sleep(500);
      if (!existsSync(lockDir) && !rendererStale()) return;
      if (waited > 300_000) throw new Error(`waited 5 minutes for another renderer build (remove ${lockDir} if none is running)`);
    }
  }
  try {
    if (!rendererStale()) return;
    const { build } = await import('vite');
    // Old hashed chunks stay: another test file's page may still lazy-load them while this builds.
    await build({ configFile: join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { emptyOutDir: false } });
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

export interface AppHost {
  host: BrowserHost;
  /**
   * Calls as the test operator on a connection of its own (the page signs in separately: signInOperator).
   * With `{ operator: false }` it signs in on its first call, so the test must create the first operator
   * (as TEST_OPERATOR) before using it.
   */
  operator: Dispatch;
  /** The app's page with its token; append a hash route: `${url}#/kiosk`. */
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Signs in as TEST_OPERATOR on its first call, never creating it (for a host whose test makes the first
 * operator itself), and again when the app ended the session (the kiosk started, an idle-out), as the
 * operator at the desk would.
 */
function operatorOnceCreated(host: BrowserHost): Dispatch {
  let signedIn: Promise<Dispatch> | null = null;
  return async (call, args) => {
    signedIn ??= (async () => {
      const probe = host.gate.connect();
      const status = await probe.dispatch('session.status', {}).finally(() => probe.close());
      if (status.ok && (status.value as { needsSetup: boolean }).needsSetup) throw new Error('no operator exists yet on this host: the test creates the first one (as TEST_OPERATOR) before calling as it');
      return operatorDispatch(host);
    })();
    const dispatch = await signedIn.catch((e: unknown) => {
      signedIn = null;
      throw e;
    });
    const reply = await dispatch(call, args);
    if (reply.ok || reply.error.code !== 'forbidden' || !/is for operators/.test(reply.error.message)) return reply;
    signedIn = null;
    return (await operatorDispatch(host))(call, args);
  };
}

/**
 * The built renderer behind a real browser host on a fresh data folder. `calibrationPath` defaults to
 * models/calibration.json (the host loads it lazily; verify/identify fail clearly while it is absent).
 * `operator: false` leaves the folder without an operator, as on a first start (the page then shows
 * the first operator's form).
 */
export async function startAppHost(options: { calibrationPath?: string; dataDir?: string; operator?: boolean } = {}): Promise<AppHost> {
  await ensureRendererBuilt();
  const dataDir = options.dataDir ?? tempDataDir('ui');
  const host = await startBrowserHost({
    appRoot: repoRoot,
    dataDir,
    ...(options.calibrationPath ? { calibrationPath: options.calibrationPath } : {}),
    log: (message, error) => console.error(message, error),
  });
  // The first start's operator, as a person would create it; the page then signs in with signInOperator.
  if (options.operator !== false) await operatorDispatch(host);
  const operator = operatorOnceCreated(host);
  return { host, operator, url: host.url, dataDir, close: () => host.close() };
}

/**
 * Signs the page in as the test operator on the Log in screen (management screens need it). The
 * session is the page's socket's: a reload, or a URL other than `app.url` (a query added), needs it again.
 */
export async function signInOperator(page: { goto(url: string): Promise<unknown>; getByLabel(text: string, o?: { exact?: boolean }): { fill(v: string): Promise<void> }; getByRole(role: 'button', o: { name: string }): { click(): Promise<void> }; getByTestId(id: string): { waitFor(o?: { timeout?: number }): Promise<void> } }, app: { url: string }): Promise<void> {
  await page.goto(`${app.url}#/login`);
  await page.getByLabel('Operator name').fill(TEST_OPERATOR.name);
  await page.getByLabel('Operator passphrase').fill(TEST_OPERATOR.passphrase);
  await page.getByRole('button', { name: 'Sign in as operator' }).click();
  await page.getByTestId('operator-signed-in').waitFor({ timeout: 30_000 });
}

/** Where a screen's screenshot goes: test-output/screenshots/<screen>.png. */
export function screenshotPath(screen: string): string {
  mkdirSync(screenshotDir, { recursive: true });
  return join(screenshotDir, `${screen}.png`);
}
