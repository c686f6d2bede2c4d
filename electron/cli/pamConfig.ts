// The login configuration `normface verify --config FILE` reads (from pam_exec, which passes no
// arguments it can expand and no useful environment): where the data live, which camera, how long
// to look, and which system user is which enrolled person. See build/pam/README.md.
import { readFileSync } from 'node:fs';
import { securityLevels, type SecurityLevel } from '../../core/contract/api';
import { CliError } from './errors';

export interface LoginConfig {
  file: string;
  data?: string;
  camera?: string;
  video?: string;
  timeout?: string;
  level?: SecurityLevel;
  /** System user name -> enrolled name or id. */
  users: Map<string, string>;
}

const KEYS = ['data', 'camera', 'video', 'timeout', 'level'] as const;

export function parseLoginConfig(text: string, file: string): LoginConfig {
  const config: LoginConfig = { file, users: new Map() };
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const bad = (why: string) => new CliError(`${file} line ${i + 1}: ${why}`, 'invalid-config');
    if (eq < 0) throw bad('expected "key = value" or "user NAME = PERSON".');
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (value === '') throw bad(`${key} has no value.`);
    const user = /^user\s+(\S+)$/.exec(key);
    if (user) {
      config.users.set(user[1]!, value);
    } else if (key === 'level') {
      if (!(securityLevels as readonly string[]).includes(value)) throw bad(`level must be one of ${securityLevels.join(', ')}.`);
      config.level = value as SecurityLevel;
    } else if ((KEYS as readonly string[]).includes(key)) {
      config[key as Exclude<(typeof KEYS)[number], 'level'>] = value;
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

/** The enrolled person a system user logs in as; unmapped users fall through to the password. */
export function personFor(config: LoginConfig, systemUser: string): string {
  const person = config.users.get(systemUser);
  if (person === undefined) {
    throw new CliError(`The system user ${systemUser} has no face login (no "user ${systemUser} = ..." line in ${config.file}); use the password.`, 'not-mapped');
  }
  return person;
}
