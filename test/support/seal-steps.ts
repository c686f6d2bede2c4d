// The moments test/unit/store-seal-crash.test.ts kills the sealing at (its child kills itself there).
export const SEAL_STEPS = ['in-migration', 'before-vacuum', 'before-wal-truncate', 'backup-copied', 'backup-sealed', 'one-backup-renamed'] as const;
export type SealStep = (typeof SEAL_STEPS)[number];
