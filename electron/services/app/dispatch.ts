// One dispatcher for every host: name check, argument validation BEFORE any handler runs, then the
// handler, and every outcome (errors included) turned into an Envelope. Electron's ipcMain and the
// browser host's WebSocket both call it, so they cannot drift apart.
import { ApiError, isCallName, parseArgs, type ApiErrorBody, type CallName, type Envelope, type ParsedArgs, type Result } from '../../../core/contract/api';
import { StoreError, type StoreErrorCode } from '../store/errors';

export type Handlers = { [N in CallName]: (args: ParsedArgs<N>) => Promise<Result<N>> | Result<N> };
export type Dispatch = (call: unknown, args: unknown) => Promise<Envelope<unknown>>;

const storeCodes: Record<StoreErrorCode, ApiErrorBody['code']> = {
  not_found: 'not-found',
  invalid: 'conflict',
  corrupt: 'storage',
  disk_full: 'storage',
  locked: 'storage',
  wrong_key: 'storage',
  newer_version: 'storage',
  io: 'storage',
  closed: 'unavailable',
};

/** What the UI is told when a handler fails. Unexpected errors are reported to `log`, never swallowed. */
export function toErrorBody(call: string, error: unknown, log: (message: string, error: unknown) => void): ApiErrorBody {
  if (error instanceof ApiError) return error.toBody();
  if (error instanceof StoreError) return { code: storeCodes[error.code] ?? 'storage', message: error.message };
  log(`normface: ${call} failed unexpectedly`, error);
  return { code: 'internal', message: `${call} failed: ${error instanceof Error ? error.message : String(error)}` };
}

const MAX_NAME_SHOWN = 60;

export function createDispatcher(handlers: Handlers, log: (message: string, error: unknown) => void = console.error): Dispatch {
  return async (call, args) => {
    if (!isCallName(call)) {
      const shown = typeof call === 'string' ? JSON.stringify(call.slice(0, MAX_NAME_SHOWN)) : typeof call;
      return { ok: false, error: { code: 'unknown-call', message: `There is no call named ${shown}.` } };
    }
    try {
      // Inside the try: a check that throws (as a deep regular expression once did) must still answer.
      const parsed = parseArgs(call, args);
      if (!parsed.ok) return parsed;
      const handler = handlers[call] as (a: unknown) => unknown;
      return { ok: true, value: await handler(parsed.value) };
    } catch (error) {
      return { ok: false, error: toErrorBody(call, error, log) };
    }
  };
}
