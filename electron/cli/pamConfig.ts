// The login configuration `normface verify --config FILE` reads (from pam_exec, which passes no
// arguments it can expand and no useful environment): where the data live, which camera, how long
// to look, when not to look at all, and which system user is which enrolled person's record.
// See build/pam/README.md (each setting beside Howdy's equivalent).
import { readFileSync } from 'node:fs';
import { securityLevels, type SecurityLevel } from '../../core/contract/api';
import { boundedText } from '../services/store/index';
import { CliError, FallThroughError } from './errors';

export interface LoginConfig {
  file: string;
  data?: string;
  camera?: string;
  video?: string;
  timeout?: string;
  level?: SecurityLevel;
  /** Face login off for everyone: every attempt falls through to the password (Howdy: disabled). */
  disabled: boolean;
  /** Fall through when the login comes over the network: PAM_RHOST set, or a remote service or tty (Howdy: abort_if_ssh). */
  abortIfRemote: boolean;
  /** Fall through when the laptop's lid is closed, where the system reports it (Howdy: abort_if_lid_closed). */
  abortIfLidClosed: boolean;
  /** Skip frames with at least this percentage of dark pixels (Howdy: dark_threshold); 100 skips none. */
  darkThreshold: number;
  /** System user name -> the enrolled person's record id (exactly; never a name). */
  users: Map<string, string>;
}

const TEXT_KEYS = ['data', 'camera', 'video', 'timeout'] as const;
const KEYS = [...TEXT_KEYS, 'level', 'disabled', 'abort_if_remote', 'abort_if_lid_closed', 'dark_threshold'] as const;
/** The form of a record id (core/contract/api.ts idSchema): a name with a space can never be one. */
const RECORD_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Howdy's default: a frame with 60% of its pixels dark shows no face an RGB model can use. */
export const DEFAULT_DARK_THRESHOLD = 60;

function flag(value: string, bad: (why: string) => CliError, key: string): boolean {
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw bad(`${key} must be true or false.`);
}

export function parseLoginConfig(text: string, file: string): LoginConfig {
  const config: LoginConfig = { file, users: new Map(), disabled: false, abortIfRemote: true, abortIfLidClosed: true, darkThreshold: DEFAULT_DARK_THRESHOLD };
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const bad = (why: string) => new CliError(`${file} line ${i + 1}: ${why}`, 'invalid-config');
    if (eq < 0) throw bad('expected "key = value" or "user NAME = ID".');
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (value === '') throw bad(`${key} has no value.`);
    const user = /^user\s+(\S+)$/.exec(key);
    if (user) {
      if (!RECORD_ID.test(value)) {
        throw bad(`user ${user[1]} must name a person's record id, not "${value}" (a name can be given to anyone); \`normface list\` prints each person's id.`);
      }
      config.users.set(user[1]!, value);
    } else if (key === 'level') {
      if (!(securityLevels as readonly string[]).includes(value)) throw bad(`level must be one of ${securityLevels.join(', ')}.`);
      config.level = value as SecurityLevel;
    } else if (key === 'disabled') {
      config.disabled = flag(value, bad, key);
    } else if (key === 'abort_if_remote') {
      config.abortIfRemote = flag(value, bad, key);
    } else if (key === 'abort_if_lid_closed') {
      config.abortIfLidClosed = flag(value, bad, key);
    } else if (key === 'dark_threshold') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0 || n > 100) throw bad('dark_threshold is a percentage from 0 to 100.');
      config.darkThreshold = n;
    } else if ((TEXT_KEYS as readonly string[]).includes(key)) {
      config[key as (typeof TEXT_KEYS)[number]] = value;
    } else {
      throw bad(`unknown setting ${key} (known: ${KEYS.join(', ')}, user NAME).`);
    }
  }
  return config;
}

export function readLoginConfig(file: string): LoginConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`The login configuration ${file} cannot be read (${(e as Error).message}); create it as build/pam/README.md shows.`, 'invalid-config');
  }
  return parseLoginConfig(text, file);
}

/** The record id a system user logs in as; unmapped users fall through to the password. */
export function personFor(config: LoginConfig, systemUser: string): string {
  const person = config.users.get(systemUser);
  if (person === undefined) {
    // The name comes from whoever starts the login (PAM_USER): said bounded.
    const who = boundedText(systemUser);
    throw new FallThroughError(`The system user ${who} has no face login (no "user ${who} = ID" line in ${config.file}); use the password.`, 'not-mapped', 'not-mapped');
  }
  return person;
}

/** The line that maps a system user to a record, as enrolment prints it. */
export const mappingLine = (systemUser: string, id: string): string => `user ${systemUser} = ${id}`;
