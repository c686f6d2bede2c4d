// Each event kind in words, for the people who read the log (`normface export-log`). The CSV keeps the
// kind itself in its `kind` column, for scripts.
import type { AppEvent, EventKind } from './api';

const WORDS: Record<EventKind, string> = {
  enroll: 'enrolment',
  delete: 'deletion',
  verify: 'login attempt',
  identify: 'identification',
  checkin: 'check-in',
  lockout: 'lockout',
  backup: 'backup',
  restore: 'restore',
  training: 'fine-tuning',
  operator: 'operator action',
  'drift-check': 'calibration drift check',
};

/** Why a face login fell through to the password without a decision (`detail.cause` of a 'verify' entry with reason 'fell-through'). */
export const FALL_THROUGH_CAUSES = ['disabled', 'remote', 'lid-closed', 'not-mapped', 'no-camera', 'no-face', 'dark'] as const;
export type FallThroughCause = (typeof FALL_THROUGH_CAUSES)[number];

const FALL_THROUGH_WORDS: Record<FallThroughCause, string> = {
  disabled: 'face login switched off',
  remote: 'remote login',
  'lid-closed': 'lid closed',
  'not-mapped': 'no face login for this user',
  'no-camera': 'camera unavailable',
  'no-face': 'no usable face seen',
  dark: 'every frame too dark',
};

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** "fell through: remote login from HOST (user alice, service sudo, tty pts/0)"; the texts were bounded when stored. */
function fallThroughInWords(d: Record<string, unknown>): string {
  const cause = text(d['cause']) ?? 'unknown';
  const from = cause === 'remote' && text(d['rhost']) ? ` from ${text(d['rhost'])}` : '';
  const code = text(d['code']) ? ` (${text(d['code'])})` : '';
  const where = [['user', d['user']], ['service', d['service']], ['tty', d['tty']]].filter(([, v]) => text(v)).map(([k, v]) => `${k as string} ${v as string}`);
  const words = (FALL_THROUGH_CAUSES as readonly string[]).includes(cause) ? FALL_THROUGH_WORDS[cause as FallThroughCause] : cause;
  return `fell through: ${words}${from}${code}${where.length ? ` (${where.join(', ')})` : ''}`;
}

/** The event in words; a drift check logged before migration 0008 (as 'identify') is named as what it was. */
export function eventInWords(e: Pick<AppEvent, 'kind' | 'detail'>): string {
  if (e.kind === 'identify' && e.detail['action'] === 'calibration-check') return WORDS['drift-check'];
  if (e.kind === 'verify' && e.detail['reason'] === 'fell-through') return `${WORDS.verify} ${fallThroughInWords(e.detail)}`;
  return WORDS[e.kind];
}
