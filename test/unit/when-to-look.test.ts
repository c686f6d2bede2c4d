// When face login must not look: remote logins by each signal, a closed lid as ACPI reports it, the
// switch, and the dark-frame measure (Howdy's dark_threshold).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLoginConfig } from '../../electron/cli/pamConfig';
import { checkWhenToLook, darkPercentage, lidState, remoteLogin } from '../../electron/cli/whenToLook';

describe('when not to look', () => {
  it('calls a login remote from PAM_RHOST, a remote service or tty, or an ssh session, and a local one not', () => {
    expect(remoteLogin({ PAM_RHOST: '203.0.113.7' })).toContain('203.0.113.7');
    expect(remoteLogin({ PAM_SERVICE: 'sshd' })).toContain('sshd');
    expect(remoteLogin({ PAM_TTY: 'ssh' })).toContain('ssh');
    expect(remoteLogin({ PAM_SERVICE: 'sudo', PAM_TTY: '/dev/pts/3', SSH_CONNECTION: '203.0.113.7 50000 192.0.2.1 22' })).toContain('SSH_CONNECTION');
    expect(remoteLogin({ PAM_SERVICE: 'gdm-password', PAM_TTY: ':0', PAM_RHOST: '' })).toBeNull();
  });

  it('reads the lid from ACPI where the system reports it', () => {
    const acpi = mkdtempSync(join(tmpdir(), 'normface-lid-'));
    expect(lidState(join(acpi, 'absent'))).toBe('unknown');
    mkdirSync(join(acpi, 'LID0'));
    writeFileSync(join(acpi, 'LID0', 'state'), 'state:      open\n');
    expect(lidState(acpi)).toBe('open');
    writeFileSync(join(acpi, 'LID0', 'state'), 'state:      closed\n');
    expect(lidState(acpi)).toBe('closed');
  });

  it('falls through for the switch, a remote login and a closed lid, each unless turned off', () => {
    const config = (text: string) => parseLoginConfig(text, 'pam.conf');
    const open = () => 'open' as const;
    expect(() => checkWhenToLook(config('disabled = true'), {}, open)).toThrow('Face login is switched off (disabled = true in pam.conf); use the password.');
    expect(() => checkWhenToLook(config(''), { PAM_RHOST: 'h' }, open)).toThrow(/not used for a remote login/);
    expect(() => checkWhenToLook(config('abort_if_remote = false'), { PAM_RHOST: 'h' }, open)).not.toThrow();
    expect(() => checkWhenToLook(config(''), {}, () => 'closed')).toThrow('Face login is not used while the lid is closed; use the password.');
    expect(() => checkWhenToLook(config('abort_if_lid_closed = false'), {}, () => 'closed')).not.toThrow();
  });

  it('measures dark frames as the share of pixels below luma 32', () => {
    const frame = (value: number) => ({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(value) });
    expect(darkPercentage(frame(10))).toBe(100);
    expect(darkPercentage(frame(200))).toBe(0);
  });
});
