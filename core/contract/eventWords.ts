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

/** The event in words; a drift check logged before migration 0008 (as 'identify') is named as what it was. */
export function eventInWords(e: Pick<AppEvent, 'kind' | 'detail'>): string {
  if (e.kind === 'identify' && e.detail['action'] === 'calibration-check') return WORDS['drift-check'];
  return WORDS[e.kind];
}
