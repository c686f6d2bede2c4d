// One gate for every host: name check, then the call's declared right (core/contract/api.ts `calls`)
// against the caller's operator session BEFORE anything else runs, argument validation, the caller's
// rate limit, then the handler; every outcome (errors included) turned into an Envelope. Electron's
// ipcMain, the browser host's WebSocket and the command line all connect through it, so no host can
// grant what the contract does not.
import { ApiError, calls, isCallName, parseArgs, type ApiErrorBody, type CallName, type Envelope, type ParsedArgs, type Result } from '../../../core/contract/api';
import { StoreError, type StoreErrorCode } from '../store/errors';
import { RATE_LIMITS, type Access, type Caller, type SignedIn } from './access';

export type Handlers = { [N in CallName]: (args: ParsedArgs<N>, caller: Caller) => Promise<Result<N>> | Result<N> };
export type Dispatch = (call: unknown, args: unknown) => Promise<Envelope<unknown>>;

/** What the gate tells the service besides running handlers. */
export interface GateHooks {
  /** An operator's call that changes something succeeded: log it with who made it. */
  audit(call: CallName, args: unknown, operator: SignedIn): void;
  /** A call was refused for its rate: count it (a login attempt over the rate counts as a failure). */
  overRate(call: CallName, args: unknown): void;
}

/** One window or socket: its own caller, session and limits. */
export interface Connection {
  caller: Caller;
  dispatch: Dispatch;
  /** Ends the caller's session and drops its challenges. */
  close(): void;
}

export interface Gate {
  connect(): Connection;
  /** The command line: the data folder's operator when its process owns the folder, else public. */
  connectAsFolderOwner(dataDir: string): Connection;
}

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

export function createGate(handlers: Handlers, access: Access, hooks: GateHooks, log: (message: string, error: unknown) => void = console.error): Gate {
  const wrap = (caller: Caller): Connection => ({
    caller,
    dispatch: async (call, args) => {
      if (!isCallName(call)) {
        const shown = typeof call === 'string' ? JSON.stringify(call.slice(0, MAX_NAME_SHOWN)) : typeof call;
        return { ok: false, error: { code: 'unknown-call', message: `There is no call named ${shown}.` } };
      }
      const spec = calls[call];
      const operator = access.operatorOf(caller, spec.right === 'operator');
      if (spec.right === 'operator' && !operator) {
        return { ok: false, error: { code: 'forbidden', message: `${call} is for operators: sign in as an operator on the Log in screen first (sessions end after a few idle minutes).` } };
      }
      try {
        // Inside the try: a check that throws (as a deep regular expression once did) must still answer.
        const parsed = parseArgs(call, args);
        if (!parsed.ok) return parsed;
        if (!access.take(caller, call)) {
          try {
            hooks.overRate(call, parsed.value);
          } catch (error) {
            log(`normface: counting a refused ${call} failed`, error);
          }
          return { ok: false, error: { code: 'rate-limited', message: `Too many ${RATE_LIMITS[call]?.what ?? 'calls'} from this screen in a short time: wait a minute and try again.` } };
        }
        const handler = handlers[call] as (a: unknown, c: Caller) => unknown;
        const value = await handler(parsed.value, caller);
        if (operator && spec.right === 'operator' && spec.effect === 'write') hooks.audit(call, parsed.value, operator);
        return { ok: true, value };
      } catch (error) {
        return { ok: false, error: toErrorBody(call, error, log) };
      }
    },
    close: () => access.disconnect(caller),
  });
  return {
    connect: () => wrap(access.connect()),
    connectAsFolderOwner: (dataDir) => wrap(access.connectAsFolderOwner(dataDir)),
  };
}
