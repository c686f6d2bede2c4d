// The store's public face: import from here, not from the files behind it.
export { openStore, restoreDatabase } from './store';
export { boundedText, FALL_THROUGH_TEXT_MAX, recordFallThrough } from './fallThrough';
export type { FleetStore, OpenStoreOptions, Store } from './store';
export type { FleetEventBody, FleetMembership, FleetPerson, FleetSealer, IncomingPerson, OutboxRow } from './fleet';
export { seal as sealBlob, unseal as unsealBlob } from './seal';
export { bytesToVector, vectorToBytes } from './vector';
export { StoreError } from './errors';
export { operatorsInFile } from './operators';
export type { StoreErrorCode } from './errors';
export { fileKeyring, KEY_BYTES, KEY_FILE_CUSTODY, missingKey, sealedDataIn } from './keyring';
export type { KeyCustody, Keyring } from './keyring';
export { LATEST_VERSION } from './migrations/index';
export * from './types';
