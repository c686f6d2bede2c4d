// The renderer's one way to the back end. The UI imports `api` (typed from the contract) and never
// anything else: in Electron the preload has defined window.normface; in the browser host it is
// absent, so installBridge() puts an object of the same shape, backed by the WebSocket, in its place.
import { clientFromBridge, type Client } from '../../../core/contract/api';
import { installBridge } from './bridge';

export { ApiError, DELETE_ALL_CONFIRMATION, MIN_OPERATOR_PASSPHRASE, securityLevels, defaultSettings } from '../../../core/contract/api';
export type * from '../../../core/contract/api';

export const api: Client = clientFromBridge(installBridge());
