// The test operator and how a test's caller signs in as it, with no module-level paths, so the crash
// and clock children bundled by crash-child.ts can use it too.
import { createClient, type VisitAnswer } from '../../core/contract/api';
import type { Connection, Dispatch, Gate } from '../../electron/services/app/dispatch';

/** The operator the tests sign in as (created by the first sign-in on a fresh data folder, as a first start asks). */
export const TEST_OPERATOR = { name: 'Test Operator', passphrase: 'test operator passphrase' };

/** A new caller on the gate signed in as TEST_OPERATOR: operators.setup on a fresh folder, else operators.signIn. */
export async function operatorConnection(gate: Gate): Promise<Connection> {
  const c = gate.connect();
  const status = await c.dispatch('session.status', {});
  if (!status.ok) throw new Error(status.error.message);
  const signedIn = await c.dispatch((status.value as { needsSetup: boolean }).needsSetup ? 'operators.setup' : 'operators.signIn', TEST_OPERATOR);
  if (!signedIn.ok) {
    // A database that cannot be opened (and no backup to restore) has no operator to sign in as: the
    // caller gets what any screen gets, which is what tests of such a folder look at.
    const info = await c.dispatch('app.info', {});
    if (info.ok && (info.value as { store: { state: string } }).store.state !== 'ok') return c;
    throw new Error(`signing in as the test operator failed: ${signedIn.error.message}`);
  }
  return c;
}

const ATTEMPTS = new Set(['login', 'checkins.visit']);

/** As the screens do: a login attempt or a visit without a challenge first asks attempt.challenge for one. */
export function withChallenges(dispatch: Dispatch): Dispatch {
  return async (call, args) => {
    if (typeof call !== 'string' || !ATTEMPTS.has(call) || typeof args !== 'object' || args === null || 'challenge' in args) return dispatch(call, args);
    const issued = await dispatch('attempt.challenge', {});
    if (!issued.ok) return issued;
    return dispatch(call, { ...args, challenge: (issued.value as { challenge: string }).challenge });
  };
}


/**
 * One kiosk visit from a screen of its own, as a test's hundred quick visits are many people's at many
 * moments: the back end limits each screen's rate (access.ts RATE_LIMITS), not the app's.
 */
export async function visitFrom(gate: Gate, args: { evidence: unknown }): Promise<VisitAnswer> {
  const screen = gate.connect();
  try {
    return await createClient(withChallenges(screen.dispatch)).checkins.visit(args as never);
  } finally {
    screen.close();
  }
}
