// When face login must not look at all, checked before the data or the camera are opened: the attempt
// falls through to the password (never a success). Whoever sits at the camera must not decide a login
// that comes over the network, nor a laptop's closed lid, nor a switched-off face login. Every signal
// here can only make the command give up, so one a user could set (an environment variable) is safe.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundedText } from '../services/store/index';
import { FallThroughError } from './errors';
import type { LoginConfig } from './pamConfig';

/** PAM services that log in over the network (PAM_SERVICE as pam_exec passes it). */
const REMOTE_SERVICES = new Set(['sshd', 'ssh', 'telnet', 'login.krb5', 'rlogin', 'rsh', 'rexec', 'xrdp-sesman', 'cockpit', 'vsftpd', 'dovecot']);
/** Set by sshd in the session a `sudo` or `su` over ssh runs in (Howdy's abort_if_ssh looks at the same). */
const SSH_VARIABLES = ['SSH_CONNECTION', 'SSH_CLIENT', 'SSH_TTY'];

/** Why this login is remote, or null: PAM_RHOST, a remote service or tty, or an ssh session. */
export function remoteLogin(env: NodeJS.ProcessEnv): string | null {
  const rhost = env['PAM_RHOST']?.trim();
  if (rhost) return `it comes from ${boundedText(rhost)} (PAM_RHOST)`;
  const service = env['PAM_SERVICE']?.trim();
  if (service && REMOTE_SERVICES.has(service)) return `the PAM service ${service} serves remote logins`;
  const tty = env['PAM_TTY']?.trim();
  if (tty && /^ssh/i.test(tty)) return `its terminal is ${boundedText(tty)}`;
  const ssh = SSH_VARIABLES.find((v) => env[v]?.trim());
  if (ssh) return `it runs in an ssh session (${ssh})`;
  return null;
}

/** 'closed' when the system reports a closed lid (Linux ACPI), else 'open' or 'unknown'. */
export function lidState(acpiLid = '/proc/acpi/button/lid'): 'open' | 'closed' | 'unknown' {
  if (!existsSync(acpiLid)) return 'unknown';
  let seen = false;
  for (const lid of readdirSync(acpiLid)) {
    try {
      const state = readFileSync(join(acpiLid, lid, 'state'), 'utf8');
      seen = true;
      if (/closed/i.test(state)) return 'closed';
    } catch {
      // A lid entry without a readable state says nothing either way.
    }
  }
  return seen ? 'open' : 'unknown';
}

/** Throws the sentence to show (exit 2: PAM falls through) when this attempt must not look. */
export function checkWhenToLook(config: LoginConfig, env: NodeJS.ProcessEnv = process.env, lid: () => ReturnType<typeof lidState> = lidState): void {
  const fallThrough = (why: string, cause: 'disabled' | 'remote' | 'lid-closed') => new FallThroughError(`Face login ${why}; use the password.`, 'not-now', cause);
  if (config.disabled) throw fallThrough(`is switched off (disabled = true in ${config.file})`, 'disabled');
  const remote = config.abortIfRemote ? remoteLogin(env) : null;
  if (remote) throw fallThrough(`is not used for a remote login: ${remote}`, 'remote');
  if (config.abortIfLidClosed && lid() === 'closed') throw fallThrough('is not used while the lid is closed', 'lid-closed');
}

/** Percentage of dark pixels (luma below 32 of 255, Howdy's darkest histogram bin), on every 4th pixel. */
export function darkPercentage(image: { data: Uint8Array | Uint8ClampedArray; width: number; height: number }): number {
  const d = image.data;
  let dark = 0;
  let seen = 0;
  for (let i = 0; i + 3 < d.length; i += 16) {
    const luma = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
    if (luma < 32) dark++;
    seen++;
  }
  return seen === 0 ? 100 : (100 * dark) / seen;
}
