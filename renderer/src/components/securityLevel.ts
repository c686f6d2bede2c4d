// How a security level (a false-match rate) reads to a person.
import type { SecurityLevel } from '../api/client';

const ONE_IN: Record<SecurityLevel, string> = { '1e-3': '1,000', '1e-4': '10,000', '1e-5': '100,000' };

/** "FMR 1e-4 (1 false match in 10,000)". */
export function levelText(level: SecurityLevel): string {
  return `FMR ${level} (1 false match in ${ONE_IN[level]})`;
}
