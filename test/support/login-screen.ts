// One login attempt at the app's Log in screen in real Chromium, the clip played as its fake camera:
// type the name, press Start, wait for the verdict the back end gave, read it off the screen. The
// one place tests drive that screen for a verdict (an operator sign-in or a server challenge added to
// the login path changes this helper only).
import { launchChromium } from './chromium';

export interface ScreenVerdict {
  accepted: boolean;
  /** The verdict's reason ('match', 'no-match', 'liveness-failed', ...). */
  reason: string;
  /** Which part of liveness failed ('' when it passed). */
  liveness: string;
  /** The gesture the screen itself saw pass ('none' when none). */
  challenge: string;
  /** The verdict as shown. */
  text: string;
}

/** Model loading plus the attempt's 30 s of camera, on two shared cores. */
export const SCREEN_TIMEOUT_MS = 180_000;

export async function loginAtScreen(appUrl: string, name: string, clip: string): Promise<ScreenVerdict> {
  const chromium = await launchChromium({ fakeCamera: clip });
  try {
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (e) => console.error(`[${clip}] page error:`, e.message));
    await page.goto(`${appUrl}#/login`);
    await page.getByLabel('Your name').fill(name);
    await page.getByRole('button', { name: 'Start' }).click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor({ timeout: SCREEN_TIMEOUT_MS });
    return {
      accepted: (await verdict.getAttribute('data-accepted')) === 'true',
      reason: (await verdict.getAttribute('data-reason')) ?? '',
      liveness: (await verdict.getAttribute('data-liveness')) ?? '',
      challenge: (await verdict.getAttribute('data-challenge')) ?? 'none',
      text: await verdict.innerText(),
    };
  } finally {
    await chromium.close();
  }
}
